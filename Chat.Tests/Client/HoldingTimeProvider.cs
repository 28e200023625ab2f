namespace Chat.Tests.Client;

/// <summary>
/// The system clock, except that while held every new delay waits until <see cref="Release"/>: a client cut off
/// meanwhile stays disconnected (its reconnect backoff does not run out) for exactly as long as a test needs.
/// </summary>
public sealed class HoldingTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private List<HeldTimer>? _held;

    /// <summary>From now on, delays wait for <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _held ??= [];
        }
    }

    /// <summary>Lets every held delay run out at once, and later ones run on the system clock again.</summary>
    public void Release()
    {
        List<HeldTimer> held;
        lock (_lock)
        {
            held = _held ?? [];
            _held = null;
        }

        foreach (var timer in held)
        {
            timer.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            if (_held is { } held && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                var timer = new HeldTimer(callback, state);
                held.Add(timer);
                return timer;
            }
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }

    private sealed class HeldTimer(TimerCallback callback, object? state) : ITimer
    {
        private int _done;

        public void Fire()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }
        }

        // The client never re-arms the delays it awaits; a held one stays held until released or disposed.
        public bool Change(TimeSpan dueTime, TimeSpan period) => Volatile.Read(ref _done) == 0;

        public void Dispose() => Interlocked.Exchange(ref _done, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
