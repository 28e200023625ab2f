using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.Conversations;

/// <summary>What a caller wants to do in a room; <see cref="RoomRules"/> decides whether they may.</summary>
public enum RoomAction
{
    /// <summary>History, changes, presence, members, the room's summary.</summary>
    Read,

    /// <summary>Subscribe a connection to the room.</summary>
    Join,

    /// <summary>Post, edit or react.</summary>
    Change,

    /// <summary>Start typing.</summary>
    Type,

    /// <summary>Update the room, delete others' messages, kick, ban, unban, mute.</summary>
    Moderate,

    /// <summary>Add members.</summary>
    AddMembers,

    /// <summary>Give roles.</summary>
    ManageRoles,

    /// <summary>Place a call: members of a direct room only, administrators included.</summary>
    Call,
}

/// <summary>What is known of a user in a room: the room's kind (null: no such room yet), their membership and ban.</summary>
public sealed record RoomFacts(string? Kind, MemberRecord? Member, BanRecord? Ban, bool IsAdmin)
{
    /// <summary>The caller's effective role: administrators act as owners everywhere.</summary>
    public string? Role => IsAdmin ? MemberRoles.Owner : Member?.Role;
}

/// <summary>
/// Who may do what in a room: the one place these rules are written. <see cref="RoomPolicy"/> applies them before a
/// call reaches a service; the change pipeline applies them again inside the transaction that makes a change, to the
/// facts as stored then.
/// </summary>
public static class RoomRules
{
    /// <summary>The refusal of <paramref name="action"/> for a caller with these facts, or null when it is allowed.</summary>
    public static ChatException? Check(RoomFacts facts, RoomAction action, DateTime now)
    {
        if (action == RoomAction.Call && (facts.Kind != RoomKinds.Direct || facts.Member is null))
        {
            return new ChatException(ChatErrorCodes.Forbidden, "calls are between the two members of a direct conversation");
        }

        if (facts.IsAdmin)
        {
            return action is RoomAction.Moderate or RoomAction.AddMembers or RoomAction.ManageRoles && facts.Kind == RoomKinds.Direct
                ? DirectRoomsHaveNoModeration()
                : null;
        }

        if (IsBanned(facts.Ban, now))
        {
            return Banned(facts.Ban!);
        }

        var isPublic = facts.Kind is null or RoomKinds.Public;
        if (!isPublic && facts.Member is null)
        {
            return new ChatException(ChatErrorCodes.Forbidden, "this room is private: only its members may see or use it");
        }

        switch (action)
        {
            case RoomAction.Change or RoomAction.Type when IsMuted(facts.Member, now):
                return Muted(facts.Member!.MutedUntil!.Value);
            case RoomAction.Moderate or RoomAction.AddMembers or RoomAction.ManageRoles when facts.Kind == RoomKinds.Direct:
                return DirectRoomsHaveNoModeration();
            case RoomAction.Moderate or RoomAction.AddMembers when facts.Role is not (MemberRoles.Owner or MemberRoles.Moderator):
                return new ChatException(ChatErrorCodes.Forbidden, "only the room's owners and moderators may do this");
            case RoomAction.ManageRoles when facts.Role != MemberRoles.Owner:
                return new ChatException(ChatErrorCodes.Forbidden, "only the room's owners may give roles");
            default:
                return null;
        }
    }

    /// <summary>
    /// Whether someone of <paramref name="actorRole"/> may kick, ban or mute someone of <paramref name="targetRole"/>:
    /// owners act on anyone, moderators on plain members only.
    /// </summary>
    public static bool Outranks(string? actorRole, string? targetRole) =>
        actorRole == MemberRoles.Owner || (actorRole == MemberRoles.Moderator && targetRole is null or MemberRoles.Member);

    /// <summary>Slow mode binds plain members only.</summary>
    public static bool IsExemptFromSlowMode(string? role) => role is MemberRoles.Owner or MemberRoles.Moderator;

    public static bool IsBanned(BanRecord? ban, DateTime now) => ban is not null && (ban.Until is not { } until || until > now);

    public static bool IsMuted(MemberRecord? member, DateTime now) => member?.MutedUntil is { } until && until > now;

    public static bool IsValidRole(string? role) => role is MemberRoles.Owner or MemberRoles.Moderator or MemberRoles.Member;

    public static ChatException Banned(BanRecord ban) => new(
        ChatErrorCodes.Banned,
        ban.Until is { } until ? $"you are banned from this room until {until:u}" : "you are banned from this room");

    public static ChatException Muted(DateTime until) => new(ChatErrorCodes.Muted, $"you are muted in this room until {until:u}");

    private static ChatException DirectRoomsHaveNoModeration() =>
        new(ChatErrorCodes.Forbidden, "a direct conversation has no moderation: nobody can be added, removed, banned or muted");
}
