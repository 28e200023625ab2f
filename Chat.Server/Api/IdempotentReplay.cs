using Chat.Shared;

namespace Chat.Server.Api;

/// <summary>
/// Whether a request that found a stored message under its <c>Idempotency-Key</c> asked for that message: a retry
/// gets it back, a different message under a reused key is refused. Only what the message still shows of its request
/// can be compared: an edit replaced its text, a delete removed its text, mentions and files; mentions of users who
/// cannot read the room were dropped when it was stored.
/// </summary>
public static class IdempotentReplay
{
    public static bool Matches(PostMessageRequest request, ChatMessage stored)
    {
        if (stored.IsDeleted)
        {
            return SameReply(request, stored);
        }

        var attachmentIds = request.AttachmentIds ?? [];
        var mentions = request.Mentions ?? [];
        return SameReply(request, stored)
            && (stored.EditedAt is not null || (request.Content?.Trim() ?? string.Empty) == stored.Content)
            && stored.Attachments.Select(a => a.Id).ToHashSet(StringComparer.Ordinal).SetEquals(attachmentIds)
            && stored.Mentions.All(userId => mentions.Contains(userId, StringComparer.Ordinal));
    }

    private static bool SameReply(PostMessageRequest request, ChatMessage stored) =>
        string.IsNullOrEmpty(request.ReplyToId) ? stored.ReplyTo is null : stored.ReplyTo?.Id == request.ReplyToId;
}
