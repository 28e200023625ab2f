using Chat.Shared;

namespace Chat.Client;

/// <summary>
/// Coalesces read marks per room: at most one <c>MarkRead</c> of a room is on its way at a time. A mark made meanwhile
/// only raises the sequence the next one sends, and completes with the answer of the first call that covers it (one
/// sent for its sequence or a higher one). When a call is answered and marks wait that it did not cover, the next call
/// goes out at once with the highest of them, so the last mark asked for is always sent. An app that marks a room on
/// every message it shows thus costs about one call per round trip, whatever its rate.
/// </summary>
/// <remarks>
/// Knows nothing of connections: <c>send</c> does the call (and its retries after a lost connection). A call that
/// fails fails the marks it covered; marks beyond it still go out. Thread-safe.
/// </remarks>
/// <param name="send">Sends one <c>MarkRead(room, sequence)</c> and answers the server's state.</param>
internal sealed class ReadMarkCoalescer(Func<string, long, Task<ReadState>> send)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RoomMarks> _rooms = new(StringComparer.Ordinal);

    /// <summary>Marks <paramref name="room"/> read up to <paramref name="sequence"/>; completes once a call covering it is answered.</summary>
    public Task<ReadState> MarkAsync(string room, long sequence)
    {
        var mark = new Mark(sequence);
        bool start;
        lock (_lock)
        {
            start = !_rooms.TryGetValue(room, out var marks);
            if (marks is null)
            {
                marks = new RoomMarks();
                _rooms.Add(room, marks);
            }

            marks.Wanted = Math.Max(marks.Wanted, sequence);
            marks.Waiting.Add(mark);
        }

        if (start)
        {
            _ = SendWhileWantedAsync(room);
        }

        return mark.Answer.Task;
    }

    /// <summary>Rooms with a call on its way (for tests and diagnostics).</summary>
    public int RoomsInFlight
    {
        get
        {
            lock (_lock)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>The one sender of a room: runs from the first mark until no mark of the room waits.</summary>
    private async Task SendWhileWantedAsync(string room)
    {
        while (true)
        {
            long sequence;
            lock (_lock)
            {
                sequence = _rooms[room].Wanted;
            }

            ReadState? answer = null;
            Exception? failure = null;
            try
            {
                answer = await send(room, sequence);
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            List<Mark> covered;
            bool done;
            lock (_lock)
            {
                var marks = _rooms[room];
                covered = marks.Waiting.FindAll(m => m.Sequence <= sequence);
                marks.Waiting.RemoveAll(m => m.Sequence <= sequence);

                // Every mark left asked for more than this call sent, so Wanted is beyond it: the next call goes out now.
                done = marks.Waiting.Count == 0;
                if (done)
                {
                    _rooms.Remove(room);
                }
            }

            foreach (var mark in covered)
            {
                if (failure is null)
                {
                    mark.Answer.TrySetResult(answer!);
                }
                else
                {
                    mark.Answer.TrySetException(failure);
                }
            }

            if (done)
            {
                return;
            }
        }
    }

    private sealed class RoomMarks
    {
        public long Wanted { get; set; } = -1;

        public List<Mark> Waiting { get; } = [];
    }

    private sealed class Mark(long sequence)
    {
        public long Sequence { get; } = sequence;

        // Callers' continuations must not run inside the sender's loop (nor under its lock).
        public TaskCompletionSource<ReadState> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
