using Chat.Server.Hubs;
using Chat.Server.Rooms;
using Chat.Server.Typing;
using Chat.Shared;

namespace Chat.Server.Messaging;

/// <summary>
/// The hub's way into the change pipeline: checks what can be checked without the store (form, membership, rate),
/// then submits the change. Rules that depend on what is stored (who sent it, is it deleted) are the planner's.
/// </summary>
public sealed class MessagingService(ConnectionRegistry connections, SendRateLimiter rateLimiter, ChangePipeline pipeline, TypingService typing)
{
    public async Task<ChatMessage> SendAsync(string connectionId, string roomName, string? content, string? clientMessageId, CancellationToken cancellationToken = default) =>
        await PostAsync(connectionId, roomName, new PostMessageRequest(content, clientMessageId), cancellationToken);

    public async Task<ChatMessage> PostAsync(string connectionId, string roomName, PostMessageRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, "PostMessage needs a request");
        }

        var (room, user) = Member(connectionId, roomName);
        var content = ValidContent(request.Content);
        if (request.ClientMessageId is { Length: > ChatLimits.MaxClientMessageIdLength })
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, $"clientMessageId is at most {ChatLimits.MaxClientMessageIdLength} characters");
        }

        if (request.AttachmentIds is { Length: > 0 })
        {
            throw new ChatException(ChatErrorCodes.InvalidAttachment, "no such attachment");
        }

        var change = new PostRequest(
            room,
            user,
            content,
            string.IsNullOrEmpty(request.ClientMessageId) ? null : request.ClientMessageId,
            string.IsNullOrEmpty(request.ReplyToId) ? null : ValidMessageId(request.ReplyToId),
            ValidMentions(request.Mentions));
        var result = await SubmitAsync(change, cancellationToken);
        await typing.EndAsync(room, user, cancellationToken);
        return result.Message;
    }

    public async Task<ChatMessage> EditAsync(string connectionId, string roomName, string? messageId, string? content, CancellationToken cancellationToken = default)
    {
        var (room, user) = Member(connectionId, roomName);
        var change = new EditRequest(room, user, ValidMessageId(messageId), ValidContent(content));
        return (await SubmitAsync(change, cancellationToken)).Message;
    }

    public async Task DeleteAsync(string connectionId, string roomName, string? messageId, CancellationToken cancellationToken = default)
    {
        var (room, user) = Member(connectionId, roomName);
        await SubmitAsync(new DeleteRequest(room, user, ValidMessageId(messageId)), cancellationToken);
    }

    public async Task<ChatMessage> ReactAsync(string connectionId, string roomName, string? messageId, string? reaction, bool add, CancellationToken cancellationToken = default)
    {
        var (room, user) = Member(connectionId, roomName);
        if (!ChatRules.IsValidReaction(reaction))
        {
            throw new ChatException(
                ChatErrorCodes.InvalidReaction,
                $"a reaction is 1-{ChatLimits.MaxReactionLength} characters without spaces or control characters: an emoji or a :short_name:");
        }

        var change = new ReactionRequest(room, user, ValidMessageId(messageId), reaction!, add);
        return (await SubmitAsync(change, cancellationToken)).Message;
    }

    private Task<ChangeResult> SubmitAsync(ChangeRequest change, CancellationToken cancellationToken)
    {
        if (!rateLimiter.TryAcquire(change.Actor.Id))
        {
            throw new ChatException(ChatErrorCodes.RateLimited, "you are sending too fast; wait a moment and retry");
        }

        return pipeline.SubmitAsync(change, cancellationToken);
    }

    private (string Room, ChatUser User) Member(string connectionId, string roomName)
    {
        var room = ChatRules.NormalizeRoomName(roomName);
        var state = connections.Get(connectionId);
        if (!state.IsIn(room))
        {
            throw new ChatException(ChatErrorCodes.NotAMember, $"join '{room}' before changing anything in it");
        }

        return (room, state.User);
    }

    private static string ValidContent(string? content)
    {
        var text = content?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new ChatException(ChatErrorCodes.EmptyMessage, "a message needs some text");
        }

        if (text.Length > ChatLimits.MaxMessageLength)
        {
            throw new ChatException(ChatErrorCodes.MessageTooLong, $"messages are at most {ChatLimits.MaxMessageLength} characters");
        }

        return text;
    }

    /// <summary>An id no message can have is simply not found; this keeps oversized ids away from the store.</summary>
    private static string ValidMessageId(string? messageId) =>
        messageId is { Length: > 0 and <= ChatLimits.MaxMessageIdLength }
            ? messageId
            : throw new ChatException(ChatErrorCodes.NotFound, "no such message in this room");

    private static string[] ValidMentions(string[]? mentions)
    {
        if (mentions is null or { Length: 0 })
        {
            return [];
        }

        var distinct = new List<string>(Math.Min(mentions.Length, ChatLimits.MaxMentions + 1));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var userId in mentions)
        {
            if (userId is not { Length: > 0 and <= ChatLimits.MaxUserIdLength })
            {
                throw new ChatException(ChatErrorCodes.InvalidRequest, $"a mention is a user id of 1-{ChatLimits.MaxUserIdLength} characters");
            }

            if (seen.Add(userId))
            {
                distinct.Add(userId);
            }
        }

        return distinct.Count <= ChatLimits.MaxMentions
            ? [.. distinct]
            : throw new ChatException(ChatErrorCodes.InvalidRequest, $"a message mentions at most {ChatLimits.MaxMentions} users");
    }
}
