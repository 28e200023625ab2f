using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// The client's joined rooms and the delivery of their change logs: live changes, the catch-up after a reconnect or a
/// jump (<see cref="IChatHub.GetEventsSince"/>, page by page) and the reload when the server answers
/// <see cref="EventsPage.ResetRequired"/>. Every change of a joined room leaves here exactly once, in order.
/// A room this user is removed from (kicked, banned, left for good) is dropped at the removal: nothing of it is
/// delivered after, and it is not re-joined. Changes about this user in rooms not joined (being added, being removed)
/// are raised once each, outside any room's order.
/// </summary>
internal sealed class RoomDelivery
{
    private readonly ConnectionSupervisor _supervisor;
    private readonly ILogger _logger;
    private readonly Action<RoomEvent> _deliver;
    private readonly Action<JoinResult> _reset;
    private readonly Action<RoomEvent> _added;
    private readonly Action<ChatRoomRemovedEventArgs> _removed;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TrackedRoom> _rooms = new(StringComparer.Ordinal);
    private readonly OutsideRooms _outside = new();

    /// <param name="supervisor">The connection the rooms live on.</param>
    /// <param name="logger">Where recovery logs.</param>
    /// <param name="deliver">Takes each change to raise, in order (called under this class's lock).</param>
    /// <param name="reset">Takes the fresh JoinRoom answer of a room that had to be reloaded (called under the lock, before the changes after it).</param>
    /// <param name="added">
    /// Takes each <c>member.added</c> of this user, once: in a joined room right after <paramref name="deliver"/> got it,
    /// in any other room when it arrives (called under the lock).
    /// </param>
    /// <param name="removed">Takes each end of this user's membership, once, after the room was dropped (called under the lock).</param>
    public RoomDelivery(
        ConnectionSupervisor supervisor,
        ILogger logger,
        Action<RoomEvent> deliver,
        Action<JoinResult> reset,
        Action<RoomEvent> added,
        Action<ChatRoomRemovedEventArgs> removed)
    {
        _supervisor = supervisor;
        _logger = logger;
        _deliver = deliver;
        _reset = reset;
        _added = added;
        _removed = removed;
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

            Deliver(tracked, deliverable);
            ScheduleGapFill(tracked);
        }

        return result;
    }

    /// <summary>
    /// After this user left <paramref name="room"/> for good: stop following it now rather than when the
    /// <c>member.removed</c> arrives (it may come later, or after a reconnect), which is then raised as a change about
    /// this user in a room not joined.
    /// </summary>
    public void Forget(string room)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(ChatRules.NormalizeRoomName(room), out var tracked))
            {
                return;
            }

            var userId = _supervisor.UserId;
            if (tracked.Log.FindWaiting(e => e.Type == RoomEventTypes.MemberRemoved && OutsideRooms.IsAbout(e, userId)) is { } removal)
            {
                // It came already, behind changes still missing: those are no longer this user's to read.
                Drop(tracked, removal.EventSequence);
                ChatClientLog.RemovedFromRoom(_logger, tracked.Name, removal.ActorId, removal.Member!.Banned);
                _removed(new ChatRoomRemovedEventArgs(tracked.Name, removal, null));
                return;
            }

            Drop(tracked, tracked.Log.Delivered);
        }
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

    /// <summary>
    /// After (re)connecting: re-join every room, then fetch and deliver what was missed in each. A room that is no
    /// longer among the user's rooms may hold their removal while away: its missed changes are fetched before the
    /// re-join, since re-joining a public room would make them a member again. A removal found there, or a room that
    /// answers <c>forbidden</c> or <c>banned</c>, drops the room instead of re-joining it.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        TrackedRoom[] rooms;
        lock (_lock)
        {
            // Rooms whose first join is still under way are joined by that call itself.
            rooms = [.. _rooms.Values.Where(r => !r.Log.IsJoining)];
        }

        var memberOf = rooms.Length > 0 ? await ListMembershipsAsync(cancellationToken) : null;
        foreach (var room in rooms)
        {
            if (memberOf is null || !memberOf.Contains(room.Name))
            {
                // Also rooms this user reads without being a member (an administrator's): nothing is found, and they are re-joined.
                try
                {
                    await CatchUpAsync(room, fetchFirst: true, cancellationToken);
                }
                catch (HubException exception) when (ChatErrorCodes.FromErrorMessage(exception.Message) != ChatErrorCodes.Unavailable)
                {
                    // Re-joined all the same; the catch-up after the join tries again.
                    ChatClientLog.CatchUpFailed(_logger, room.Name, exception);
                }

                lock (_lock)
                {
                    if (!IsTracked(room))
                    {
                        continue;
                    }
                }
            }

            JoinResult result;
            try
            {
                result = await _supervisor.Connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room.Name, cancellationToken);
            }
            catch (HubException exception) when (IsRefusal(exception, out var code))
            {
                DropRefused(room, code, exception);
                continue;
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
            await CatchUpAsync(room, fetchFirst: false, cancellationToken);
        }
    }

    /// <summary>The rooms this user is a member of now (lower case), or null when the server could not say.</summary>
    private async Task<HashSet<string>?> ListMembershipsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var mine = await _supervisor.Connection.InvokeAsync<MyRoom[]>(nameof(IChatHub.ListMyRooms), cancellationToken);
            return mine.Select(r => r.Room.Room).ToHashSet(StringComparer.Ordinal);
        }
        catch (HubException exception) when (ChatErrorCodes.FromErrorMessage(exception.Message) != ChatErrorCodes.Unavailable)
        {
            // Then every room is treated as one the user may have been removed from: slower, as safe.
            ChatClientLog.MembershipsUnknown(_logger, exception);
            return null;
        }
    }

    /// <summary>The server no longer lets this user into the room: a refusal that ends the room rather than fails a call.</summary>
    private static bool IsRefusal(HubException exception, out string code)
    {
        code = ChatErrorCodes.FromErrorMessage(exception.Message) ?? "";
        return code is ChatErrorCodes.Forbidden or ChatErrorCodes.Banned;
    }

    private void Offer(string room, RoomEvent roomEvent)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var tracked))
            {
                OfferOutside(roomEvent, _supervisor.UserId);
                return;
            }

            var deliverable = new List<RoomEvent>();
            tracked.Log.Offer([roomEvent], deliverable);
            Deliver(tracked, deliverable);
            ScheduleGapFill(tracked);
        }
    }

    /// <summary>
    /// Fetches the room's changes after its cursor until nothing is missing, delivering in order. With
    /// <paramref name="fetchFirst"/> it asks at least once even when nothing is known to be missing (after a reconnect).
    /// A refusal that means the user is no longer let in (<c>forbidden</c>, <c>banned</c>) drops the room.
    /// </summary>
    private async Task CatchUpAsync(TrackedRoom room, bool fetchFirst, CancellationToken cancellationToken)
    {
        await room.FetchGate.WaitAsync(cancellationToken);
        try
        {
            await FetchUntilCurrentAsync(room, fetchFirst, cancellationToken);
        }
        catch (HubException exception) when (IsRefusal(exception, out var code))
        {
            DropRefused(room, code, exception);
        }
        finally
        {
            room.FetchGate.Release();
        }
    }

    private async Task FetchUntilCurrentAsync(TrackedRoom room, bool fetchFirst, CancellationToken cancellationToken)
    {
        while (true)
        {
            long after;
            lock (_lock)
            {
                room.FillScheduled = false;
                var next = fetchFirst && !room.Log.IsJoining ? room.Log.Delivered : room.Log.NextFetch;
                fetchFirst = false;
                if (!IsTracked(room) || next is null)
                {
                    return;
                }

                after = next.Value;
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

                Deliver(room, deliverable);
            }
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
            Deliver(room, deliverable);
        }
    }

    /// <summary>Live traffic jumped ahead: fetch the hole in the background. Call under the lock.</summary>
    private void ScheduleGapFill(TrackedRoom room)
    {
        var stop = _supervisor.StopToken;
        if (!room.Log.HasGap || room.FillScheduled || !stop.CanBeCanceled || !IsTracked(room))
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
            await CatchUpAsync(room, fetchFirst: false, cancellationToken);
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

    /// <summary>
    /// Raises a joined room's changes, in order, and this user's own membership changes among them. This user's removal
    /// is the room's last change here: the room is dropped at it. Call under the lock.
    /// </summary>
    private void Deliver(TrackedRoom room, List<RoomEvent> events)
    {
        var userId = _supervisor.UserId;
        for (var i = 0; i < events.Count; i++)
        {
            var change = events[i];
            _deliver(change);
            if (!OutsideRooms.IsAbout(change, userId))
            {
                continue;
            }

            if (change.Type == RoomEventTypes.MemberAdded)
            {
                _added(change);
            }
            else if (change.Type == RoomEventTypes.MemberRemoved)
            {
                Drop(room, change.EventSequence);
                ChatClientLog.RemovedFromRoom(_logger, room.Name, change.ActorId, change.Member!.Banned);
                _removed(new ChatRoomRemovedEventArgs(room.Name, change, null));
                // What follows happened after the user left: only changes about them still count (being added back).
                for (var j = i + 1; j < events.Count; j++)
                {
                    OfferOutside(events[j], userId);
                }

                return;
            }
        }
    }

    /// <summary>A change of a room not followed: raised once if it is this user's being added or removed. Call under the lock.</summary>
    private void OfferOutside(RoomEvent change, string? userId)
    {
        if (!OutsideRooms.IsAbout(change, userId) || !_outside.Take(change))
        {
            return;
        }

        if (change.Type == RoomEventTypes.MemberAdded)
        {
            _added(change);
        }
        else if (change.Type == RoomEventTypes.MemberRemoved)
        {
            ChatClientLog.RemovedFromRoom(_logger, change.Room, change.ActorId, change.Member!.Banned);
            _removed(new ChatRoomRemovedEventArgs(change.Room, change, null));
        }
    }

    /// <summary>
    /// The server refused the room (<c>forbidden</c>, <c>banned</c>): the user was removed while this client could not
    /// hear it, or the removal waits behind changes that can no longer be read. Either way the room is dropped.
    /// </summary>
    private void DropRefused(TrackedRoom room, string code, HubException exception)
    {
        lock (_lock)
        {
            if (!IsTracked(room))
            {
                return;
            }

            ChatClientLog.RoomRefused(_logger, room.Name, code, exception);
            var userId = _supervisor.UserId;
            var removal = room.Log.FindWaiting(e => e.Type == RoomEventTypes.MemberRemoved && OutsideRooms.IsAbout(e, userId));
            Drop(room, removal?.EventSequence ?? room.Log.Delivered, removalReported: removal is null);
            _removed(new ChatRoomRemovedEventArgs(room.Name, removal, removal is null ? code : null));
        }
    }

    /// <summary>Stops following the room: no more delivery, no re-join. Call under the lock.</summary>
    private void Drop(TrackedRoom room, long delivered, bool removalReported = false)
    {
        if (IsTracked(room))
        {
            _rooms.Remove(room.Name);
        }

        _outside.Dropped(room.Name, delivered, removalReported);
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
