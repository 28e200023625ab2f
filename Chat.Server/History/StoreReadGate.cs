using System.Diagnostics;
using Chat.Server.Observability;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>
/// Paces the store reads of calls (joins, recoveries, history pages): at most <see cref="DatabaseOptions.MaxConcurrentReads"/>
/// run at once on this node; the others wait their turn without holding a thread or a store connection, and are never
/// refused. After a restart every client reconnects at once: unpaced, thousands of reads each hold a thread (SQLite
/// reads are synchronous) and a pooled connection (PostgreSQL's pool refuses past its size after its timeout), the
/// thread pool falls behind, and the server stops hearing its clients' pings and drops them
/// (docs/benchmarks.md, "Restart storms").
/// </summary>
/// <remarks>
/// <para>
/// The line is ordered by connection, oldest first (<see cref="CallerOpenedAt"/>): a client that came back early finishes
/// its recovery (several reads, one after the other) before later ones start theirs, instead of every client
/// finishing at the end of the storm. No read waits behind one that arrived more than <see cref="MaxHeadStart"/> after
/// it, so a busy old connection cannot hold newer ones back for long. Reads outside a hub call rank by their arrival.
/// </para>
/// <para>
/// A holder must not enter again before it leaves (no store read inside another): with every turn held by readers
/// waiting for a second one, nobody would move.
/// </para>
/// </remarks>
public sealed class StoreReadGate
{
    /// <summary>The most a read of an older connection goes ahead of reads that arrived after it.</summary>
    public static readonly TimeSpan MaxHeadStart = TimeSpan.FromMinutes(1);

    private static readonly AsyncLocal<long> OpenedAt = new();
    private static readonly long HeadStartTicks = (long)(MaxHeadStart.TotalSeconds * Stopwatch.Frequency);

    private readonly Lock _lock = new();
    private readonly PriorityQueue<Waiter, (long Rank, long Arrival)> _line = new();
    private readonly ChatMetrics _metrics;
    private int _free;
    private int _waiting;
    private long _arrivals;

    public StoreReadGate(IOptions<DatabaseOptions> options, ChatMetrics metrics)
    {
        _metrics = metrics;
        _free = options.Value.MaxConcurrentReads;
        metrics.Meter.CreateObservableGauge(
            "store.reads.waiting",
            () => Volatile.Read(ref _waiting),
            description: "Store reads waiting for their turn (Database:MaxConcurrentReads run at once).");
    }

    /// <summary>
    /// When the connection whose call runs on this async flow opened (a <see cref="Stopwatch"/> timestamp), set by the
    /// hub filter for each call: its reads take their place in line by it. Zero outside a hub call.
    /// </summary>
    public static long CallerOpenedAt
    {
        get => OpenedAt.Value;
        set => OpenedAt.Value = value;
    }

    /// <summary>Waits for a turn (cancelled with the caller); dispose the turn when the read is done.</summary>
    public ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_free > 0 && _waiting == 0)
            {
                _free--;
                return ValueTask.FromResult(new Turn(this));
            }

            var arrival = Stopwatch.GetTimestamp();
            var rank = OpenedAt.Value is var opened and not 0 ? Math.Max(opened, arrival - HeadStartTicks) : arrival;
            waiter = new Waiter(arrival);
            _line.Enqueue(waiter, (rank, _arrivals++));
            _waiting++;
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>Runs <paramref name="read"/> in its turn.</summary>
    public async Task<T> ReadAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        using var turn = await EnterAsync(cancellationToken);
        return await read();
    }

    private async ValueTask<Turn> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(() => Abandon(waiter)))
        {
            await waiter.Task;
        }

        _metrics.StoreReadWaited(Stopwatch.GetElapsedTime(waiter.Arrival));
        return new Turn(this);
    }

    /// <summary>A caller that went away leaves the line; one whose turn came already keeps it (and gives it back).</summary>
    private void Abandon(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Granted || waiter.Abandoned)
            {
                return;
            }

            // Left in the heap and skipped when it comes up: removing from the middle costs more than it saves.
            waiter.Abandoned = true;
            _waiting--;
        }

        waiter.TrySetCanceled();
    }

    private void Leave()
    {
        Waiter? next = null;
        lock (_lock)
        {
            while (_line.TryDequeue(out var waiter, out _))
            {
                if (!waiter.Abandoned)
                {
                    next = waiter;
                    next.Granted = true;
                    _waiting--;
                    break;
                }
            }

            if (next is null)
            {
                _free++;
            }
        }

        // The turn passes straight to the next in line; its continuation runs elsewhere (not under this reader's stack).
        next?.TrySetResult();
    }

    /// <summary>One turn: disposing it lets the next read in.</summary>
    public sealed class Turn(StoreReadGate gate) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                gate.Leave();
            }
        }
    }

    private sealed class Waiter(long arrival) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Arrival { get; } = arrival;

        /// <summary>Its caller went away before its turn came (set under the gate's lock).</summary>
        public bool Abandoned { get; set; }

        /// <summary>Its turn came: a cancellation from now on changes nothing (set under the gate's lock).</summary>
        public bool Granted { get; set; }
    }
}
