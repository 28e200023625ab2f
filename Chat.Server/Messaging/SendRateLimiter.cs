using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Chat.Server.Messaging;

/// <summary>A token bucket per user (System.Threading.RateLimiting): the sustained rate with a burst on top.</summary>
public sealed class SendRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public SendRateLimiter(IOptions<MessagingOptions> options)
    {
        var rate = options.Value.MessagesPerSecond;
        var burst = options.Value.Burst;
        // The partitioned limiter replenishes its partitions on its own timer, so theirs stays off.
        _limiter = PartitionedRateLimiter.Create<string, string>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = rate,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            }));
    }

    public bool TryAcquire(string userId)
    {
        using var lease = _limiter.AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
