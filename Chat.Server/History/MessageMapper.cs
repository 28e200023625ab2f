using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Server.Attachments;
using Chat.Shared;

namespace Chat.Server.History;

/// <summary>How a stored message becomes the contract's <see cref="ChatMessage"/>, the same for every read and write.</summary>
public static class MessageMapper
{
    /// <summary>The message as clients see it; each attachment's URL is signed now, for whoever reads it.</summary>
    public static ChatMessage ToMessage(this MessageRecord record, MessageRecord? replyTarget, AttachmentLinks links) => new(
        record.Id,
        record.Room,
        record.Sequence,
        record.SenderId,
        record.SenderName,
        record.Content,
        record.SentAt,
        record.ClientMessageId,
        record.EventSequence,
        record.EditedAt,
        record.DeletedAt,
        replyTarget is null ? null : ToReference(replyTarget),
        ReadMentions(record.Mentions),
        ReadReactions(record.Reactions),
        ReadAttachments(record.Attachments, links));

    /// <summary>The replied-to message as it is now: a deleted one shows no text.</summary>
    public static MessageRef ToReference(MessageRecord target) => new(target.Id, target.Sequence, target.SenderName, Preview(target));

    /// <summary>
    /// What quotes a message (replies, notifications): its text, or for a message of files alone their names, so that
    /// only a deleted message quotes as empty.
    /// </summary>
    public static string Preview(MessageRecord message) =>
        Preview(message is { Content.Length: 0, Attachments: { } files }
            ? string.Join(", ", ReadStoredAttachments(files).Select(file => "📎 " + file.FileName))
            : message.Content);

    /// <summary>The first 100 UTF-16 code units, one fewer rather than half of a surrogate pair (an emoji).</summary>
    private static string Preview(string content)
    {
        if (content.Length <= ChatLimits.MaxReplyPreviewLength)
        {
            return content;
        }

        var length = ChatLimits.MaxReplyPreviewLength;
        return content[..(char.IsHighSurrogate(content[length - 1]) ? length - 1 : length)];
    }

    public static Notification ToNotification(this NotificationRecord record) => new(
        record.Id, record.Kind, record.Room, record.MessageId, record.MessageSequence, record.FromUserId, record.FromUserName, record.Preview, record.At);

    public static string? WriteMentions(IReadOnlyCollection<string> mentions) =>
        mentions.Count == 0 ? null : JsonSerializer.Serialize(mentions.ToArray(), StoredJson.Default.StringArray);

    public static string[] ReadMentions(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoredJson.Default.StringArray) ?? [];

    public static string? WriteReactions(Reaction[] reactions) =>
        reactions.Length == 0 ? null : JsonSerializer.Serialize(reactions, StoredJson.Default.ReactionArray);

    public static Reaction[] ReadReactions(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoredJson.Default.ReactionArray) ?? [];

    public static string? WriteAttachments(IReadOnlyCollection<AttachmentRecord> attachments) =>
        attachments.Count == 0
            ? null
            : JsonSerializer.Serialize(
                attachments.Select(a => new StoredAttachment(a.Id, a.FileName, a.ContentType, a.Size, a.Width, a.Height)).ToArray(),
                StoredJson.Default.StoredAttachmentArray);

    public static StoredAttachment[] ReadStoredAttachments(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, StoredJson.Default.StoredAttachmentArray) ?? [];

    private static Attachment[] ReadAttachments(string? json, AttachmentLinks links) =>
        json is null
            ? []
            : [.. ReadStoredAttachments(json).Select(a => new Attachment(a.Id, a.FileName, a.ContentType, a.Size, a.Width, a.Height, links.UrlFor(a.Id)))];

    public static RoomMember ToMember(this MemberRecord member) =>
        new(member.Room, member.UserId, member.UserName, member.Role, member.JoinedAt, member.MutedUntil);

    /// <summary>What a membership or room event carries, as it was when it happened.</summary>
    public static string? WritePayload(RoomMember? member, RoomInfo? room) =>
        member is null && room is null ? null : JsonSerializer.Serialize(new EventPayload(member, room), StoredJson.Default.EventPayload);

    public static (RoomMember? Member, RoomInfo? Room) ReadPayload(string? json) =>
        json is null ? default : JsonSerializer.Deserialize(json, StoredJson.Default.EventPayload) is { } payload ? (payload.Member, payload.RoomInfo) : default;

    /// <summary>
    /// The summary clients see, from every (reaction, user) of a message in the order they were added: reactions in
    /// the order they first appeared, each with its count and its first users.
    /// </summary>
    public static Reaction[] SummarizeReactions(IEnumerable<(string Reaction, string UserId)> rows)
    {
        var order = new List<string>();
        var users = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (reaction, userId) in rows)
        {
            if (!counts.TryGetValue(reaction, out var count))
            {
                order.Add(reaction);
                users[reaction] = [];
            }

            counts[reaction] = count + 1;
            if (users[reaction].Count < ChatLimits.MaxReactionUserIds)
            {
                users[reaction].Add(userId);
            }
        }

        return [.. order.Select(reaction => new Reaction(reaction, counts[reaction], [.. users[reaction]]))];
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Reaction[]))]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(StoredAttachment[]))]
internal sealed partial class StoredJson : JsonSerializerContext;

internal sealed record EventPayload(RoomMember? Member, RoomInfo? RoomInfo);

/// <summary>An attachment as a message row keeps it: without its URL, which is signed on every read.</summary>
public sealed record StoredAttachment(string Id, string FileName, string ContentType, long Size, int? Width, int? Height);
