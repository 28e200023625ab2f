namespace Chat.Tests.Infrastructure;

/// <summary>Records every callback of one kind and lets a test wait, with a timeout, for what it expects.</summary>
public sealed class EventLog<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private TaskCompletionSource _changed = NewSignal();

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    public void Add(T item)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _items.Add(item);
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>The first recorded or future item that matches.</summary>
    public async Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan? timeout = null) =>
        (await WaitForCountAsync(1, predicate, timeout))[0];

    /// <summary>Waits until at least <paramref name="count"/> recorded items match; returns them in arrival order.</summary>
    public async Task<IReadOnlyList<T>> WaitForCountAsync(int count, Func<T, bool>? predicate = null, TimeSpan? timeout = null)
    {
        predicate ??= _ => true;
        var limit = timeout ?? TestDefaults.Timeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Task changed;
            List<T> matching;
            lock (_lock)
            {
                matching = [.. _items.Where(predicate)];
                changed = _changed.Task;
            }

            if (matching.Count >= count)
            {
                return matching;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(remaining)) != changed)
            {
                throw new TimeoutException(
                    $"Saw {matching.Count} of {count} matching {typeof(T).Name} within {limit}. All seen: {string.Join("; ", Items.TakeLast(20))}");
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
