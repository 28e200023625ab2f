namespace Chat.Server.Rooms;

/// <summary>The rooms one connection has joined: read on the send path while the connection joins and leaves.</summary>
public sealed class RoomSet
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _rooms = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lock)
        {
            return [.. _rooms];
        }
    }

    public bool Contains(string room)
    {
        lock (_lock)
        {
            return _rooms.Contains(room);
        }
    }

    /// <summary>Adds the room unless the set holds it already or is full; checked and added under one lock.</summary>
    public ConnectionRegistry.JoinOutcome TryAdd(string room, int maxRooms)
    {
        lock (_lock)
        {
            if (_rooms.Contains(room))
            {
                return ConnectionRegistry.JoinOutcome.AlreadyJoined;
            }

            if (_rooms.Count >= maxRooms)
            {
                return ConnectionRegistry.JoinOutcome.TooManyRooms;
            }

            _rooms.Add(room);
            return ConnectionRegistry.JoinOutcome.Joined;
        }
    }

    public bool Remove(string room)
    {
        lock (_lock)
        {
            return _rooms.Remove(room);
        }
    }
}
