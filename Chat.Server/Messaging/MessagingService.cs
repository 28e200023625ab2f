using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Rooms;
using Chat.Server.Typing;
using Chat.Shared;

namespace Chat.Server.Messaging;

/// <summary>The send path: check → rate-limit → store (group commit; the broadcast follows the commit) → ack.</summary>
public sealed class MessagingService(ConnectionRegistry connections, SendRateLimiter rateLimiter, IMessageStore store, TypingService typing)
{
    public const int MaxClientMessageIdLength = 128;

    public async Task<ChatMessage> SendAsync(string connectionId, string roomName, string? content, string? clientMessageId, CancellationToken cancellationToken = default)
    {
        var room = ChatRules.NormalizeRoomName(roomName);
        var state = connections.Get(connectionId);
        if (!state.IsIn(room))
        {
            throw new ChatException(ChatErrorCodes.NotAMember, $"join '{room}' before sending to it");
        }

        var text = content?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new ChatException(ChatErrorCodes.EmptyMessage, "a message needs some text");
        }

        if (text.Length > ChatLimits.MaxMessageLength)
        {
            throw new ChatException(ChatErrorCodes.MessageTooLong, $"messages are at most {ChatLimits.MaxMessageLength} characters");
        }

        if (clientMessageId is { Length: > MaxClientMessageIdLength })
        {
            throw new ChatException(ChatErrorCodes.MessageTooLong, $"clientMessageId is at most {MaxClientMessageIdLength} characters");
        }

        if (!rateLimiter.TryAcquire(state.User.Id))
        {
            throw new ChatException(ChatErrorCodes.RateLimited, "you are sending too fast; wait a moment and retry");
        }

        var result = await store.AppendAsync(
            new NewMessage(room, state.User, text, string.IsNullOrEmpty(clientMessageId) ? null : clientMessageId),
            cancellationToken);
        await typing.EndAsync(room, state.User, cancellationToken);
        return result.Message;
    }
}
