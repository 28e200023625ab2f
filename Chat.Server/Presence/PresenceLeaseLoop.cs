using Chat.Server.Cluster;
using Chat.Server.Observability;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Server.Presence;

/// <summary>
/// Keeps this node's presence lease alive and removes the connections of nodes whose lease expired. On a graceful
/// stop it hands its connections over through the lease instead of removing them one by one
/// (see <see cref="RedisPresenceTracker.BeginDraining"/>).
/// </summary>
internal sealed class PresenceLeaseLoop(
    RedisPresenceTracker tracker,
    IOptions<RedisClusterOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<PresenceLeaseLoop> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(tracker.BeginDraining);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        var failing = false;
        do
        {
            try
            {
                await tracker.HeartbeatAsync(stoppingToken);
                await tracker.ReapExpiredNodesAsync(stoppingToken);
                failing = false;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // Redis is away: the multiplexer reconnects by itself, and the first beat after that repairs the state.
                if (!failing)
                {
                    ChatLog.PresenceLeaseFailed(logger, tracker.NodeId, exception);
                }

                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
