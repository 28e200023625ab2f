using MessagePack;

namespace Chat.Shared;

// Every DTO is a MessagePack map with the same camelCase string keys as the JSON protocol,
// so a JS client sees one shape whichever protocol it picks. Times are UTC DateTime values:
// JSON writes ISO 8601 with 'Z', MessagePack writes its timestamp extension (a Date in JS).

/// <summary>A stored chat message.</summary>
/// <param name="Id">Server-assigned unique id.</param>
/// <param name="Room">The room (lower case).</param>
/// <param name="Sequence">Per-room sequence: starts at 1, no gaps, no duplicates.</param>
/// <param name="SenderId">The sender's user id.</param>
/// <param name="SenderName">The sender's display name.</param>
/// <param name="Content">The trimmed message text.</param>
/// <param name="SentAt">When the server accepted the message (UTC, millisecond precision).</param>
/// <param name="ClientMessageId">The sender's idempotency id, if any.</param>
[MessagePackObject]
public sealed record ChatMessage(
    [property: Key("id")] string Id,
    [property: Key("room")] string Room,
    [property: Key("sequence")] long Sequence,
    [property: Key("senderId")] string SenderId,
    [property: Key("senderName")] string SenderName,
    [property: Key("content")] string Content,
    [property: Key("sentAt")] DateTime SentAt,
    [property: Key("clientMessageId")] string? ClientMessageId);

/// <summary>The answer to <see cref="IChatHub.JoinRoom"/>.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="Members">Who is in the room now, the caller included.</param>
/// <param name="RecentMessages">Up to 50 latest messages, oldest first.</param>
/// <param name="LastSequence">The room's latest sequence (0 when it has no history).</param>
[MessagePackObject]
public sealed record JoinResult(
    [property: Key("room")] string Room,
    [property: Key("members")] UserPresence[] Members,
    [property: Key("recentMessages")] ChatMessage[] RecentMessages,
    [property: Key("lastSequence")] long LastSequence);

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
/// <param name="LastSequence">The room's latest sequence (0 when it has no history).</param>
[MessagePackObject]
public sealed record RoomSummary(
    [property: Key("room")] string Room,
    [property: Key("memberCount")] int MemberCount,
    [property: Key("lastSequence")] long LastSequence);

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

/// <summary>The body of <c>POST /api/auth/token</c>.</summary>
/// <param name="UserName">1–32 characters of letters, digits, '_', '-', '.'.</param>
public sealed record GuestTokenRequest(string UserName);

/// <summary>The answer of <c>POST /api/auth/token</c>.</summary>
/// <param name="AccessToken">A JWT to pass as bearer token (or <c>access_token</c> query parameter).</param>
/// <param name="ExpiresAt">When the token expires (UTC).</param>
/// <param name="UserId">The user id the token stands for.</param>
/// <param name="UserName">The display name.</param>
public sealed record GuestTokenResponse(string AccessToken, DateTime ExpiresAt, string UserId, string UserName);
