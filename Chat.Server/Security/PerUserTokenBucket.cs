using System.Threading.RateLimiting;

namespace Chat.Server.Security;

/// <summary>A token bucket per user (System.Threading.RateLimiting): a sustained rate with a burst on top, on this node.</summary>
public abstract class PerUserTokenBucket : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    protected PerUserTokenBucket(int tokensPerPeriod, int burst, TimeSpan period) =>
        // The partitioned limiter replenishes its partitions on its own timer, so theirs stays off.
        _limiter = PartitionedRateLimiter.Create<string, string>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = tokensPerPeriod,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = false,
            }));

    public bool TryAcquire(string userId, int permits = 1)
    {
        using var lease = _limiter.AttemptAcquire(userId, permits);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}
