using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Messaging;

/// <summary>
/// Broadcasts each committed message from the store's writer loop, in commit order, so every connection receives a
/// room's messages in sequence order. It starts every send without awaiting it: a slow client must never hold up
/// the writer. A failed broadcast is logged only; clients recover the message from history.
/// </summary>
internal sealed class MessageBroadcaster(
    IHubContext<ChatHub, IChatClient> hub,
    ConnectionRegistry connections,
    ChatMetrics metrics,
    ILogger<MessageBroadcaster> logger) : IMessageCommitListener
{
    public void OnCommitted(IReadOnlyList<ChatMessage> messages)
    {
        long recipients = 0;
        foreach (var message in messages)
        {
            recipients += connections.LocalConnectionsIn(message.Room);
            Task sending;
            try
            {
                sending = hub.Clients.Group(message.Room).MessageReceived(message);
            }
            catch (Exception exception)
            {
                ChatLog.BroadcastFailed(logger, message.Room, message.Sequence, exception);
                continue;
            }

            if (!sending.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(sending, message);
            }
        }

        metrics.MessagesSent(messages.Count, recipients);
    }

    private async Task ObserveAsync(Task sending, ChatMessage message)
    {
        try
        {
            await sending;
        }
        catch (Exception exception)
        {
            ChatLog.BroadcastFailed(logger, message.Room, message.Sequence, exception);
        }
    }
}
