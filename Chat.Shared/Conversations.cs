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
/// <param name="MutedUntil">Until when the member may not post (UTC), or null.</param>
[MessagePackObject]
public sealed record RoomMember(
    [property: Key("room")] string Room,
    [property: Key("userId")] string UserId,
    [property: Key("userName")] string UserName,
    [property: Key("role")] string Role,
    [property: Key("joinedAt")] DateTime JoinedAt,
    [property: Key("mutedUntil")] DateTime? MutedUntil);

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
