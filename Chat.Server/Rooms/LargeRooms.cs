using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Chat.Server.Rooms;

/// <summary>
/// Which rooms are large now. Filling a room of N users one announcement per join costs N² sends; past
/// <see cref="RoomsOptions.LargeRoomThreshold"/> users online a room gets counts instead (<see cref="RoomActivityLoop"/>).
/// </summary>
public sealed class LargeRooms(ConnectionRegistry connections, IOptions<RoomsOptions> options)
{
    private readonly ConcurrentDictionary<string, byte> _large = new(StringComparer.Ordinal);

    private int Threshold => options.Value.LargeRoomThreshold;

    public IReadOnlyCollection<string> Rooms => [.. _large.Keys];

    public bool IsLarge(string room)
    {
        if (_large.ContainsKey(room))
        {
            return true;
        }

        // This node's own crowd is enough to tell, without waiting for the next deployment-wide count.
        if (connections.UserCountIn(room) >= Threshold)
        {
            _large.TryAdd(room, 0);
            return true;
        }

        return false;
    }

    /// <summary>Applies the deployment-wide counts of users online; a room missing from them has nobody online.</summary>
    public void Update(IReadOnlyDictionary<string, int> online)
    {
        foreach (var room in _large.Keys.Where(room => !online.ContainsKey(room)))
        {
            _large.TryRemove(room, out _);
        }

        foreach (var (room, count) in online)
        {
            if (StaysLarge(_large.ContainsKey(room), count, Threshold))
            {
                _large.TryAdd(room, 0);
            }
            else
            {
                _large.TryRemove(room, out _);
            }
        }
    }

    /// <summary>
    /// Large from the threshold on, and small again only below nine tenths of it: a crowd at the edge would otherwise
    /// switch its members' view between lists and counts with every join and leave.
    /// </summary>
    public static bool StaysLarge(bool wasLarge, int online, int threshold) =>
        online >= threshold || (wasLarge && online * 10L >= threshold * 9L);
}
