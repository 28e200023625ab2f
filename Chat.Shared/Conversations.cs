using MessagePack;

namespace Chat.Shared;

/// <summary>The values of <see cref="RoomInfo.Kind"/>.</summary>
public static class RoomKinds
{
    /// <summary>Anyone signed in may read and join (every v1 room).</summary>
    public const string Public = "public";

    /// <summary>Only members read or join.</summary>
    public const string Private = "private";

    /// <summary>A conversation of exactly two users.</summary>
    public const string Direct = "direct";
}

/// <summary>The values of <see cref="RoomMember.Role"/>.</summary>
public static class MemberRoles
{
    /// <summary>Created the room (or was made owner): every right in it.</summary>
    public const string Owner = "owner";

    /// <summary>May moderate: delete others' messages, kick, ban, mute, update the room.</summary>
    public const string Moderator = "moderator";

    /// <summary>A plain member.</summary>
    public const string Member = "member";
}

/// <summary>A lasting member of a room.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="UserId">The member's user id.</param>
/// <param name="UserName">The member's display name.</param>
/// <param name="Role">One of <see cref="MemberRoles"/>.</param>
/// <param name="JoinedAt">When the user became a member (UTC).</param>
/// <param name="MutedUntil">Until when the member may not post, edit, react or type (UTC), or null.</param>
/// <param name="Banned">
/// Set in the <c>member.removed</c> or <c>member.updated</c> event of a ban; false again in the <c>member.updated</c>
/// of an unban. A banned user is no member: <see cref="Role"/> is then the role they had, or <c>member</c>.
/// </param>
/// <param name="BannedUntil">When the ban ends (UTC); null with <see cref="Banned"/> means for good.</param>
/// <param name="BanReason">The moderator's reason for the ban, if one was given.</param>
[MessagePackObject]
public sealed record RoomMember(
    [property: Key("room")] string Room,
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("role")] string Role,
    [property: Key("joinedAt")] DateTime JoinedAt,
    [property: Key("mutedUntil")] DateTime? MutedUntil,
    [property: Key("banned")] bool Banned = false,
    [property: Key("bannedUntil")] DateTime? BannedUntil = null,
    [property: Key("banReason")] string? BanReason = null);

/// <summary>A room's settings and counters.</summary>
/// <param name="Room">The room (lower case).</param>
/// <param name="Kind">One of <see cref="RoomKinds"/>.</param>
/// <param name="Title">A title for people, or null.</param>
/// <param name="Topic">A topic, or null.</param>
/// <param name="MemberCount">Lasting members.</param>
/// <param name="SlowModeSeconds">Seconds a plain member waits between posts (0: off).</param>
/// <param name="LastSequence">The room's latest message sequence.</param>
/// <param name="LastEventSequence">The room's latest change.</param>
/// <param name="CreatedAt">When the room was created (UTC).</param>
/// <param name="Members">Both members, for direct rooms only.</param>
[MessagePackObject]
public sealed record RoomInfo(
    [property: Key("room")] string Room,
    [property: Key("kind")] string Kind,
    [property: Key("title")] string? Title,
    [property: Key("topic")] string? Topic,
    [property: Key("memberCount")] int MemberCount,
    [property: Key("slowModeSeconds")] int SlowModeSeconds,
    [property: Key("lastSequence")] long LastSequence,
    [property: Key("lastEventSequence")] long LastEventSequence,
    [property: Key("createdAt")] DateTime CreatedAt,
    [property: Key("members")] RoomMember[]? Members);

/// <summary>The body of <see cref="IChatHub.CreateRoom"/>.</summary>
/// <param name="Room">The new room's name (room name rules; names starting with <c>dm-</c> are kept for direct rooms).</param>
/// <param name="Kind"><see cref="RoomKinds.Public"/> or <see cref="RoomKinds.Private"/>.</param>
/// <param name="Title">A title for people (at most <see cref="ChatLimits.MaxRoomTitleLength"/> characters).</param>
/// <param name="Topic">A topic (at most <see cref="ChatLimits.MaxRoomTopicLength"/> characters).</param>
/// <param name="MemberIds">Users to add as members from the start (at most <see cref="ChatLimits.MaxMembersOnCreate"/>).</param>
[MessagePackObject]
public sealed record CreateRoomRequest(
    [property: Key("room")] string Room,
    [property: Key("kind")] string Kind,
    [property: Key("title")] string? Title = null,
    [property: Key("topic")] string? Topic = null,
    [property: Key("memberIds")] string[]? MemberIds = null);

/// <summary>The body of <see cref="IChatHub.UpdateRoom"/>: an absent (null) field stays as it is; an empty text clears it.</summary>
/// <param name="Title">A title for people.</param>
/// <param name="Topic">A topic.</param>
/// <param name="SlowModeSeconds">0–3600: each plain member may post once per that many seconds (0: off).</param>
[MessagePackObject]
public sealed record UpdateRoomRequest(
    [property: Key("title")] string? Title = null,
    [property: Key("topic")] string? Topic = null,
    [property: Key("slowModeSeconds")] int? SlowModeSeconds = null);

/// <summary>One of the caller's rooms, as <see cref="IChatHub.ListMyRooms"/> lists it.</summary>
/// <param name="Room">The room's settings and counters.</param>
/// <param name="Role">The caller's role there (one of <see cref="MemberRoles"/>).</param>
/// <param name="LastReadSequence">The caller's read pointer in the room.</param>
/// <param name="UnreadCount">Others' messages after the read pointer that are not deleted.</param>
/// <param name="MentionCount">Those of them that mention the caller.</param>
/// <param name="LastMessage">The room's newest message, or null.</param>
[MessagePackObject]
public sealed record MyRoom(
    [property: Key("room")] RoomInfo Room,
    [property: Key("role")] string Role,
    [property: Key("lastReadSequence")] long LastReadSequence,
    [property: Key("unreadCount")] int UnreadCount,
    [property: Key("mentionCount")] int MentionCount,
    [property: Key("lastMessage")] ChatMessage? LastMessage);
