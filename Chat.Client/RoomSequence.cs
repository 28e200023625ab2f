using Chat.Shared;

namespace Chat.Client;

/// <summary>
/// One room's delivery cursor: hands out messages strictly in sequence order, each once. Messages that arrive ahead
/// of a hole wait here until history fills it. Not thread-safe: the owner locks.
/// </summary>
internal sealed class RoomSequence(string room)
{
    private readonly SortedDictionary<long, ChatMessage> _waiting = [];

    public string Room { get; } = room;

    /// <summary>Until the first JoinRoom answers, the cursor is unknown and everything waits.</summary>
    public bool IsJoining { get; private set; } = true;

    /// <summary>The highest sequence delivered (or known to the caller from its JoinResult).</summary>
    public long Delivered { get; private set; }

    /// <summary>The highest sequence known to exist in the room.</summary>
    public long KnownLast { get; private set; }

    /// <summary>A background fetch for this room is queued.</summary>
    public bool FillScheduled { get; set; }

    /// <summary>Only one history fetch per room at a time.</summary>
    public SemaphoreSlim FetchGate { get; } = new(1, 1);

    /// <summary>Messages are missing between the cursor and what is known to exist.</summary>
    public bool HasGap => !IsJoining && (KnownLast > Delivered || _waiting.Count > 0);

    /// <summary>The first join answered: the caller got everything up to <paramref name="lastSequence"/> in its JoinResult.</summary>
    public void Joined(long lastSequence, List<ChatMessage> deliverable)
    {
        IsJoining = false;
        Delivered = lastSequence;
        KnownLast = Math.Max(KnownLast, lastSequence);
        Drain(deliverable);
    }

    /// <summary>Takes messages from any source (live, re-join, history) and adds what is now deliverable, in order.</summary>
    public void Offer(IEnumerable<ChatMessage> messages, List<ChatMessage> deliverable)
    {
        foreach (var message in messages)
        {
            KnownLast = Math.Max(KnownLast, message.Sequence);
            if (IsJoining || message.Sequence > Delivered)
            {
                _waiting.TryAdd(message.Sequence, message);
            }
        }

        Drain(deliverable);
    }

    /// <summary>Records that the room holds at least <paramref name="lastSequence"/> messages.</summary>
    public void SawLastSequence(long lastSequence) => KnownLast = Math.Max(KnownLast, lastSequence);

    /// <summary>
    /// History answered without the next message: the hole cannot be filled, so deliver what follows it rather than
    /// hold the room back for ever. Returns the skipped range.
    /// </summary>
    public (long From, long To) SkipHole(List<ChatMessage> deliverable)
    {
        var from = Delivered + 1;
        var to = _waiting.Count > 0 ? _waiting.Keys.First() - 1 : KnownLast;
        Delivered = to;
        KnownLast = Math.Max(KnownLast, to);
        Drain(deliverable);
        return (from, to);
    }

    private void Drain(List<ChatMessage> deliverable)
    {
        if (IsJoining)
        {
            return;
        }

        while (_waiting.Count > 0)
        {
            var (sequence, message) = _waiting.First();
            if (sequence <= Delivered)
            {
                _waiting.Remove(sequence);
            }
            else if (sequence == Delivered + 1)
            {
                _waiting.Remove(sequence);
                Delivered = sequence;
                deliverable.Add(message);
            }
            else
            {
                break;
            }
        }
    }
}
