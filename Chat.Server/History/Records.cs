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

    /// <summary>
    /// The attachments as posted (a JSON array of <see cref="Chat.Shared.Attachment"/> without URLs, which are signed on
    /// every read); null when none and after a delete. <see cref="AttachmentRecord"/> rows are the files' truth.
    /// </summary>
    public string? Attachments { get; set; }
}

/// <summary>
/// An uploaded file. It exists only once its bytes are wholly stored, so no message can name half a file. It belongs
/// to its uploader until a post claims it (room and message set in the post's transaction); unposted ones expire.
/// </summary>
public sealed class AttachmentRecord
{
    public required string Id { get; init; }
    public required string OwnerId { get; init; }
    public required string FileName { get; init; }

    /// <summary>Detected from the bytes at upload.</summary>
    public required string ContentType { get; init; }

    public long Size { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public DateTime UploadedAt { get; init; }

    /// <summary>The room of the message that posted it; null while unposted.</summary>
    public string? Room { get; set; }

    /// <summary>The sequence of the message that posted it; null while unposted.</summary>
    public long? MessageSequence { get; set; }
}

/// <summary>A piece of an attachment's bytes, when <c>Attachments:Store</c> is the history database.</summary>
public sealed class AttachmentChunkRecord
{
    public required string AttachmentId { get; init; }
    public int Index { get; init; }
    public required byte[] Data { get; init; }
}

/// <summary>
/// A room: its settings and counters. <see cref="LastSequence"/> and <see cref="LastEventSequence"/> are its
/// allocators. Rooms made before conversations are public and have no owner (administrators moderate them).
/// </summary>
public sealed class RoomRecord
{
    public required string Name { get; init; }
    public long LastSequence { get; set; }
    public long LastEventSequence { get; set; }
    public string Kind { get; set; } = Chat.Shared.RoomKinds.Public;
    public string? Title { get; set; }
    public string? Topic { get; set; }
    public int SlowModeSeconds { get; set; }

    /// <summary>
    /// The latest end of any mute in the room (UTC ticks; 0: none). The send path reads it with the counters it
    /// allocates anyway, so a room without slow mode or mutes costs posting nothing more.
    /// </summary>
    public long MutedUntilTicks { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// How many lasting members the room has, and how many of them are owners. The store keeps both (triggers on
    /// <c>room_members</c>, made by the <c>MemberCounts</c> migrations, whichever statement writes the rows), so nothing
    /// counts a room's members row by row: reading them costs the same in a room of ten or of a hundred thousand. A
    /// later SQLite migration that rebuilds <c>room_members</c> drops its triggers and must create them again
    /// (<c>MemberCountTests</c> would fail).
    /// </summary>
    public int MemberCount { get; set; }

    public int OwnerCount { get; set; }
}

/// <summary>A lasting member of a room: the store is the truth of membership, on every node and across restarts.</summary>
public sealed class MemberRecord
{
    public required string Room { get; init; }
    public required string UserId { get; init; }
    public required string UserName { get; set; }
    public required string Role { get; set; }
    public DateTime JoinedAt { get; init; }
    public DateTime? MutedUntil { get; set; }

    /// <summary>When the member last posted, kept only while the room is in slow mode.</summary>
    public DateTime? LastPostedAt { get; set; }

    /// <summary>
    /// The read pointer: every message up to it counts as read. It only moves forward, and a post moves its sender's
    /// to the post, so the member's own messages never lie after it: unread = messages after it, less deleted ones.
    /// </summary>
    public long LastReadSequence { get; set; }

    /// <summary>When the read pointer last moved (null: not since the member joined).</summary>
    public DateTime? LastReadAt { get; set; }
}

/// <summary>
/// A notification of one user. One per (user, message) at most; it goes with its message. Mentions that are still
/// unread are counted from these rows, so a mention costs a row for whom it names, never one per reader.
/// </summary>
public sealed class NotificationRecord
{
    public required string UserId { get; init; }

    /// <summary>Ordered by when it was made (<see cref="Chat.Server.Notifications.NotificationIds"/>), so a user's notifications page by id.</summary>
    public required string Id { get; init; }

    public required string Kind { get; init; }
    public required string Room { get; init; }
    public string? MessageId { get; init; }
    public long? MessageSequence { get; init; }
    public required string FromUserId { get; init; }
    public required string FromUserName { get; init; }
    public required string Preview { get; init; }
    public DateTime At { get; init; }
}

/// <summary>A ban: the user is no member, and every call of theirs on the room answers <c>banned</c> until it ends.</summary>
public sealed class BanRecord
{
    public required string Room { get; init; }
    public required string UserId { get; init; }
    public required string UserName { get; set; }

    /// <summary>When the ban ends; null: for good.</summary>
    public DateTime? Until { get; set; }

    public string? Reason { get; set; }
    public DateTime BannedAt { get; set; }
}

/// <summary>A user who has connected at least once: whom rooms may name (direct rooms, added members, bans).</summary>
public sealed class UserRecord
{
    public required string Id { get; init; }
    public required string Name { get; set; }
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

    /// <summary>The member (as JSON) a <c>member.*</c> event is about, or the room (as JSON) after a <c>room.updated</c>.</summary>
    public string? Payload { get; init; }
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

/// <summary>A bot: a user who acts over the HTTP API with an API key, of which only the hash is kept.</summary>
public sealed class BotRecord
{
    public required string Id { get; init; }

    /// <summary>The user the bot acts as (<c>bot:name</c>): one per bot name, so no two live bots share it.</summary>
    public required string UserId { get; init; }

    public required string Name { get; init; }

    /// <summary>SHA-256 of the API key: what a request's key is looked up by.</summary>
    public required byte[] KeyHash { get; init; }

    /// <summary>The administrator who created it.</summary>
    public required string CreatedBy { get; init; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// A webhook: where changes go, which ones, and its delivery state, shared by every node. The secret is kept as is:
/// signing needs it (HMAC), unlike an API key that only has to be recognised.
/// </summary>
public sealed class WebhookRecord
{
    public required string Id { get; init; }
    public required string Url { get; init; }

    /// <summary>The <see cref="Chat.Shared.RoomEventTypes"/> delivered, as a JSON array.</summary>
    public required string Events { get; init; }

    /// <summary>The rooms delivered as a JSON array; null: every room.</summary>
    public string? Rooms { get; init; }

    public required string Secret { get; init; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }

    /// <summary>Set when it failed for longer than the retry horizon; nothing is delivered after.</summary>
    public DateTime? DisabledAt { get; set; }

    /// <summary>The first failure since the last success; null while healthy.</summary>
    public DateTime? FailingSince { get; set; }

    /// <summary>Failed attempts since the last success: the exponent of the backoff.</summary>
    public int Failures { get; set; }

    /// <summary>No attempt before this while failing.</summary>
    public DateTime? NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>The node delivering it, until <see cref="LeaseUntil"/>: one node at a time keeps each room in order.</summary>
    public string? LeaseOwner { get; set; }

    public DateTime LeaseUntil { get; set; }
}

/// <summary>How far a webhook got in one room's change log: every change up to it was answered 2xx (or filtered out).</summary>
public sealed class WebhookCursorRecord
{
    public required string WebhookId { get; init; }
    public required string Room { get; init; }
    public long LastEventSequence { get; set; }
}
