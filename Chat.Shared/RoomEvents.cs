using MessagePack;

namespace Chat.Shared;

/// <summary>The values of <see cref="RoomEvent.Type"/>: every kind of change in a room's log.</summary>
public static class RoomEventTypes
{
    /// <summary>A message was posted (live as <see cref="IChatClient.MessageReceived"/>).</summary>
    public const string MessagePosted = "message.posted";

    /// <summary>A message's content was edited.</summary>
    public const string MessageEdited = "message.edited";

    /// <summary>A message was deleted; it stays as a tombstone.</summary>
    public const string MessageDeleted = "message.deleted";

    /// <summary>A user added a reaction to a message.</summary>
    public const string ReactionAdded = "reaction.added";

    /// <summary>A user removed their reaction from a message.</summary>
    public const string ReactionRemoved = "reaction.removed";

    /// <summary>A user became a lasting member of the room.</summary>
    public const string MemberAdded = "member.added";

    /// <summary>A user stopped being a member (left for good, removed or banned).</summary>
    public const string MemberRemoved = "member.removed";

    /// <summary>A member's role, ban or mute changed.</summary>
    public const string MemberUpdated = "member.updated";

    /// <summary>The room's title, topic or slow mode changed.</summary>
    public const string RoomUpdated = "room.updated";

    /// <summary>Every type above: what a webhook may ask for.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        MessagePosted, MessageEdited, MessageDeleted, ReactionAdded, ReactionRemoved,
        MemberAdded, MemberRemoved, MemberUpdated, RoomUpdated,
    ];
}

/// <summary>
/// One change of a room: the envelope of <see cref="IChatClient.RoomChanged"/> and of
/// <see cref="IChatHub.GetEventsSince"/>. Exactly the parts its <see cref="Type"/> needs are set.
/// </summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="EventSequence">The room's change counter: starts at 1, no gaps, no duplicates.</param>
/// <param name="Type">One of <see cref="RoomEventTypes"/>.</param>
/// <param name="At">When the change was stored (UTC).</param>
/// <param name="ActorId">Who made the change.</param>
/// <param name="ActorName">The actor's display name.</param>
/// <param name="Message">The message the change is about, as it is now (a tombstone once deleted).</param>
/// <param name="MessageId">The id of that message.</param>
/// <param name="Reaction">
/// The reaction added or removed; null when replayed after the message was deleted (a deleted message keeps no
/// trace of what it held).
/// </param>
/// <param name="Member">The member added, removed or updated.</param>
/// <param name="RoomInfo">The room as it is after a <c>room.updated</c>.</param>
[MessagePackObject]
public sealed record RoomEvent(
    [property: Key("room")] string Room,
    [property: Key("eventSequence")] long EventSequence,
    [property: Key("type")] string Type,
    [property: Key("at")] DateTime At,
    [property: Key("actorId")] string ActorId,
    [property: Key("actorName")] string ActorName,
    [property: Key("message")] ChatMessage? Message = null,
    [property: Key("messageId")] string? MessageId = null,
    [property: Key("reaction")] string? Reaction = null,
    [property: Key("member")] RoomMember? Member = null,
    [property: Key("roomInfo")] RoomInfo? RoomInfo = null);

/// <summary>The answer to <see cref="IChatHub.GetEventsSince"/>.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="Events">Changes after the asked one, oldest first (<c>message.posted</c> included).</param>
/// <param name="LastEventSequence">The room's latest change when the page was read.</param>
/// <param name="ResetRequired">
/// More changes are missing than the server replays: <see cref="Events"/> is empty, and the client reloads the room
/// (<see cref="IChatHub.JoinRoom"/>, <see cref="IChatHub.GetHistory"/>) instead.
/// </param>
[MessagePackObject]
public sealed record EventsPage(
    [property: Key("room")] string Room,
    [property: Key("events")] RoomEvent[] Events,
    [property: Key("lastEventSequence")] long LastEventSequence,
    [property: Key("resetRequired")] bool ResetRequired);

/// <summary>The body of <see cref="IChatHub.PostMessage"/>.</summary>
/// <param name="Content">1–4000 characters after trimming (may be empty when attachments are given).</param>
/// <param name="ClientMessageId">Optional id (≤ 128 characters) that makes a retry idempotent for this user.</param>
/// <param name="ReplyToId">The id of a message of the same room this one answers.</param>
/// <param name="Mentions">User ids mentioned on purpose (at most 50).</param>
/// <param name="AttachmentIds">Uploaded attachments to attach (at most 10).</param>
[MessagePackObject]
public sealed record PostMessageRequest(
    [property: Key("content")] string? Content,
    [property: Key("clientMessageId")] string? ClientMessageId = null,
    [property: Key("replyToId")] string? ReplyToId = null,
    [property: Key("mentions")] string[]? Mentions = null,
    [property: Key("attachmentIds")] string[]? AttachmentIds = null);
