using Chat.Server.Observability;
using Microsoft.Extensions.Options;

namespace Chat.Server.Calls;

/// <summary>
/// Ends calls nobody answered in time and, in a cluster, this node's calls whose other side's node died. Every node
/// sweeps: the store lets one of them end each call, so a call still times out when the node that placed it is gone.
/// </summary>
internal sealed class CallSweepLoop(CallService calls, IOptions<CallsOptions> options, TimeProvider time, ILogger<CallSweepLoop> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A quarter of the ring timeout, at most a second: a timeout is told within a second of it.
        var interval = TimeSpan.FromTicks(Math.Min(options.Value.RingTimeout.Ticks / 4, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await calls.SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                ChatLog.CallSweepFailed(logger, exception);
            }
        }
    }
}
