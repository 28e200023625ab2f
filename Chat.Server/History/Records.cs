namespace Chat.Server.History;

/// <summary>
/// A stored message, as it is now. The primary key (room, sequence) keeps a room's history contiguous on disk.
/// A deleted message keeps only what makes it a tombstone: its text, mentions and reactions are gone from the row.
/// </summary>
public sealed class MessageRecord
{
    public required string Room { get; init; }
    public long Sequence { get; set; }
    public required string Id { get; init; }
    public required string SenderId { get; init; }
    public required string SenderName { get; init; }
    public required string Content { get; set; }
    public DateTime SentAt { get; init; }
    public string? ClientMessageId { get; init; }

    /// <summary>The change that posted the message: its <c>message.posted</c> entry in the room's change log.</summary>
    public long PostedEventSequence { get; set; }

    /// <summary>The change that last touched the message.</summary>
    public long EventSequence { get; set; }

    public DateTime? EditedAt { get; set; }
    public DateTime? DeletedAt { get; set; }

    /// <summary>The sequence of the message this one answers (same room).</summary>
    public long? ReplyToSequence { get; set; }

    /// <summary>Mentioned user ids as a JSON array; null when none.</summary>
    public string? Mentions { get; set; }

    /// <summary>
    /// The reactions summary as shown to clients (a JSON array of <see cref="Chat.Shared.Reaction"/>), kept on the row
    /// so that reads stay one table; <see cref="ReactionRecord"/> is the truth it is rebuilt from.
    /// </summary>
    public string? Reactions { get; set; }
}

/// <summary>A room's counters. <see cref="LastSequence"/> and <see cref="LastEventSequence"/> are its allocators.</summary>
public sealed class RoomRecord
{
    public required string Name { get; init; }
    public long LastSequence { get; set; }
    public long LastEventSequence { get; set; }
}

/// <summary>
/// A change of a room other than a post (posts are their message rows). It never holds text: events carry their
/// message as it is now, read from the message row, so deleted text leaves no trace in the log.
/// </summary>
public sealed class RoomEventRecord
{
    public required string Room { get; init; }
    public long EventSequence { get; init; }
    public required string Type { get; init; }
    public DateTime At { get; init; }
    public required string ActorId { get; init; }
    public required string ActorName { get; init; }
    public long? MessageSequence { get; init; }
    public string? Reaction { get; init; }
}

/// <summary>One user's reaction on one message: the truth behind <see cref="MessageRecord.Reactions"/>.</summary>
public sealed class ReactionRecord
{
    public required string Room { get; init; }
    public long MessageSequence { get; init; }
    public required string Reaction { get; init; }
    public required string UserId { get; init; }

    /// <summary>Orders the reactions and who reacted first.</summary>
    public long AddedEventSequence { get; init; }
}
