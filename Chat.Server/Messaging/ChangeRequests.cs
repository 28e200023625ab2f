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

/// <summary>The answer to a change: the message as it is now, and the change's event (null: it changed nothing).</summary>
public sealed record ChangeResult(ChatMessage Message, RoomEvent? Event);
