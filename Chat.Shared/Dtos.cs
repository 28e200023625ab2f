using System.Text.Json.Serialization;
using MessagePack;

namespace Chat.Shared;

// Every DTO is a MessagePack map with the same camelCase string keys as the JSON protocol,
// so a JS client sees one shape whichever protocol it picks. Times are UTC DateTime values:
// JSON writes ISO 8601 with 'Z', MessagePack writes its timestamp extension (a Date in JS).

/// <summary>A stored chat message, as it is now (after every edit, delete and reaction).</summary>
/// <param name="Id">Server-assigned unique id.</param>
/// <param name="Room">The room (lower case).</param>
/// <param name="Sequence">Per-room message sequence: starts at 1, no gaps, no duplicates.</param>
/// <param name="SenderId">The sender's user id.</param>
/// <param name="SenderName">The sender's display name.</param>
/// <param name="Content">The trimmed message text; empty once deleted.</param>
/// <param name="SentAt">When the server accepted the message (UTC, millisecond precision).</param>
/// <param name="ClientMessageId">The sender's idempotency id, if any.</param>
/// <param name="EventSequence">
/// The room change that last touched this message (posting, an edit, a delete or a reaction): keep a copy only
/// if it is newer than the one you have.
/// </param>
/// <param name="EditedAt">When the content was last edited (UTC), or null.</param>
/// <param name="DeletedAt">When the message was deleted (UTC), or null: then it is a tombstone.</param>
/// <param name="ReplyTo">The message this one answers, as it is now, or null.</param>
/// <param name="Mentions">User ids mentioned on purpose by the sender.</param>
/// <param name="Reactions">Reactions, in the order they were first added.</param>
/// <param name="Attachments">Files attached to the message.</param>
[MessagePackObject]
public sealed record ChatMessage(
    [property: Key("id")] string Id,
    [property: Key("room")] string Room,
    [property: Key("sequence")] long Sequence,
    [property: Key("senderId")] string SenderId,
    [property: Key("senderName")] string SenderName,
    [property: Key("content")] string Content,
    [property: Key("sentAt")] DateTime SentAt,
    [property: Key("clientMessageId")] string? ClientMessageId,
    [property: Key("eventSequence")] long EventSequence,
    [property: Key("editedAt")] DateTime? EditedAt,
    [property: Key("deletedAt")] DateTime? DeletedAt,
    [property: Key("replyTo")] MessageRef? ReplyTo,
    [property: Key("mentions")] string[] Mentions,
    [property: Key("reactions")] Reaction[] Reactions,
    [property: Key("attachments")] Attachment[] Attachments)
{
    /// <summary>Whether the message was deleted (a tombstone).</summary>
    [IgnoreMember]
    public bool IsDeleted => DeletedAt is not null;

    /// <summary>Value equality, lists included: two copies of one message state are equal wherever they came from.</summary>
    public bool Equals(ChatMessage? other) =>
        other is not null
        && Id == other.Id && Room == other.Room && Sequence == other.Sequence && SenderId == other.SenderId
        && SenderName == other.SenderName && Content == other.Content && SentAt == other.SentAt
        && ClientMessageId == other.ClientMessageId && EventSequence == other.EventSequence
        && EditedAt == other.EditedAt && DeletedAt == other.DeletedAt && Equals(ReplyTo, other.ReplyTo)
        && Lists.Equal(Mentions, other.Mentions) && Lists.Equal(Reactions, other.Reactions)
        && Lists.Equal(Attachments, other.Attachments);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Room, Sequence, EventSequence);
}

/// <summary>The message a reply answers, as it is now.</summary>
/// <param name="Id">The replied-to message's id.</param>
/// <param name="Sequence">Its sequence in the room.</param>
/// <param name="SenderName">Its sender's display name.</param>
/// <param name="Preview">Its first 100 characters; empty once it is deleted.</param>
[MessagePackObject]
public sealed record MessageRef(
    [property: Key("id")] string Id,
    [property: Key("sequence")] long Sequence,
    [property: Key("senderName")] string SenderName,
    [property: Key("preview")] string Preview);

/// <summary>One reaction on a message and who reacted with it.</summary>
/// <param name="Value">The reaction: an emoji or a <c>:short_name:</c> (the wire name is <c>reaction</c>).</param>
/// <param name="Count">How many users reacted with it.</param>
/// <param name="UserIds">The first users (at most 10) who reacted with it, in order.</param>
[MessagePackObject]
public sealed record Reaction(
    [property: Key("reaction"), JsonPropertyName("reaction")] string Value,
    [property: Key("count")] int Count,
    [property: Key("userIds")] string[] UserIds)
{
    /// <summary>Value equality, the user list included.</summary>
    public bool Equals(Reaction? other) =>
        other is not null && Value == other.Value && Count == other.Count && Lists.Equal(UserIds, other.UserIds);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Value, Count);
}

/// <summary>A file attached to a message.</summary>
/// <param name="Id">The attachment id.</param>
/// <param name="FileName">The name it was uploaded with.</param>
/// <param name="ContentType">The type detected from its bytes (never the one the uploader claimed).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Width">Image width in pixels, for images.</param>
/// <param name="Height">Image height in pixels, for images.</param>
/// <param name="Url">
/// A signed URL that fetches it, relative to the server's address; valid for at least
/// <see cref="ChatLimits.AttachmentUrlLifetime"/> and signed again on every read.
/// </param>
[MessagePackObject]
public sealed record Attachment(
    [property: Key("id")] string Id,
    [property: Key("fileName")] string FileName,
    [property: Key("contentType")] string ContentType,
    [property: Key("size")] long Size,
    [property: Key("width")] int? Width,
    [property: Key("height")] int? Height,
    [property: Key("url")] string Url);

/// <summary>The answer to <see cref="IChatHub.JoinRoom"/>.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="Members">Who is in the room now: the caller first, at most <see cref="ChatLimits.MaxPresenceListed"/> users.</param>
/// <param name="RecentMessages">Up to 50 latest messages, oldest first.</param>
/// <param name="LastSequence">The room's latest message sequence (0 when it has no history).</param>
/// <param name="LastEventSequence">The room's latest change (0 when nothing happened in it yet).</param>
/// <param name="MemberCount">Users in the room now, all of them (also beyond those listed).</param>
[MessagePackObject]
public sealed record JoinResult(
    [property: Key("room")] string Room,
    [property: Key("members")] UserPresence[] Members,
    [property: Key("recentMessages")] ChatMessage[] RecentMessages,
    [property: Key("lastSequence")] long LastSequence,
    [property: Key("lastEventSequence")] long LastEventSequence,
    [property: Key("memberCount")] int MemberCount);

/// <summary>A user's presence.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="UserName">The display name.</param>
/// <param name="Status"><see cref="PresenceStatus.Online"/> or <see cref="PresenceStatus.Offline"/>.</param>
[MessagePackObject]
public sealed record UserPresence(
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("status")] string Status);

/// <summary>A room and how busy it is.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="MemberCount">Distinct users in the room now.</param>
/// <param name="LastSequence">The room's latest message sequence (0 when it has no history).</param>
/// <param name="LastEventSequence">The room's latest change (0 when nothing happened in it yet).</param>
[MessagePackObject]
public sealed record RoomSummary(
    [property: Key("room")] string Room,
    [property: Key("memberCount")] int MemberCount,
    [property: Key("lastSequence")] long LastSequence,
    [property: Key("lastEventSequence")] long LastEventSequence);

/// <summary>A user joined or left a room.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="UserId">The user id.</param>
/// <param name="UserName">The display name.</param>
/// <param name="At">When it happened (UTC).</param>
[MessagePackObject]
public sealed record RoomMemberEvent(
    [property: Key("room")] string Room,
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("at")] DateTime At);

/// <summary>A user started or stopped typing.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="UserId">The user id.</param>
/// <param name="UserName">The display name.</param>
/// <param name="IsTyping">Whether the user is typing now.</param>
[MessagePackObject]
public sealed record TypingNotice(
    [property: Key("room")] string Room,
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("isTyping")] bool IsTyping);

/// <summary>A user came online (first connection) or went offline (last connection closed).</summary>
/// <param name="UserId">The user id.</param>
/// <param name="UserName">The display name.</param>
/// <param name="Status"><see cref="PresenceStatus.Online"/> or <see cref="PresenceStatus.Offline"/>.</param>
/// <param name="At">When it happened (UTC).</param>
[MessagePackObject]
public sealed record PresenceChange(
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("status")] string Status,
    [property: Key("at")] DateTime At);

/// <summary>
/// How busy a large room is: sent instead of per-user <c>UserJoined</c>, <c>UserLeft</c>, <c>PresenceChanged</c> and
/// <c>TypingChanged</c> once the room has <see cref="ChatLimits.DefaultLargeRoomThreshold"/> users online (the
/// server's <c>Rooms:LargeRoomThreshold</c>), at most once a second and only when a figure changed. When the room
/// turns small again (below nine tenths of the threshold) one last report carries its counts, and per-user events
/// follow from then on.
/// </summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="MemberCount">Users online in the room now.</param>
/// <param name="TypingCount">Of them, how many are typing.</param>
[MessagePackObject]
public sealed record RoomActivity(
    [property: Key("room")] string Room,
    [property: Key("memberCount")] int MemberCount,
    [property: Key("typingCount")] int TypingCount);

/// <summary>The body of <c>POST /api/auth/token</c>.</summary>
/// <param name="UserName">1–32 characters of letters, digits, '_', '-', '.'.</param>
public sealed record GuestTokenRequest(string UserName);

/// <summary>The answer of <c>POST /api/auth/token</c>.</summary>
/// <param name="AccessToken">A JWT to pass as bearer token (or <c>access_token</c> query parameter).</param>
/// <param name="ExpiresAt">When the token expires (UTC).</param>
/// <param name="UserId">The user id the token stands for.</param>
/// <param name="UserName">The display name.</param>
public sealed record GuestTokenResponse(string AccessToken, DateTime ExpiresAt, string UserId, string UserName);

/// <summary>Element-wise equality of the lists inside DTOs (records compare arrays by reference).</summary>
internal static class Lists
{
    public static bool Equal<T>(T[]? left, T[]? right) =>
        ReferenceEquals(left, right) || (left is not null && right is not null && left.AsSpan().SequenceEqual(right));
}
