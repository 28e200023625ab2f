using System.Collections.Concurrent;

namespace Chat.Server.Rooms;

/// <summary>
/// The connections open on this node and the rooms each has joined: the membership check on the send path is a
/// lookup here, never a round trip to the presence store.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConnectionState> _connections = new();
    private readonly ConcurrentDictionary<string, int> _localConnectionsByRoom = new();
    private readonly ConcurrentDictionary<string, int> _localConnectionsByUser = new();

    public int Count => _connections.Count;

    /// <summary>Distinct users with at least one connection on this node.</summary>
    public int UserCount => _localConnectionsByUser.Count;

    /// <summary>Rooms with at least one connection on this node.</summary>
    public int RoomCount => _localConnectionsByRoom.Count;

    public ConnectionState Add(string connectionId, ChatUser user)
    {
        var state = new ConnectionState(user, this);
        if (!_connections.TryAdd(connectionId, state))
        {
            return _connections[connectionId];
        }

        Increment(_localConnectionsByUser, user.Id);
        return state;
    }

    public ConnectionState? Remove(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var state))
        {
            return null;
        }

        foreach (var room in state.Rooms)
        {
            Decrement(_localConnectionsByRoom, room);
        }

        Decrement(_localConnectionsByUser, state.User.Id);
        return state;
    }

    public ConnectionState Get(string connectionId) =>
        _connections.TryGetValue(connectionId, out var state)
            ? state
            : throw new InvalidOperationException($"Connection {connectionId} is not registered.");

    /// <summary>The user's connections on this node.</summary>
    public IEnumerable<(string ConnectionId, ConnectionState State)> ConnectionsOf(string userId)
    {
        if (!_localConnectionsByUser.ContainsKey(userId))
        {
            yield break;
        }

        foreach (var (connectionId, state) in _connections)
        {
            if (state.User.Id == userId)
            {
                yield return (connectionId, state);
            }
        }
    }

    /// <summary>How many connections on this node are in the room.</summary>
    public int LocalConnectionsIn(string room) => _localConnectionsByRoom.GetValueOrDefault(room);

    private void RoomJoined(string room) => Increment(_localConnectionsByRoom, room);

    private void RoomLeft(string room) => Decrement(_localConnectionsByRoom, room);

    private static void Increment(ConcurrentDictionary<string, int> counts, string key) => counts.AddOrUpdate(key, 1, (_, count) => count + 1);

    private static void Decrement(ConcurrentDictionary<string, int> counts, string key)
    {
        var count = counts.AddOrUpdate(key, 0, (_, count) => count - 1);
        if (count <= 0)
        {
            counts.TryRemove(new KeyValuePair<string, int>(key, count));
        }
    }

    public enum JoinOutcome
    {
        Joined,
        AlreadyJoined,
        TooManyRooms,
    }

    public sealed class ConnectionState(ChatUser user, ConnectionRegistry registry)
    {
        private readonly RoomSet _rooms = new();

        public ChatUser User { get; } = user;

        public IReadOnlyList<string> Rooms => _rooms.Snapshot();

        public bool IsIn(string room) => _rooms.Contains(room);

        public JoinOutcome TryJoin(string room, int maxRooms)
        {
            var outcome = _rooms.TryAdd(room, maxRooms);
            if (outcome == JoinOutcome.Joined)
            {
                registry.RoomJoined(room);
            }

            return outcome;
        }

        public bool Leave(string room)
        {
            if (!_rooms.Remove(room))
            {
                return false;
            }

            registry.RoomLeft(room);
            return true;
        }
    }
}
