using System.Diagnostics;
using System.Runtime;
using Chat.Server.Observability;
using Microsoft.Extensions.Options;

namespace Chat.Server.WarmUp;

/// <summary>
/// Once the node listens (so that <c>/healthz</c> answers and <c>/readyz</c> says why not yet), runs the warm-up steps,
/// then tells readiness the node is warm. A freshly started process compiles every method the first time it runs and
/// again, optimized, once it is hot: thousands of methods, seconds of CPU, which otherwise fall on the first users
/// (docs/benchmarks.md, "Cold start"). A warm-up that fails or overruns is logged and the node serves cold.
/// </summary>
internal sealed class StartupWarmUp(
    IEnumerable<IWarmUpStep> steps,
    WarmUpState state,
    IOptions<WarmUpOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<StartupWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (state.IsWarm)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var stopwatch = Stopwatch.StartNew();
        var methods = JitInfo.GetCompiledMethodCount();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            foreach (var step in steps)
            {
                var stepStarted = Stopwatch.GetTimestamp();
                var stepMethods = JitInfo.GetCompiledMethodCount();
                await step.RunAsync(timeout.Token);
                ChatLog.WarmUpStep(logger, step.GetType().Name, Stopwatch.GetElapsedTime(stepStarted).TotalSeconds, JitInfo.GetCompiledMethodCount() - stepMethods);
            }

            ChatLog.WarmedUp(logger, stopwatch.Elapsed.TotalSeconds, JitInfo.GetCompiledMethodCount() - methods);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception)
        {
            ChatLog.WarmUpFailed(logger, stopwatch.Elapsed.TotalSeconds, exception);
        }
        finally
        {
            state.MarkWarm();
        }
    }
}
