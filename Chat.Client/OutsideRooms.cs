using Chat.Shared;

namespace Chat.Client;

/// <summary>
/// This user's membership changes in rooms the client does not follow (not joined, or dropped): the server sends every
/// <c>member.*</c> change to all of a user's connections, so that a user hears of a room they were added to, and of a
/// removal after their connections left the room. Such a change has no room log to order it here; this remembers the
/// newest one per room, so that each is raised once and a stale one (a repeat, or one overtaken by a newer change) not
/// at all. Pure bookkeeping; not thread-safe: the owner locks.
/// </summary>
internal sealed class OutsideRooms
{
    private readonly Dictionary<string, long> _newest = new(StringComparer.Ordinal);

    // Rooms dropped because the server refused them: their removal was reported without its change, so the change
    // itself, should it still arrive, is not reported again.
    private readonly HashSet<string> _removalReported = new(StringComparer.Ordinal);

    /// <summary>A <c>member.*</c> change about <paramref name="userId"/> (false when the user is not known).</summary>
    public static bool IsAbout(RoomEvent change, string? userId) =>
        userId is not null
        && change.Member?.UserId == userId
        && change.Type is RoomEventTypes.MemberAdded or RoomEventTypes.MemberRemoved or RoomEventTypes.MemberUpdated;

    /// <summary>
    /// The client stopped following a room it had joined, having delivered its changes up to
    /// <paramref name="delivered"/>. <paramref name="removalReported"/>: the user's removal was reported already, although
    /// its change is newer than <paramref name="delivered"/> (the server refused the room).
    /// </summary>
    public void Dropped(string room, long delivered, bool removalReported)
    {
        if (!_newest.TryGetValue(room, out var newest) || delivered > newest)
        {
            _newest[room] = delivered;
        }

        if (removalReported)
        {
            _removalReported.Add(room);
        }
    }

    /// <summary>Whether to raise <paramref name="change"/> (about this user, of a room not followed); it is recorded either way.</summary>
    public bool Take(RoomEvent change)
    {
        if (_newest.TryGetValue(change.Room, out var newest) && change.EventSequence <= newest)
        {
            return false;
        }

        _newest[change.Room] = change.EventSequence;
        if (change.Type == RoomEventTypes.MemberAdded)
        {
            // Back in: a later removal is news again.
            _removalReported.Remove(change.Room);
            return true;
        }

        return change.Type != RoomEventTypes.MemberRemoved || !_removalReported.Remove(change.Room);
    }
}
