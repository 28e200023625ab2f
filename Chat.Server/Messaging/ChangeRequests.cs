using Chat.Server.Rooms;
using Chat.Shared;

namespace Chat.Server.Messaging;

/// <summary>
/// A change of a room, checked for its form and the caller's membership, waiting for the change pipeline. What it
/// does to the stored room is decided by <see cref="BatchPlanner"/> inside the batch's transaction.
/// </summary>
public abstract record ChangeRequest(string Room, ChatUser Actor)
{
    /// <summary>The stored message the change is about (null: a new message).</summary>
    public abstract string? TargetId { get; }
}

/// <summary>A new message: <c>SendMessage</c> and <c>PostMessage</c>.</summary>
public sealed record PostRequest(string Room, ChatUser Actor, string Content, string? ClientMessageId, string? ReplyToId, string[] Mentions)
    : ChangeRequest(Room, Actor)
{
    public override string? TargetId => null;

    /// <summary>Uploads the message claims (distinct, well-formed ids); whose they are is decided in the transaction.</summary>
    public string[] AttachmentIds { get; init; } = [];
}

public sealed record EditRequest(string Room, ChatUser Actor, string MessageId, string Content) : ChangeRequest(Room, Actor)
{
    public override string? TargetId => MessageId;
}

public sealed record DeleteRequest(string Room, ChatUser Actor, string MessageId) : ChangeRequest(Room, Actor)
{
    public override string? TargetId => MessageId;
}

public sealed record ReactionRequest(string Room, ChatUser Actor, string MessageId, string Reaction, bool Add) : ChangeRequest(Room, Actor)
{
    public override string? TargetId => MessageId;
}

/// <summary>A connection joins a public room: the user becomes a lasting member (the room's owner when the join creates it). Not an event of the log.</summary>
public sealed record JoinRequest(string Room, ChatUser Actor) : ChangeRequest(Room, Actor)
{
    public override string? TargetId => null;
}

/// <summary>A user connected: remembered, so that rooms can name them.</summary>
public sealed record UserSeenRequest(ChatUser Actor) : ChangeRequest(string.Empty, Actor)
{
    public override string? TargetId => null;
}

/// <summary><c>CreateRoom</c>: form checked; whether the name is free is decided in the transaction.</summary>
public sealed record NewRoomRequest(string Room, ChatUser Actor, string Kind, string? Title, string? Topic, string[] MemberIds)
    : ChangeRequest(Room, Actor)
{
    public override string? TargetId => null;
}

/// <summary><c>OpenDirect</c>: the room of the two users, created by whichever call comes first.</summary>
public sealed record DirectRoomRequest(string Room, ChatUser Actor, string OtherUserId) : ChangeRequest(Room, Actor)
{
    public override string? TargetId => null;
}

/// <summary><c>UpdateRoom</c>: null leaves a setting as it is; an empty title or topic clears it.</summary>
public sealed record RoomSettingsRequest(string Room, ChatUser Actor, string? Title, string? Topic, int? SlowModeSeconds)
    : ChangeRequest(Room, Actor)
{
    public override string? TargetId => null;
}

/// <summary>A change of one member: adding, removing (leave or kick), a role, a ban, an unban or a mute.</summary>
public sealed record MemberRequest(string Room, ChatUser Actor, MemberChange Change, string UserId) : ChangeRequest(Room, Actor)
{
    public override string? TargetId => null;

    /// <summary>The new role (<see cref="MemberChange.Role"/>).</summary>
    public string? Role { get; init; }

    /// <summary>When a ban or mute ends (null: a ban for good, or unmute).</summary>
    public DateTime? Until { get; init; }

    public string? Reason { get; init; }
}

public enum MemberChange
{
    Add,
    Remove,
    Role,
    Ban,
    Unban,
    Mute,
}

/// <summary>
/// The answer to a change: the message as it is now (message changes), the member or room as it is now (membership
/// changes), and the events it made (none: it changed nothing).
/// </summary>
public sealed record ChangeResult(ChatMessage? Message, IReadOnlyList<RoomEvent> Events, RoomMember? Member = null, RoomInfo? Room = null)
{
    /// <summary>Whom the change notified, each sent live to that user once it is stored.</summary>
    public IReadOnlyList<Chat.Server.History.NotificationRecord> Notifications { get; init; } = [];
}
