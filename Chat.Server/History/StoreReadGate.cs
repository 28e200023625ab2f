using System.Diagnostics;
using System.Threading.RateLimiting;
using Chat.Server.Observability;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>
/// Paces the store reads of calls (joins, recoveries, history pages): at most <see cref="DatabaseOptions.MaxConcurrentReads"/>
/// run at once on this node; the others wait their turn, oldest first, without holding a thread or a store connection,
/// and are never refused. After a restart every client reconnects at once: unpaced, thousands of reads each hold a
/// thread (SQLite reads are synchronous) and a pooled connection (PostgreSQL's pool refuses past its size after its
/// timeout), the thread pool grows, and everyone finishes late. The change pipeline's writer does not pass here.
/// </summary>
/// <remarks>
/// A holder must not enter again before it leaves (no store read inside another): with every permit held by readers
/// waiting for a second one, nobody would move.
/// </remarks>
public sealed class StoreReadGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly ChatMetrics _metrics;

    public StoreReadGate(IOptions<DatabaseOptions> options, ChatMetrics metrics)
    {
        _metrics = metrics;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxConcurrentReads,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        metrics.Meter.CreateObservableGauge(
            "store.reads.waiting",
            () => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0,
            description: "Store reads waiting for their turn (Database:MaxConcurrentReads run at once).");
    }

    /// <summary>Waits for a turn (cancelled with the caller); dispose the lease when the read is done.</summary>
    public async ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken)
    {
        var acquiring = _limiter.AcquireAsync(1, cancellationToken);
        RateLimitLease lease;
        if (acquiring.IsCompletedSuccessfully)
        {
            lease = acquiring.Result;
        }
        else
        {
            var started = Stopwatch.GetTimestamp();
            lease = await acquiring;
            _metrics.StoreReadWaited(Stopwatch.GetElapsedTime(started));
        }

        // The queue has no limit: a lease is refused only once the limiter is disposed, at shutdown.
        return lease.IsAcquired ? lease : throw new ObjectDisposedException(nameof(StoreReadGate));
    }

    /// <summary>Runs <paramref name="read"/> in its turn.</summary>
    public async Task<T> ReadAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        using var lease = await EnterAsync(cancellationToken);
        return await read();
    }

    public void Dispose() => _limiter.Dispose();
}
