using Chat.Server.Observability;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Chat.Server.Cluster;

/// <summary>Ready only while Redis answers and the backplane carries sends: otherwise this node cannot reach the rest of the cluster.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis, BackplaneStatus backplane) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.Multiplexer.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Redis is not connected.");
        }

        if (backplane.Connected != true)
        {
            return HealthCheckResult.Unhealthy("The backplane is not connected yet: sends reach this node's connections only.");
        }

        try
        {
            var latency = await redis.Database.PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer.", exception);
        }
    }
}
