using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// The client's joined rooms and the delivery of their change logs: live changes, the catch-up after a reconnect or a
/// jump (<see cref="IChatHub.GetEventsSince"/>, page by page) and the reload when the server answers
/// <see cref="EventsPage.ResetRequired"/>. Every change of a joined room leaves here exactly once, in order.
/// </summary>
internal sealed class RoomDelivery
{
    private readonly ConnectionSupervisor _supervisor;
    private readonly ILogger _logger;
    private readonly Action<RoomEvent> _deliver;
    private readonly Action<JoinResult> _reset;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TrackedRoom> _rooms = new(StringComparer.Ordinal);

    /// <param name="supervisor">The connection the rooms live on.</param>
    /// <param name="logger">Where recovery logs.</param>
    /// <param name="deliver">Takes each change to raise, in order (called under this class's lock).</param>
    /// <param name="reset">Takes the fresh JoinRoom answer of a room that had to be reloaded (called under the lock, before the changes after it).</param>
    public RoomDelivery(ConnectionSupervisor supervisor, ILogger logger, Action<RoomEvent> deliver, Action<JoinResult> reset)
    {
        _supervisor = supervisor;
        _logger = logger;
        _deliver = deliver;
        _reset = reset;
        supervisor.Connection.On<ChatMessage>(nameof(IChatClient.MessageReceived), message => Offer(message.Room, RoomLog.Posted(message)));
        supervisor.Connection.On<RoomEvent>(nameof(IChatClient.RoomChanged), roomEvent => Offer(roomEvent.Room, roomEvent));
    }

    public IReadOnlyCollection<string> Rooms
    {
        get
        {
            lock (_lock)
            {
                return [.. _rooms.Keys];
            }
        }
    }

    public async Task<JoinResult> JoinAsync(string room, CancellationToken cancellationToken)
    {
        var name = ChatRules.NormalizeRoomName(room);
        TrackedRoom? tracked;
        bool isNew;
        lock (_lock)
        {
            isNew = !_rooms.TryGetValue(name, out tracked);
            if (tracked is null)
            {
                // Tracked before the call: live changes that overtake the answer wait in the room's log.
                tracked = new TrackedRoom(name);
                _rooms[name] = tracked;
            }
        }

        JoinResult result;
        try
        {
            result = await _supervisor.CallAsync((c, t) => c.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room, t), cancellationToken);
        }
        catch
        {
            if (isNew)
            {
                lock (_lock)
                {
                    if (IsTracked(tracked) && tracked.Log.IsJoining)
                    {
                        _rooms.Remove(name);
                    }
                }
            }

            throw;
        }

        lock (_lock)
        {
            var deliverable = new List<RoomEvent>();
            if (tracked.Log.IsJoining)
            {
                tracked.Log.Joined(result, deliverable);
            }
            else
            {
                tracked.Log.SawLast(result.LastEventSequence);
            }

            Deliver(deliverable);
            ScheduleGapFill(tracked);
        }

        return result;
    }

    public async Task LeaveAsync(string room, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _rooms.Remove(ChatRules.NormalizeRoomName(room));
        }

        if (_supervisor.State != ChatConnectionState.Connected)
        {
            // Without a connection the server holds no membership, and the room is no longer re-joined.
            return;
        }

        try
        {
            await _supervisor.Connection.InvokeAsync(nameof(IChatHub.LeaveRoom), room, cancellationToken);
        }
        catch (HubException exception)
        {
            throw ChatRequestException.From(exception);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && _supervisor.Connection.State != HubConnectionState.Connected)
        {
            // The connection went, and the membership with it.
        }
    }

    /// <summary>After (re)connecting: re-join every room, then fetch and deliver what was missed in each.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        TrackedRoom[] rooms;
        lock (_lock)
        {
            // Rooms whose first join is still under way are joined by that call itself.
            rooms = [.. _rooms.Values.Where(r => !r.Log.IsJoining)];
        }

        foreach (var room in rooms)
        {
            JoinResult result;
            try
            {
                result = await _supervisor.Connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room.Name, cancellationToken);
            }
            catch (HubException exception) when (ChatErrorCodes.FromErrorMessage(exception.Message) != ChatErrorCodes.Unavailable)
            {
                // Unavailable fails the whole attempt instead: the next one, after a backoff, re-joins every room.
                ChatClientLog.RejoinFailed(_logger, room.Name, exception);
                continue;
            }

            lock (_lock)
            {
                // The recent messages are not the caller's: the log replays whatever they hold, in order.
                room.Log.SawLast(result.LastEventSequence);
            }
        }

        foreach (var room in rooms)
        {
            await CatchUpAsync(room, cancellationToken);
        }
    }

    private void Offer(string room, RoomEvent roomEvent)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var tracked))
            {
                return;
            }

            var deliverable = new List<RoomEvent>();
            tracked.Log.Offer([roomEvent], deliverable);
            Deliver(deliverable);
            ScheduleGapFill(tracked);
        }
    }

    /// <summary>Fetches the room's changes after its cursor until nothing is missing, delivering in order.</summary>
    private async Task CatchUpAsync(TrackedRoom room, CancellationToken cancellationToken)
    {
        await room.FetchGate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                long after;
                lock (_lock)
                {
                    room.FillScheduled = false;
                    if (!IsTracked(room) || room.Log.NextFetch is not { } next)
                    {
                        return;
                    }

                    after = next;
                }

                ChatClientLog.CatchingUp(_logger, room.Name, after);
                var page = await _supervisor.Connection.InvokeAsync<EventsPage>(
                    nameof(IChatHub.GetEventsSince), room.Name, after, ChatLimits.MaxEventsSincePage, cancellationToken);
                if (page.ResetRequired)
                {
                    await ReloadAsync(room, cancellationToken);
                    continue;
                }

                lock (_lock)
                {
                    if (!IsTracked(room))
                    {
                        return;
                    }

                    var deliverable = new List<RoomEvent>();
                    if (room.Log.ApplyPage(after, page, deliverable) is var (from, to))
                    {
                        ChatClientLog.HistoryGap(_logger, room.Name, from, to);
                    }

                    Deliver(deliverable);
                }
            }
        }
        finally
        {
            room.FetchGate.Release();
        }
    }

    /// <summary>Too much is missing to replay: join again and start over from the room's state now.</summary>
    private async Task ReloadAsync(TrackedRoom room, CancellationToken cancellationToken)
    {
        ChatClientLog.RoomReset(_logger, room.Name);
        var result = await _supervisor.Connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room.Name, cancellationToken);
        lock (_lock)
        {
            if (!IsTracked(room))
            {
                return;
            }

            _reset(result);
            var deliverable = new List<RoomEvent>();
            room.Log.Joined(result, deliverable);
            Deliver(deliverable);
        }
    }

    /// <summary>Live traffic jumped ahead: fetch the hole in the background. Call under the lock.</summary>
    private void ScheduleGapFill(TrackedRoom room)
    {
        var stop = _supervisor.StopToken;
        if (!room.Log.HasGap || room.FillScheduled || !stop.CanBeCanceled)
        {
            return;
        }

        room.FillScheduled = true;
        // Off the caller's thread: it holds the lock, and may be SignalR's receive loop, which must keep reading.
        _ = Task.Run(() => FillGapAsync(room, stop), CancellationToken.None);
    }

    private async Task FillGapAsync(TrackedRoom room, CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(room, cancellationToken);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Most likely the connection went: the reconnect catches the room up.
            lock (_lock)
            {
                room.FillScheduled = false;
            }

            ChatClientLog.CatchUpFailed(_logger, room.Name, exception);
        }
    }

    /// <summary>Call under the lock.</summary>
    private void Deliver(List<RoomEvent> events)
    {
        foreach (var roomEvent in events)
        {
            _deliver(roomEvent);
        }
    }

    private bool IsTracked(TrackedRoom room) => _rooms.TryGetValue(room.Name, out var current) && current == room;

    private sealed class TrackedRoom(string name)
    {
        public string Name { get; } = name;

        public RoomLog Log { get; } = new(name);

        /// <summary>A background fetch for this room is queued.</summary>
        public bool FillScheduled { get; set; }

        /// <summary>Only one fetch per room at a time.</summary>
        public SemaphoreSlim FetchGate { get; } = new(1, 1);
    }
}
