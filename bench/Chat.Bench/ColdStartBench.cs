using System.Diagnostics;

namespace Chat.Bench;

/// <summary>
/// What a deploy or a crash costs the first users: a fresh server process, 100 rooms × 10 members connected as soon
/// as it reports ready, then 800 messages/s for 15 s at once (the cold figure); once its CPU has calmed down, the same
/// 15 s again (the warm figure). The bare hub goes through the same, first, in the same run.
/// </summary>
internal static class ColdStartBench
{
    public const string Cold = "coldstart";
    public const string Warm = "coldstart-warm";
    public const int Rooms = 100;
    public const int Members = 10;
    public const double MessagesPerSecond = 800;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        await WarmUpTheClientsAsync(cancellationToken);
        for (var run = 1; run <= options.ColdStartRuns; run++)
        {
            foreach (var kind in options.ColdStartServers)
            {
                results.ColdStarts.Add(await RunOnceAsync(kind, run, options, results, cancellationToken));
            }
        }
    }

    /// <summary>
    /// The runtime's own count of JIT work so far (the System.Runtime meter on our /metrics: compilation time summed
    /// over threads, methods compiled); null for the bare hub, which has no /metrics.
    /// </summary>
    private static async Task<JitCount?> JitAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        if (server.Kind != ServerKind.Chat)
        {
            return null;
        }

        var metrics = await server.ScrapeMetricsAsync(cancellationToken);
        return new JitCount(Sample(metrics, "system_runtime_dotnet_jit_compilation_time"), (long)Sample(metrics, "system_runtime_dotnet_jit_compiled_methods"));
    }

    private static double Sample(string metrics, string name)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{name} is not on /metrics");
    }

    /// <summary>
    /// The bench's own receive and send paths are code that runs cold too: a few seconds of the same traffic against
    /// a bare hub first, unmeasured, so that the first measured server is not timed with a cold client.
    /// </summary>
    private static async Task WarmUpTheClientsAsync(CancellationToken cancellationToken)
    {
        await using var server = await ServerUnderTest.StartAsync(ServerKind.Baseline, cancellationToken: cancellationToken);
        var clients = await LoadClientFactory.ConnectAsync(server, WireProtocol.MessagePack,
            [.. Enumerable.Range(0, Rooms * Members).Select(i => $"{Cold}-{i / Members}")], "clientwarmup", cancellationToken: cancellationToken);
        try
        {
            var senders = clients.Where((_, i) => i % Members == 0).ToList();
            await BenchRunner.RunStepAsync(Cold, $"{Cold} client warm-up", server, WireProtocol.MessagePack, Rooms, Members, senders, MessagesPerSecond, TimeSpan.FromSeconds(5), cancellationToken);
        }
        finally
        {
            await server.DisposeAsync();
            await LoadClientFactory.DisposeAllAsync(clients);
        }
    }

    private static async Task<ColdStartResult> RunOnceAsync(
        ServerKind kind, int run, BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var server = await ServerUnderTest.StartAsync(kind, cancellationToken: cancellationToken);
        var ready = Stopwatch.GetElapsedTime(started);
        var readyCpu = server.CpuTime;
        var jitReady = await JitAsync(server, cancellationToken);

        var connectStarted = Stopwatch.GetTimestamp();
        var clients = await LoadClientFactory.ConnectAsync(server, WireProtocol.MessagePack,
            [.. Enumerable.Range(0, Rooms * Members).Select(i => $"{Cold}-{i / Members}")], $"cold{run}u", cancellationToken: cancellationToken);
        try
        {
            var connected = Stopwatch.GetElapsedTime(connectStarted);
            var connectCpu = server.CpuTime - readyCpu;
            var jitConnected = await JitAsync(server, cancellationToken);
            Progress.Line($"{Cold} {server.Name} run {run}: ready after {ready.TotalSeconds:F2} s ({readyCpu.TotalSeconds:F2} s CPU), " +
                $"{clients.Count} connected and joined in {connected.TotalSeconds:F2} s ({connectCpu.TotalSeconds:F2} s CPU)");

            var senders = clients.Where((_, i) => i % Members == 0).ToList();
            var tag = $"{Cold} {Rooms}x{Members} run {run}";
            var cold = await BenchRunner.RunStepAsync(Cold, $"{tag} cold", server, WireProtocol.MessagePack, Rooms, Members, senders, MessagesPerSecond, Window, cancellationToken) with { Run = run };
            var jitCold = await JitAsync(server, cancellationToken);
            var idleCores = await BenchRunner.WaitUntilQuietAsync(server, cancellationToken);
            var jitQuiet = await JitAsync(server, cancellationToken);
            var warm = await BenchRunner.RunStepAsync(Warm, $"{tag} warm", server, WireProtocol.MessagePack, Rooms, Members, senders, MessagesPerSecond, Window, cancellationToken, idleCores) with { Run = run };
            var jitWarm = await JitAsync(server, cancellationToken);
            results.Steps.Add(cold);
            results.Steps.Add(warm);
            var jit = jitReady is null
                ? null
                : new JitFigures(jitReady.Value, jitConnected!.Value - jitReady.Value, jitCold!.Value - jitConnected.Value, jitWarm!.Value - jitQuiet!.Value);
            if (jit is not null)
            {
                Progress.Line($"  JIT: {jit.Ready.Seconds:F2} s / {jit.Ready.Methods} methods until ready, {jit.Connect.Seconds:F2} s / {jit.Connect.Methods} connecting, " +
                    $"{jit.Cold.Seconds:F2} s / {jit.Cold.Methods} in the first 15 s, {jit.Warm.Seconds:F2} s / {jit.Warm.Methods} in the warm 15 s");
            }

            return new ColdStartResult(server.Name, run, ready.TotalSeconds, readyCpu.TotalSeconds, connected.TotalSeconds, connectCpu.TotalSeconds, cold, warm) { Jit = jit };
        }
        finally
        {
            await server.DisposeAsync();
            await LoadClientFactory.DisposeAllAsync(clients);
        }
    }
}
