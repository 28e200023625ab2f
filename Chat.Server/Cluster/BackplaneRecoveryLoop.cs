using Chat.Server.Hubs;
using Chat.Server.Observability;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Cluster;

/// <summary>
/// Connects the backplane at start and again whenever it was dropped. The first attempt runs before the host
/// finishes starting, so a node that can reach Redis is part of the cluster from its first request on.
/// </summary>
internal sealed class BackplaneRecoveryLoop(HubLifetimeManager<ChatHub> lifetimeManager, TimeProvider time, ILogger<BackplaneRecoveryLoop> logger) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    private readonly ResilientRedisHubLifetimeManager<ChatHub> _backplane = (ResilientRedisHubLifetimeManager<ChatHub>)lifetimeManager;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await TryConnectAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RetryInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!_backplane.IsBackplaneActive)
            {
                await TryConnectAsync(stoppingToken);
            }
        }
    }

    /// <summary>Whatever fails on the way, the node goes on serving its own clients and tries again.</summary>
    private async Task TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _backplane.TryConnectBackplaneAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ChatLog.BackplaneConnectFailed(logger, exception);
        }
    }
}
