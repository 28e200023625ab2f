using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Messaging;

/// <summary>
/// Broadcasts each committed change from the pipeline's publishing loop, in commit order, so every connection receives
/// a room's changes in <c>eventSequence</c> order: new messages as <c>MessageReceived</c> (what v1 clients know), every
/// other change as <c>RoomChanged</c>. It starts every send without awaiting it: a slow client must never hold up the
/// writer. A failed broadcast is logged only; clients recover the change from the log.
/// </summary>
internal sealed class ChangeBroadcaster(
    IHubContext<ChatHub, IChatClient> hub,
    ConnectionRegistry connections,
    ChatMetrics metrics,
    ILogger<ChangeBroadcaster> logger) : IChangeListener
{
    public void OnCommitted(IReadOnlyList<ChangePipeline.PendingChange> batch)
    {
        var posted = 0;
        long recipients = 0;
        foreach (var pending in batch)
        {
            if (pending.Result is not { } result)
            {
                continue;
            }

            foreach (var roomEvent in result.Events)
            {
                var isPost = roomEvent.Type == RoomEventTypes.MessagePosted;
                if (isPost)
                {
                    posted++;
                    recipients += connections.LocalConnectionsIn(roomEvent.Room);
                }
                else
                {
                    metrics.RoomChanges(roomEvent.Type, 1);
                }

                Send(roomEvent, isPost);
            }

            foreach (var notification in result.Notifications)
            {
                Notify(notification);
            }
        }

        metrics.MessagesSent(posted, recipients);
        if (posted > 0)
        {
            metrics.RoomChanges(RoomEventTypes.MessagePosted, posted);
        }
    }

    /// <summary>
    /// To the room; a member's event also to every connection of theirs, joined or not (an added user has joined
    /// nothing yet; a banned one may not be in the room at all). A removed member's connections leave the room before
    /// the removal is answered (<see cref="Conversations.IRoomEvictions"/>).
    /// </summary>
    private void Send(RoomEvent roomEvent, bool isPost)
    {
        Task sending;
        try
        {
            var room = hub.Clients.Group(roomEvent.Room);
            sending = isPost ? room.MessageReceived(roomEvent.Message!) : room.RoomChanged(roomEvent);
            Observe(sending, roomEvent);
            if (roomEvent.Member is { } member)
            {
                Observe(hub.Clients.User(member.UserId).RoomChanged(roomEvent), roomEvent);
            }
        }
        catch (Exception exception)
        {
            ChatLog.BroadcastFailed(logger, roomEvent.Room, roomEvent.EventSequence, exception);
        }
    }

    /// <summary>To every connection of the user, on every node, whichever rooms they have joined.</summary>
    private void Notify(NotificationRecord notification)
    {
        try
        {
            var sending = hub.Clients.User(notification.UserId).NotificationReceived(notification.ToNotification());
            if (!sending.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(sending, notification);
            }
        }
        catch (Exception exception)
        {
            ChatLog.NotificationFailed(logger, notification.UserId, exception);
        }
    }

    private async Task ObserveAsync(Task sending, NotificationRecord notification)
    {
        try
        {
            await sending;
        }
        catch (Exception exception)
        {
            ChatLog.NotificationFailed(logger, notification.UserId, exception);
        }
    }

    private void Observe(Task sending, RoomEvent roomEvent)
    {
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending, roomEvent);
        }
    }

    private async Task ObserveAsync(Task sending, RoomEvent roomEvent)
    {
        try
        {
            await sending;
        }
        catch (Exception exception)
        {
            ChatLog.BroadcastFailed(logger, roomEvent.Room, roomEvent.EventSequence, exception);
        }
    }
}
