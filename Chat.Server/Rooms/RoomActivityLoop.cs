using Chat.Server.Observability;
using Chat.Server.Presence;
using Chat.Server.Typing;
using Chat.Shared;

namespace Chat.Server.Rooms;

/// <summary>
/// Once a second: reads how many users are online in this node's rooms (across the deployment), decides which rooms
/// are large (<see cref="LargeRooms"/>), and tells this node's members of each large room its counts when they changed.
/// Every node reports to its own members, so a member hears a room's counts at most once a second however many
/// nodes share the room.
/// </summary>
internal sealed class RoomActivityLoop(
    ConnectionRegistry connections,
    IPresenceTracker presence,
    TypingService typing,
    LargeRooms large,
    ILocalRoomBroadcast broadcast,
    TimeProvider time,
    ILogger<RoomActivityLoop> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const int TellSlice = 128;

    private readonly Dictionary<string, RoomActivity> _told = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A pause after each round, not a fixed beat: a slow round cannot be followed at once by the next one.
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, time, stoppingToken);
            try
            {
                await ReportAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                ChatLog.RoomActivityFailed(logger, exception);
            }
        }
    }

    /// <summary>
    /// Writes the counts to the room's members here a slice at a time, letting the connections' send loops run in
    /// between. Thousands of writes at once each took a pipe segment and a socket buffer of their own: more than the
    /// pools keep, so every round allocated them afresh, and Kestrel's pool grew to the crowd's size and stayed there
    /// (docs/benchmarks.md, "Issue #15 in session 11").
    /// </summary>
    private async Task TellAsync(string room, RoomActivity activity, CancellationToken cancellationToken)
    {
        foreach (var slice in connections.ConnectionIdsIn(room).Chunk(TellSlice))
        {
            await broadcast.SendAsync(slice, nameof(IChatClient.RoomActivity), [activity], cancellationToken);
            await Task.Yield();
        }
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var here = connections.UserCountsByRoom();
        var online = await presence.GetMemberCountsAsync([.. here.Keys.Union(large.Rooms)], cancellationToken);
        large.Update(online);

        // Rooms that just turned small get their counts once more: the last word before per-user events resume.
        var typingHere = typing.CountsByRoom();
        var reported = large.Rooms.Union(_told.Keys).Where(here.ContainsKey)
            .ToDictionary(room => room, room => typingHere.GetValueOrDefault(room), StringComparer.Ordinal);
        var typingAll = await presence.ShareTypingCountsAsync(reported, cancellationToken);

        foreach (var room in _told.Keys.Where(room => !reported.ContainsKey(room)))
        {
            _told.Remove(room);
        }

        foreach (var room in reported.Keys)
        {
            var activity = new RoomActivity(room, online.GetValueOrDefault(room), typingAll.GetValueOrDefault(room));
            if (_told.GetValueOrDefault(room) != activity)
            {
                await TellAsync(room, activity, cancellationToken);
            }

            if (large.IsLarge(room))
            {
                _told[room] = activity;
            }
            else
            {
                _told.Remove(room);
            }
        }
    }
}
