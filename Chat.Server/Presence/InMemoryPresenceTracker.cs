using Chat.Server.Rooms;
using Chat.Shared;

namespace Chat.Server.Presence;

/// <summary>Presence for a single node. One lock: every operation is a few dictionary updates.</summary>
internal sealed class InMemoryPresenceTracker : IPresenceTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _connectionsByUser = [];
    private readonly Dictionary<string, HashSet<string>> _roomsByConnection = [];
    private readonly Dictionary<string, Dictionary<string, Member>> _membersByRoom = [];

    public ValueTask<bool> ConnectAsync(ChatUser user, string connectionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_connectionsByUser.TryGetValue(user.Id, out var connections))
            {
                _connectionsByUser[user.Id] = connections = [];
            }

            connections.Add(connectionId);
            _roomsByConnection.TryAdd(connectionId, []);
            return ValueTask.FromResult(connections.Count == 1);
        }
    }

    public ValueTask<DisconnectOutcome> DisconnectAsync(ChatUser user, string connectionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var roomsLeft = new List<string>();
            if (_roomsByConnection.Remove(connectionId, out var rooms))
            {
                foreach (var room in rooms)
                {
                    if (RemoveFromRoom(room, user.Id, connectionId))
                    {
                        roomsLeft.Add(room);
                    }
                }
            }

            var wentOffline = false;
            if (_connectionsByUser.TryGetValue(user.Id, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            {
                _connectionsByUser.Remove(user.Id);
                wentOffline = true;
            }

            return ValueTask.FromResult(new DisconnectOutcome(wentOffline, roomsLeft));
        }
    }

    public ValueTask<bool> JoinAsync(string room, ChatUser user, string connectionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_roomsByConnection.TryGetValue(connectionId, out var rooms))
            {
                _roomsByConnection[connectionId] = rooms = [];
            }

            rooms.Add(room);
            if (!_membersByRoom.TryGetValue(room, out var members))
            {
                _membersByRoom[room] = members = [];
            }

            if (!members.TryGetValue(user.Id, out var member))
            {
                members[user.Id] = member = new Member(user.Name);
            }

            return ValueTask.FromResult(member.Connections.Add(connectionId) && member.Connections.Count == 1);
        }
    }

    public ValueTask<bool> LeaveAsync(string room, ChatUser user, string connectionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_roomsByConnection.TryGetValue(connectionId, out var rooms))
            {
                rooms.Remove(room);
            }

            return ValueTask.FromResult(RemoveFromRoom(room, user.Id, connectionId));
        }
    }

    public ValueTask<UserPresence[]> GetMembersAsync(string room, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            UserPresence[] members = _membersByRoom.TryGetValue(room, out var byUser)
                ? [.. byUser.Select(m => new UserPresence(m.Key, m.Value.Name, PresenceStatus.Online))]
                : [];
            return ValueTask.FromResult(members);
        }
    }

    public ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<string, int> counts = _membersByRoom.ToDictionary(r => r.Key, r => r.Value.Count);
            return ValueTask.FromResult(counts);
        }
    }

    public ValueTask<IReadOnlyList<string>> GetRoomsOfUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<string> rooms = _connectionsByUser.TryGetValue(userId, out var connections)
                ? [.. connections.SelectMany(c => _roomsByConnection.GetValueOrDefault(c) ?? []).Distinct()]
                : [];
            return ValueTask.FromResult(rooms);
        }
    }

    /// <summary>Returns true when the user has no connection left in the room.</summary>
    private bool RemoveFromRoom(string room, string userId, string connectionId)
    {
        if (!_membersByRoom.TryGetValue(room, out var members) || !members.TryGetValue(userId, out var member)
            || !member.Connections.Remove(connectionId) || member.Connections.Count > 0)
        {
            return false;
        }

        members.Remove(userId);
        if (members.Count == 0)
        {
            _membersByRoom.Remove(room);
        }

        return true;
    }

    private sealed class Member(string name)
    {
        public string Name { get; } = name;

        public HashSet<string> Connections { get; } = [];
    }
}
