using Chat.Server.Rooms;
using Chat.Shared;

namespace Chat.Server.Presence;

/// <summary>What a closed connection changed.</summary>
/// <param name="WentOffline">It was the user's last connection anywhere.</param>
/// <param name="RoomsLeft">Rooms where it was the user's last connection.</param>
public sealed record DisconnectOutcome(bool WentOffline, IReadOnlyList<string> RoomsLeft);

/// <summary>
/// Who is connected and who is in which room across the deployment, so that a user is online while any connection
/// is, and in a room while any connection has joined it. Each call first gets this node's own verdict from
/// <see cref="ConnectionRegistry"/> (the node's truth): one node answers with it; a cluster decides in Redis, and
/// falls back to it while Redis is away.
/// </summary>
public interface IPresenceTracker
{
    /// <summary>Records a connection. Returns true when it is the user's first (the user came online).</summary>
    ValueTask<bool> ConnectAsync(ChatUser user, string connectionId, bool firstHere, CancellationToken cancellationToken = default);

    /// <summary>Forgets a connection and its rooms.</summary>
    ValueTask<DisconnectOutcome> DisconnectAsync(ConnectionRegistry.Departure departure, CancellationToken cancellationToken = default);

    /// <summary>Adds a connection to a room. Returns true when it is the user's first connection in the room.</summary>
    ValueTask<bool> JoinAsync(string room, ChatUser user, string connectionId, bool firstHere, CancellationToken cancellationToken = default);

    /// <summary>Removes a connection from a room. Returns true when it was the user's last connection in the room.</summary>
    ValueTask<bool> LeaveAsync(string room, ChatUser user, string connectionId, bool lastHere, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> of the users in a room now (each once, online), and how many there are: what it
    /// costs grows with the limit, not with the room.
    /// </summary>
    ValueTask<RoomPresence> GetMembersAsync(string room, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every room with members, and how many distinct users each has.</summary>
    ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many distinct users are in each of the given rooms now; rooms with nobody are left out.</summary>
    ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(IReadOnlyCollection<string> rooms, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes how many users are typing in each of the given rooms on this node, and returns how many are typing
    /// in each across the deployment.
    /// </summary>
    ValueTask<IReadOnlyDictionary<string, int>> ShareTypingCountsAsync(IReadOnlyDictionary<string, int> typingHere, CancellationToken cancellationToken = default);

    /// <summary>The rooms any connection of the user is in.</summary>
    ValueTask<IReadOnlyList<string>> GetRoomsOfUserAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>Some of a room's users now, and the count of all of them.</summary>
public readonly record struct RoomPresence(UserPresence[] Members, int Count);
