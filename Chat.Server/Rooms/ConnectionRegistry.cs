using System.Collections.Concurrent;
using Chat.Server.Presence;
using Chat.Shared;

namespace Chat.Server.Rooms;

/// <summary>
/// The node's truth about its connections: who each one is, which rooms it has joined, and so which users are here
/// and in which rooms. The presence trackers, the backplane and the send path read it; nothing else keeps its own
/// copy. Every first and last (a user's first connection here, their last one in a room) is decided under one lock,
/// so two connections of one user racing never both or neither count as first.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConnectionState> _connections = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<ConnectionState>> _connectionsByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoomOccupancy> _rooms = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    /// <summary>Distinct users with at least one connection on this node.</summary>
    public int UserCount
    {
        get
        {
            lock (_lock)
            {
                return _connectionsByUser.Count;
            }
        }
    }

    /// <summary>Rooms with at least one connection on this node.</summary>
    public int RoomCount
    {
        get
        {
            lock (_lock)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>Records a connection; <paramref name="firstOfUser"/> tells whether the user had none here.</summary>
    public ConnectionState Add(string connectionId, ChatUser user, out bool firstOfUser)
    {
        lock (_lock)
        {
            if (_connections.TryGetValue(connectionId, out var existing))
            {
                firstOfUser = false;
                return existing;
            }

            var state = new ConnectionState(connectionId, user, this);
            _connections[connectionId] = state;
            if (_connectionsByUser.TryGetValue(user.Id, out var ofUser))
            {
                ofUser.Add(state);
                firstOfUser = false;
            }
            else
            {
                _connectionsByUser[user.Id] = [state];
                firstOfUser = true;
            }
            return state;
        }
    }

    /// <summary>Forgets a connection and its rooms: which of them the user has left here, and whether they are gone from this node.</summary>
    public Departure? Remove(string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.TryRemove(connectionId, out var state))
            {
                return null;
            }

            state.Closed = true;
            var rooms = state.Rooms;
            var roomsLeft = new List<string>();
            foreach (var room in rooms)
            {
                if (LeaveRoom(room, state.User.Id))
                {
                    roomsLeft.Add(room);
                }
            }

            var ofUser = _connectionsByUser[state.User.Id];
            ofUser.Remove(state);
            var wentOffline = ofUser.Count == 0;
            if (wentOffline)
            {
                _connectionsByUser.Remove(state.User.Id);
            }

            return new Departure(state, rooms, wentOffline, roomsLeft);
        }
    }

    public ConnectionState Get(string connectionId) =>
        _connections.TryGetValue(connectionId, out var state)
            ? state
            : throw new InvalidOperationException($"Connection {connectionId} is not registered.");

    public bool Contains(string connectionId) => _connections.ContainsKey(connectionId);

    /// <summary>When the connection opened here (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), or 0 for one not (or no longer) here.</summary>
    public long OpenedAt(string connectionId) => _connections.TryGetValue(connectionId, out var state) ? state.OpenedAt : 0;

    /// <summary>The rooms a connection has joined, or none for a connection that is not (or no longer) here.</summary>
    public IReadOnlyList<string> RoomsOf(string connectionId) => _connections.TryGetValue(connectionId, out var state) ? state.Rooms : [];

    public IReadOnlyCollection<ConnectionState> All => [.. _connections.Values];

    /// <summary>The user's connections on this node.</summary>
    public IReadOnlyList<ConnectionState> ConnectionsOf(string userId)
    {
        lock (_lock)
        {
            return _connectionsByUser.TryGetValue(userId, out var ofUser) ? [.. ofUser] : [];
        }
    }

    /// <summary>How many connections on this node are in the room.</summary>
    public int LocalConnectionsIn(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var occupancy) ? occupancy.Connections : 0;
        }
    }

    /// <summary>The connections on this node that have joined the room.</summary>
    public List<string> ConnectionIdsIn(string room)
    {
        lock (_lock)
        {
            var ids = new List<string>();
            if (_rooms.TryGetValue(room, out var occupancy))
            {
                foreach (var userId in occupancy.Users.Keys)
                {
                    ids.AddRange(_connectionsByUser[userId].Where(c => c.IsIn(room)).Select(c => c.ConnectionId));
                }
            }

            return ids;
        }
    }

    /// <summary>How many distinct users have a connection in the room on this node.</summary>
    public int UserCountIn(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var occupancy) ? occupancy.Users.Count : 0;
        }
    }

    /// <summary>Up to <paramref name="limit"/> of the users with a connection in the room on this node, and how many there are.</summary>
    public RoomPresence UsersIn(string room, int limit)
    {
        KeyValuePair<string, PresentUser>[] listed;
        int count;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var occupancy))
            {
                return new RoomPresence([], 0);
            }

            // Only the copy under the lock, which every join and leave of the node takes.
            listed = [.. occupancy.Users.Take(limit)];
            count = occupancy.Users.Count;
        }

        return new RoomPresence([.. listed.Select(u => new UserPresence(u.Key, u.Value.Name, PresenceStatus.Online))], count);
    }

    /// <summary>Every room with a connection on this node, and how many distinct users each has here.</summary>
    public Dictionary<string, int> UserCountsByRoom()
    {
        lock (_lock)
        {
            return _rooms.ToDictionary(r => r.Key, r => r.Value.Users.Count, StringComparer.Ordinal);
        }
    }

    /// <summary>How many distinct users each of the given rooms has on this node; rooms with nobody are left out.</summary>
    public IReadOnlyDictionary<string, int> UserCountsIn(IEnumerable<string> rooms)
    {
        lock (_lock)
        {
            return rooms.Distinct(StringComparer.Ordinal)
                .Select(room => (Room: room, Count: _rooms.TryGetValue(room, out var occupancy) ? occupancy.Users.Count : 0))
                .Where(r => r.Count > 0)
                .ToDictionary(r => r.Room, r => r.Count, StringComparer.Ordinal);
        }
    }

    /// <summary>The rooms any connection of the user on this node is in.</summary>
    public IReadOnlyList<string> RoomsOfUser(string userId) => [.. ConnectionsOf(userId).SelectMany(c => c.Rooms).Distinct(StringComparer.Ordinal)];

    private (JoinOutcome Outcome, bool FirstOfUser) Join(ConnectionState state, string room, int maxRooms)
    {
        lock (_lock)
        {
            if (state.Closed)
            {
                return (JoinOutcome.AlreadyJoined, false);
            }

            var outcome = state.RoomSet.TryAdd(room, maxRooms);
            if (outcome != JoinOutcome.Joined)
            {
                return (outcome, false);
            }

            if (!_rooms.TryGetValue(room, out var occupancy))
            {
                _rooms[room] = occupancy = new RoomOccupancy();
            }

            occupancy.Connections++;
            if (occupancy.Users.TryGetValue(state.User.Id, out var present))
            {
                present.Connections++;
                return (outcome, false);
            }

            occupancy.Users[state.User.Id] = new PresentUser(state.User.Name) { Connections = 1 };
            return (outcome, true);
        }
    }

    private (bool Left, bool LastOfUser) Leave(ConnectionState state, string room)
    {
        lock (_lock)
        {
            return state.RoomSet.Remove(room) ? (true, LeaveRoom(room, state.User.Id)) : (false, false);
        }
    }

    /// <summary>Returns true when the user has no connection left in the room. Call under the lock.</summary>
    private bool LeaveRoom(string room, string userId)
    {
        if (!_rooms.TryGetValue(room, out var occupancy) || !occupancy.Users.TryGetValue(userId, out var present))
        {
            return false;
        }

        occupancy.Connections--;
        if (--present.Connections > 0)
        {
            return false;
        }

        occupancy.Users.Remove(userId);
        if (occupancy.Users.Count == 0)
        {
            _rooms.Remove(room);
        }

        return true;
    }

    public enum JoinOutcome
    {
        Joined,
        AlreadyJoined,
        TooManyRooms,
    }

    /// <summary>What a closed connection left behind on this node.</summary>
    /// <param name="State">The connection as it was.</param>
    /// <param name="Rooms">Every room it had joined.</param>
    /// <param name="WentOffline">It was the user's last connection here.</param>
    /// <param name="RoomsLeft">Rooms where it was the user's last connection here.</param>
    public sealed record Departure(ConnectionState State, IReadOnlyList<string> Rooms, bool WentOffline, IReadOnlyList<string> RoomsLeft);

    public sealed class ConnectionState(string connectionId, ChatUser user, ConnectionRegistry registry)
    {
        public string ConnectionId { get; } = connectionId;

        public ChatUser User { get; } = user;

        /// <summary>When it was added (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): its calls' store reads take their place in line by it.</summary>
        public long OpenedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

        public IReadOnlyList<string> Rooms => RoomSet.Snapshot();

        internal RoomSet RoomSet { get; } = new();

        internal bool Closed { get; set; }

        /// <summary>The send path's membership check: a lock of this connection's own, never the registry's.</summary>
        public bool IsIn(string room) => RoomSet.Contains(room);

        /// <summary>Joins the room; <c>FirstOfUser</c> tells whether the user had no other connection in it here.</summary>
        public (JoinOutcome Outcome, bool FirstOfUser) TryJoin(string room, int maxRooms) => registry.Join(this, room, maxRooms);

        /// <summary>Leaves the room; <c>LastOfUser</c> tells whether it was the user's last connection in it here.</summary>
        public (bool Left, bool LastOfUser) Leave(string room) => registry.Leave(this, room);
    }

    private sealed class RoomOccupancy
    {
        public int Connections { get; set; }

        public Dictionary<string, PresentUser> Users { get; } = new(StringComparer.Ordinal);
    }

    private sealed class PresentUser(string name)
    {
        public string Name { get; } = name;

        public int Connections { get; set; }
    }
}
