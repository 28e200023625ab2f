using MessagePack;

namespace Chat.Shared;

/// <summary>The values of <see cref="Notification.Kind"/>. A message that is several of them to one user notifies once, as the first that applies.</summary>
public static class NotificationKinds
{
    /// <summary>Someone mentioned the user.</summary>
    public const string Mention = "mention";

    /// <summary>Someone replied to the user's message.</summary>
    public const string Reply = "reply";

    /// <summary>Someone wrote to the user in a direct room.</summary>
    public const string Direct = "direct";

    /// <summary>Someone added the user to a room.</summary>
    public const string Added = "added";
}

/// <summary>The caller's read state in a room: <see cref="IChatHub.MarkRead"/>'s answer and <see cref="IChatClient.ReadStateChanged"/>.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="LastReadSequence">The read pointer: every message up to this sequence is read. It only moves forward.</param>
/// <param name="UnreadCount">Others' messages after the read pointer that are not deleted.</param>
/// <param name="MentionCount">Those of them that mention the user.</param>
[MessagePackObject]
public sealed record ReadState(
    [property: Key("room")] string Room,
    [property: Key("lastReadSequence")] long LastReadSequence,
    [property: Key("unreadCount")] int UnreadCount,
    [property: Key("mentionCount")] int MentionCount);

/// <summary>How far one member has read ("seen by"), in rooms of at most <c>ReadState:ReceiptsMaxMembers</c> members.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="UserId">The member.</param>
/// <param name="UserName">The member's display name.</param>
/// <param name="LastReadSequence">The member's read pointer.</param>
/// <param name="At">When it last moved (UTC).</param>
[MessagePackObject]
public sealed record ReadReceipt(
    [property: Key("room")] string Room,
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("lastReadSequence")] long LastReadSequence,
    [property: Key("at")] DateTime At);

/// <summary>Something that concerns the user, stored for them and sent live to each of their connections.</summary>
/// <param name="Id">Orders a user's notifications (newer ones sort after older ones); the key for paging.</param>
/// <param name="Kind">One of <see cref="NotificationKinds"/>.</param>
/// <param name="Room">The room it happened in.</param>
/// <param name="MessageId">The message (all kinds but <c>added</c>).</param>
/// <param name="Sequence">The message's sequence in its room.</param>
/// <param name="FromUserId">Who did it.</param>
/// <param name="FromUserName">Their display name.</param>
/// <param name="Preview">The message's start (at most <see cref="ChatLimits.MaxReplyPreviewLength"/> characters), or the room's title for <c>added</c>.</param>
/// <param name="At">When it happened (UTC).</param>
[MessagePackObject]
public sealed record Notification(
    [property: Key("id")] string Id,
    [property: Key("kind")] string Kind,
    [property: Key("room")] string Room,
    [property: Key("messageId")] string? MessageId,
    [property: Key("sequence")] long? Sequence,
    [property: Key("fromUserId")] string FromUserId,
    [property: Key("fromUserName")] string FromUserName,
    [property: Key("preview")] string Preview,
    [property: Key("at")] DateTime At);
