using Chat.Server.Attachments;
using Chat.Server.Conversations;
using Chat.Server.Hubs;
using Chat.Server.Rooms;
using Chat.Server.Typing;
using Chat.Shared;

namespace Chat.Server.Messaging;

/// <summary>
/// The hub's way into the change pipeline: checks what can be checked without the store (form, membership, rate),
/// then submits the change. Rules that depend on what is stored (who sent it, is it deleted) are the planner's.
/// </summary>
public sealed class MessagingService(
    SendRateLimiter rateLimiter, ChangePipeline pipeline, TypingService typing, RoomPolicy policy)
{
    public async Task<ChatMessage> SendAsync(ChatCaller caller, RoomName room, string? content, string? clientMessageId, CancellationToken cancellationToken = default) =>
        (await PostAsync(caller, room, new PostMessageRequest(content, clientMessageId), cancellationToken)).Message;

    /// <summary>Stores a new message, or (a retry of the same <c>clientMessageId</c>) returns the stored one.</summary>
    public async Task<PostResult> PostAsync(ChatCaller caller, RoomName room, PostMessageRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, "PostMessage needs a request");
        }

        var user = await policy.AuthorizeMemberAsync(caller, room, cancellationToken);
        var attachmentIds = ValidAttachmentIds(request.AttachmentIds);
        var content = attachmentIds.Length > 0 && string.IsNullOrWhiteSpace(request.Content) ? string.Empty : ValidContent(request.Content);
        if (request.ClientMessageId is { Length: > ChatLimits.MaxClientMessageIdLength } || !ChatRules.IsStorableText(request.ClientMessageId))
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, $"clientMessageId is at most {ChatLimits.MaxClientMessageIdLength} characters of well-formed text");
        }

        var change = new PostRequest(
            room,
            user,
            content,
            string.IsNullOrEmpty(request.ClientMessageId) ? null : request.ClientMessageId,
            string.IsNullOrEmpty(request.ReplyToId) ? null : ValidMessageId(request.ReplyToId),
            ValidMentions(request.Mentions))
        {
            AttachmentIds = attachmentIds,
        };
        var result = await SubmitAsync(change, cancellationToken);
        await typing.EndAsync(room, user, cancellationToken);
        // A new message always makes its message.posted event; a retry makes none.
        return new PostResult(result.Message!, Replayed: result.Events.Count == 0);
    }

    public async Task<ChatMessage> EditAsync(ChatCaller caller, RoomName room, string? messageId, string? content, CancellationToken cancellationToken = default)
    {
        var user = await policy.AuthorizeMemberAsync(caller, room, cancellationToken);
        var change = new EditRequest(room, user, ValidMessageId(messageId), ValidContent(content));
        return (await SubmitAsync(change, cancellationToken)).Message!;
    }

    public async Task DeleteAsync(ChatCaller caller, RoomName room, string? messageId, CancellationToken cancellationToken = default)
    {
        var user = await policy.AuthorizeMemberAsync(caller, room, cancellationToken);
        await SubmitAsync(new DeleteRequest(room, user, ValidMessageId(messageId)), cancellationToken);
    }

    public async Task<ChatMessage> ReactAsync(ChatCaller caller, RoomName room, string? messageId, string? reaction, bool add, CancellationToken cancellationToken = default)
    {
        var user = await policy.AuthorizeMemberAsync(caller, room, cancellationToken);
        if (!ChatRules.IsValidReaction(reaction))
        {
            throw new ChatException(
                ChatErrorCodes.InvalidReaction,
                $"a reaction is 1-{ChatLimits.MaxReactionLength} characters without spaces or control characters: an emoji or a :short_name:");
        }

        var change = new ReactionRequest(room, user, ValidMessageId(messageId), reaction!, add);
        return (await SubmitAsync(change, cancellationToken)).Message!;
    }

    private Task<ChangeResult> SubmitAsync(ChangeRequest change, CancellationToken cancellationToken)
    {
        if (!rateLimiter.TryAcquire(change.Actor.Id))
        {
            throw new ChatException(ChatErrorCodes.RateLimited, "you are sending too fast; wait a moment and retry");
        }

        return pipeline.SubmitAsync(change, cancellationToken);
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

        return ChatRules.IsStorableText(text)
            ? text
            : throw new ChatException(ChatErrorCodes.InvalidRequest, "a message cannot hold a NUL character or half of a surrogate pair");
    }

    /// <summary>An id no message can have is simply not found; this keeps oversized ids away from the store.</summary>
    private static string ValidMessageId(string? messageId) =>
        messageId is { Length: > 0 and <= ChatLimits.MaxMessageIdLength }
            ? messageId
            : throw new ChatException(ChatErrorCodes.NotFound, "no such message in this room");

    private static string[] ValidAttachmentIds(string[]? ids)
    {
        if (ids is null or { Length: 0 })
        {
            return [];
        }

        if (ids.Length > ChatLimits.MaxAttachmentsPerMessage)
        {
            throw new ChatException(ChatErrorCodes.InvalidAttachment, $"a message carries at most {ChatLimits.MaxAttachmentsPerMessage} attachments");
        }

        return ids.All(AttachmentIds.IsValid)
            ? [.. ids.Distinct(StringComparer.Ordinal)]
            : throw new ChatException(ChatErrorCodes.InvalidAttachment, "no such attachment of yours");
    }

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
            if (userId is not { Length: > 0 and <= ChatLimits.MaxUserIdLength } || !ChatRules.IsStorableText(userId))
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

/// <summary>The message as stored, and whether this call only found it (a retry of its <c>clientMessageId</c>).</summary>
public readonly record struct PostResult(ChatMessage Message, bool Replayed);
