using Chat.Shared;

namespace Chat.Server.History;

/// <summary>A stored message. The primary key (room, sequence) keeps a room's history contiguous on disk.</summary>
public sealed class MessageRecord
{
    public required string Room { get; init; }
    public long Sequence { get; set; }
    public required string Id { get; init; }
    public required string SenderId { get; init; }
    public required string SenderName { get; init; }
    public required string Content { get; init; }
    public DateTime SentAt { get; init; }
    public string? ClientMessageId { get; init; }

    public ChatMessage ToMessage() => new(Id, Room, Sequence, SenderId, SenderName, Content, SentAt, ClientMessageId);
}

/// <summary>A room with history. <see cref="LastSequence"/> is the allocator of the room's sequence.</summary>
public sealed class RoomRecord
{
    public required string Name { get; init; }
    public long LastSequence { get; set; }
}
