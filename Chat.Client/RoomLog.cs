using Chat.Shared;

namespace Chat.Client;

/// <summary>
/// One room's delivery cursor over its change log (<see cref="RoomEvent.EventSequence"/>): hands out changes strictly
/// in order, each once, whatever source they come from (live, a fetched page, a join). Changes that arrive ahead of a
/// hole wait here until a fetch fills it. Pure bookkeeping without I/O; not thread-safe: the owner locks.
/// </summary>
internal sealed class RoomLog(string room)
{
    private readonly SortedDictionary<long, RoomEvent> _waiting = [];

    // Messages the caller already holds from a JoinResult in a state newer than the join's lastEventSequence (the
    // server reads that number before the recent messages): changes up to that state are not raised again.
    private readonly Dictionary<string, long> _heldAhead = new(StringComparer.Ordinal);

    public string Room { get; } = room;

    /// <summary>Until the first JoinRoom answers, the cursor is unknown and everything waits.</summary>
    public bool IsJoining { get; private set; } = true;

    /// <summary>The last change delivered (or known to the caller from its JoinResult).</summary>
    public long Delivered { get; private set; }

    /// <summary>The latest change known to exist in the room.</summary>
    public long KnownLast { get; private set; }

    /// <summary>Changes are missing between the cursor and what is known to exist.</summary>
    public bool HasGap => !IsJoining && (KnownLast > Delivered || _waiting.Count > 0);

    /// <summary>The <c>afterEventSequence</c> of the next <see cref="IChatHub.GetEventsSince"/>, or null when nothing is missing.</summary>
    public long? NextFetch => HasGap ? Delivered : null;

    /// <summary>The first change waiting behind a hole that matches <paramref name="predicate"/>, or null.</summary>
    public RoomEvent? FindWaiting(Func<RoomEvent, bool> predicate) => _waiting.Values.FirstOrDefault(predicate);

    /// <summary>The live form of a <c>message.posted</c> change, so one cursor orders posts and other changes alike.</summary>
    public static RoomEvent Posted(ChatMessage message) =>
        new(message.Room, message.EventSequence, RoomEventTypes.MessagePosted, message.SentAt, message.SenderId, message.SenderName, message, message.Id);

    /// <summary>
    /// A JoinRoom answer the caller receives (the first join, or the reload after a reset): the caller holds the room
    /// as of <see cref="JoinResult.LastEventSequence"/>, and the recent messages in the state they were returned in.
    /// </summary>
    public void Joined(JoinResult result, List<RoomEvent> deliverable)
    {
        IsJoining = false;
        Delivered = result.LastEventSequence;
        KnownLast = Math.Max(KnownLast, result.LastEventSequence);
        _heldAhead.Clear();
        foreach (var message in result.RecentMessages)
        {
            if (message.EventSequence > Delivered)
            {
                KnownLast = Math.Max(KnownLast, message.EventSequence);
                _heldAhead[message.Id] = message.EventSequence;
            }
        }

        Drain(deliverable);
    }

    /// <summary>Records that the room has at least <paramref name="lastEventSequence"/> changes (e.g. from a re-join).</summary>
    public void SawLast(long lastEventSequence) => KnownLast = Math.Max(KnownLast, lastEventSequence);

    /// <summary>Takes changes from any source and adds what is now deliverable, in order. Duplicates are dropped.</summary>
    public void Offer(IEnumerable<RoomEvent> events, List<RoomEvent> deliverable)
    {
        foreach (var roomEvent in events)
        {
            KnownLast = Math.Max(KnownLast, roomEvent.EventSequence);
            if (IsJoining || roomEvent.EventSequence > Delivered)
            {
                _waiting.TryAdd(roomEvent.EventSequence, roomEvent);
            }
        }

        Drain(deliverable);
    }

    /// <summary>
    /// Takes a <see cref="IChatHub.GetEventsSince"/> page asked for after <paramref name="after"/> (not a reset).
    /// Returns the range skipped when the store answered without the next change: the hole cannot be filled, so what
    /// follows it is delivered rather than hold the room back for ever.
    /// </summary>
    public (long From, long To)? ApplyPage(long after, EventsPage page, List<RoomEvent> deliverable)
    {
        SawLast(page.LastEventSequence);
        Offer(page.Events, deliverable);
        if (Delivered != after || !HasGap)
        {
            return null;
        }

        var from = Delivered + 1;
        var to = _waiting.Count > 0 ? _waiting.Keys.First() - 1 : KnownLast;
        Delivered = to;
        Drain(deliverable);
        return (from, to);
    }

    private void Drain(List<RoomEvent> deliverable)
    {
        if (IsJoining)
        {
            return;
        }

        while (_waiting.Count > 0)
        {
            var (eventSequence, roomEvent) = _waiting.First();
            if (eventSequence > Delivered + 1)
            {
                break;
            }

            _waiting.Remove(eventSequence);
            if (eventSequence == Delivered + 1)
            {
                Delivered = eventSequence;
                if (!IsHeldAlready(roomEvent))
                {
                    deliverable.Add(roomEvent);
                }
            }
        }

        if (_heldAhead.Count > 0)
        {
            foreach (var (id, held) in _heldAhead)
            {
                if (held <= Delivered)
                {
                    _heldAhead.Remove(id);
                }
            }
        }
    }

    private bool IsHeldAlready(RoomEvent roomEvent) =>
        (roomEvent.MessageId ?? roomEvent.Message?.Id) is { } id
        && _heldAhead.TryGetValue(id, out var held)
        && held >= roomEvent.EventSequence;
}
