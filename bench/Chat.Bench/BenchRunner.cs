using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Chat.Bench;

/// <summary>Runs the scenarios in order; every figure of ours is measured beside the baseline's in the same run.</summary>
public static class BenchRunner
{
    private const string Filler = "the quick brown fox jumps over the lazy dog";
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan IdleCpuWindow = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan QuietLimit = TimeSpan.FromSeconds(40);
    private const double QuietCores = 0.05;
    private static readonly TimeSpan SustainedDrain = TimeSpan.FromSeconds(2);
    private const double SustainedP99Milliseconds = 2_000;
    private static readonly ConcurrentDictionary<int, StepCounters> ActiveSteps = new();
    private static int _nextStep;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        LoadClient.CountersFor = step => ActiveSteps.GetValueOrDefault(step);
        ServerUnderTest.ChatLaunch = options.ChatLaunch;
        ServerUnderTest.BaselineAnnouncesJoins = options.BaselineAnnouncesJoins;
        var results = new BenchResults
        {
            Profile = options.Profile,
            StartedAt = DateTime.UtcNow,
            Machine = DescribeMachine(),
            Command = "bench/run.sh " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)),
            Durability = options.Durability,
            ChatServer = options.ChatLaunch.Assembly ?? RepositoryPaths.ServerAssembly,
        };
        // Every chat server of the run inherits it (the bare hub stores nothing).
        Environment.SetEnvironmentVariable("Database__Durability", options.Durability);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Directory.CreateDirectory(options.OutputDirectory);
        Progress.Line($"profile {options.Profile}; results in {options.OutputDirectory}");

        try
        {
            if (options.Scenarios.Contains("idle"))
            {
                await IdleAsync(options, results, cancel.Token);
            }

            if (options.Scenarios.Contains("joinstorm"))
            {
                await JoinStormAsync(options, results, cancel.Token);
            }

            if (options.Scenarios.Contains("coldstart"))
            {
                await ColdStartBench.RunAsync(options, results, cancel.Token);
            }

            if (options.Scenarios.Contains("fanout"))
            {
                foreach (var (rooms, members) in options.FanOutShapes)
                {
                    await RisingRatesAsync("fanout", options, results, WireProtocol.MessagePack, rooms, members,
                        [.. options.FanOutDeliveryRates.Select(d => d / members)], cancel.Token);
                }
            }

            if (options.Scenarios.Contains("ingest"))
            {
                await RisingRatesAsync("ingest", options, results, WireProtocol.MessagePack, 1_000, 2, options.IngestRates, cancel.Token);
            }

            if (options.Scenarios.Contains("protocols"))
            {
                foreach (var protocol in new[] { WireProtocol.Json, WireProtocol.MessagePack })
                {
                    await RisingRatesAsync("protocols", options, results, protocol, 100, 10, [options.ComparisonDeliveryRate / 10], cancel.Token);
                }
            }

            if (options.Scenarios.Contains("redis"))
            {
                await RedisAsync(options, results, cancel.Token);
            }

            if (options.Scenarios.Contains("readmarks"))
            {
                await ReadMarksAsync(options, results, cancel.Token);
            }

            if (options.Scenarios.Contains("search"))
            {
                await SearchBench.RunAsync(results, cancel.Token);
            }

            if (options.Scenarios.Contains("members"))
            {
                await MembersBench.RunAsync(options, results, cancel.Token);
            }

            if (options.Scenarios.Contains("restartstorm"))
            {
                await RestartStormBench.RunAsync(options, results, cancel.Token);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Progress.Line("cancelled; writing what was measured");
        }
        finally
        {
            await WriteAsync(options, results);
        }

        return 0;
    }

    private static Task IdleAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken) =>
        ConnectAndHoldAsync("idle", options.IdleConnections, membersPerRoom: 100, options, results, cancellationToken);

    /// <summary>
    /// Joins as fast as the clients can make them, into rooms of 100 and into one room of them all: what a join costs
    /// as its room grows (a join answers the room's members and announces itself to them), beside the bare hub.
    /// </summary>
    private static async Task JoinStormAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        var count = Math.Min(options.IdleConnections, 5_000);
        await WarmLoadGeneratorAsync(count, cancellationToken);
        foreach (var size in options.JoinStormRoomSizes)
        {
            await ConnectAndHoldAsync("joinstorm", count, membersPerRoom: size == 0 ? count : size, options, results, cancellationToken);
        }
    }

    /// <summary>
    /// An unmeasured storm into a throwaway bare hub. The first storm a bench process made ran at about two thirds of
    /// the rate of its later ones (the load generator's own connect path still cold), which favoured or hurt a
    /// shape's ratio by where its storms came; this narrows that, not wholly, so the server's CPU per connection,
    /// which the order does not sway, is reported beside the rate.
    /// </summary>
    private static async Task WarmLoadGeneratorAsync(int count, CancellationToken cancellationToken)
    {
        await using var server = await ServerUnderTest.StartAsync(ServerKind.Baseline, cancellationToken: cancellationToken);
        var clients = await LoadClientFactory.ConnectAsync(server, WireProtocol.MessagePack,
            [.. Enumerable.Range(0, count).Select(i => $"warm-{i / 100}")], "warm", cancellationToken: cancellationToken);
        await LoadClientFactory.DisposeAllAsync(clients);
        Progress.Line($"load generator warmed by {count} connections to a throwaway bare hub");
    }

    private static async Task ConnectAndHoldAsync(
        string scenario, int count, int membersPerRoom, BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        const int WarmUpConnections = 200;
        const int ConnectionsPerAddress = 10_000;
        foreach (var kind in new[] { ServerKind.Baseline, ServerKind.Chat })
        {
            var addresses = Math.Max(1, (count + ConnectionsPerAddress - 1) / ConnectionsPerAddress);
            await using var server = await ServerUnderTest.StartAsync(kind, addresses, cancellationToken: cancellationToken);
            var clients = new List<LoadClient>();
            try
            {
                // Warm up (JIT, pools, the store's first queries) so that "before" is a serving process, not a cold one.
                clients.AddRange(await LoadClientFactory.ConnectAsync(server, WireProtocol.MessagePack,
                    [.. Enumerable.Range(0, WarmUpConnections).Select(i => $"warm-{i / 100}")], "warm", cancellationToken: cancellationToken));
                await Settle(cancellationToken);
                await HoldAsync(options, server, "before the idle connections", cancellationToken);
                var before = server.ResidentBytes;

                var started = Stopwatch.GetTimestamp();
                var cpuBefore = server.CpuTime;
                var connected = 0;
                using (Progress.Every(() => $"{scenario} {server.Name}: {Volatile.Read(ref connected)}/{count} connections, RSS {server.ResidentBytes / 1048576} MiB"))
                {
                    clients.AddRange(await LoadClientFactory.ConnectAsync(server, WireProtocol.MessagePack,
                        [.. Enumerable.Range(0, count).Select(i => $"{scenario}{membersPerRoom}-{i / membersPerRoom}")], scenario, n => Volatile.Write(ref connected, n), cancellationToken: cancellationToken));
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                var cpuPerConnection = (server.CpuTime - cpuBefore).TotalMilliseconds / count;
                var idleCores = await WaitUntilQuietAsync(server, cancellationToken);
                var after = server.ResidentBytes;
                var result = new IdleResult(server.Name, count, count / elapsed.TotalSeconds, before, after, (after - before) / (double)count, idleCores)
                {
                    Scenario = scenario,
                    MembersPerRoom = membersPerRoom,
                    ServerCpuMillisecondsPerConnection = cpuPerConnection,
                };
                results.Idle.Add(result);
                Progress.Line($"{scenario} {server.Name}: {count} connections in rooms of {membersPerRoom} at {result.ConnectsPerSecond:F0}/s, {cpuPerConnection:F2} ms of server CPU and {result.BytesPerConnection / 1024:F1} KiB each, idle CPU {idleCores:F2} cores");
                await HoldAsync(options, server, $"with {count} idle connections", cancellationToken);
            }
            finally
            {
                await server.DisposeAsync();
                await LoadClientFactory.DisposeAllAsync(clients);
            }
        }
    }

    /// <summary>With --hold-idle: the server stays as it is until Enter, for <c>Chat.Bench heap PID</c> (see <see cref="HeapCensus"/>).</summary>
    private static async Task HoldAsync(BenchOptions options, ServerUnderTest server, string state, CancellationToken cancellationToken)
    {
        if (options.HoldIdle)
        {
            Progress.Line($"holding {server.Name} (pid {server.ProcessId}) {state}; press Enter to go on");
            await Console.In.ReadLineAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Both servers up with the same room shape; for each offered rate, one step on the baseline then one on ours,
    /// so that both see the same machine. A server stops at its first step it cannot sustain.
    /// </summary>
    private static async Task RisingRatesAsync(
        string scenario,
        BenchOptions options,
        BenchResults results,
        WireProtocol protocol,
        int rooms,
        int members,
        IReadOnlyList<double> messageRates,
        CancellationToken cancellationToken,
        Func<CancellationToken, Task<ServerUnderTest>>? startChat = null)
    {
        var sendersPerRoom = Math.Min(members, Math.Max(1, 1_000 / rooms / 10));
        await using var baseline = await ServerUnderTest.StartAsync(ServerKind.Baseline, cancellationToken: cancellationToken);
        await using var chat = await (startChat ?? (ct => ServerUnderTest.StartAsync(ServerKind.Chat, cancellationToken: ct)))(cancellationToken);
        var roomOfClient = Enumerable.Range(0, rooms * members).Select(i => $"{scenario}-{i / members}").ToList();
        var tag = $"{scenario} {rooms}x{members} {protocol}";
        var baselineClients = await LoadClientFactory.ConnectAsync(baseline, protocol, roomOfClient, "b", cancellationToken: cancellationToken);
        var chatClients = await LoadClientFactory.ConnectAsync(chat, protocol, roomOfClient, $"{scenario}{rooms}x{members}u", cancellationToken: cancellationToken);
        try
        {
            var live = new Dictionary<ServerUnderTest, List<LoadClient>> { [baseline] = baselineClients, [chat] = chatClients };
            foreach (var (server, clients) in live)
            {
                // Unmeasured: JIT, EF Core's model and query caches, pools, the first commits.
                var senders = clients.Where((_, i) => i % members < sendersPerRoom).ToList();
                await RunStepAsync(scenario, $"{tag} warm-up", server, protocol, rooms, members, senders, messageRates[0], WarmUp, cancellationToken);
            }

            // The CPU the server burns with these connections open and no traffic (keep-alives, timers, GC), once the
            // JIT has finished recompiling the warm-up's hot paths: the fixed part of each step's CPU.
            var idleCores = new Dictionary<ServerUnderTest, double>();
            foreach (var server in live.Keys)
            {
                idleCores[server] = await WaitUntilQuietAsync(server, cancellationToken);
            }

            foreach (var rate in messageRates)
            {
                foreach (var (server, clients) in live.ToList())
                {
                    var senders = clients.Where((_, i) => i % members < sendersPerRoom).ToList();
                    var step = await RunStepAsync(scenario, tag, server, protocol, rooms, members, senders, rate, options.StepDuration, cancellationToken, idleCores[server]);
                    results.Steps.Add(step);
                    if (!step.Sustained)
                    {
                        live.Remove(server);
                    }
                }

                if (live.Count == 0)
                {
                    break;
                }
            }

            var metrics = await chat.ScrapeMetricsAsync(cancellationToken);
            await File.WriteAllTextAsync(
                Path.Combine(options.OutputDirectory, $"metrics-{FileNamePart(chat.Name)}-{scenario}-{rooms}x{members}-{protocol}.txt"), metrics, cancellationToken);
        }
        finally
        {
            await baseline.DisposeAsync();
            await chat.DisposeAsync();
            await LoadClientFactory.DisposeAllAsync(baselineClients.Concat(chatClients));
        }
    }

    internal static async Task<StepResult> RunStepAsync(
        string scenario,
        string tag,
        ServerUnderTest server,
        WireProtocol protocol,
        int rooms,
        int members,
        IReadOnlyList<LoadClient> senders,
        double rate,
        TimeSpan duration,
        CancellationToken cancellationToken,
        double idleCores = 0)
    {
        var counters = new StepCounters(Interlocked.Increment(ref _nextStep));
        ActiveSteps[counters.Step] = counters;
        var total = (long)(rate * duration.TotalSeconds);
        var ticksPerMessage = Stopwatch.Frequency / rate;
        using var display = Progress.Every(() =>
            $"{tag} {server.Name} @ {rate * members:F0} deliveries/s: sent {counters.Sent}/{total}, acked {counters.Acked}, failed {counters.Failed}, received {counters.Received}");

        var cpuBefore = server.CpuTime;
        var started = Stopwatch.GetTimestamp();
        long index = 0;
        // Open loop: message i is due at started + i/rate whatever happened to the earlier ones; latency counts from then.
        while (index < total)
        {
            var due = Math.Min(total, (long)((Stopwatch.GetTimestamp() - started) / ticksPerMessage) + 1);
            for (; index < due; index++)
            {
                var scheduled = started + (long)(index * ticksPerMessage);
                var sender = senders[(int)(index % senders.Count)];
                counters.OnSent();
                _ = SendAsync(sender, LoadClient.Content(counters.Step, scheduled, Filler), counters);
            }

            await Task.Delay(1, cancellationToken);
        }

        var sendEnded = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(sendEnded) < DrainLimit)
        {
            var settled = counters.Acked + counters.Failed == counters.Sent;
            if (settled && counters.Received >= counters.Acked * members)
            {
                break;
            }

            await Task.Delay(5, cancellationToken);
        }

        var ended = Stopwatch.GetTimestamp();
        var cpu = server.CpuTime - cpuBefore;
        ActiveSteps.TryRemove(counters.Step, out _);

        var window = Stopwatch.GetElapsedTime(started, ended).TotalSeconds;
        var expected = counters.Acked * members;
        var lost = Math.Max(0, expected - counters.Received);
        var drain = Stopwatch.GetElapsedTime(sendEnded, ended);
        var p99 = counters.Latency.GetValueAtPercentile(99) / 1000.0;
        // Sustained: no failures, no loss, the backlog gone soon after the last send (the queues did not grow without bound).
        var sustained = counters.Failed == 0 && lost == 0 && drain < SustainedDrain && p99 < SustainedP99Milliseconds && !server.HasExited;
        var result = new StepResult(
            scenario, server.Name, protocol.ToString(), rooms, members, rate,
            counters.Acked / window, counters.Received / window,
            counters.Latency.GetValueAtPercentile(50) / 1000.0, p99, counters.Latency.GetValueAtPercentile(100) / 1000.0,
            expected, counters.Received, lost, counters.Failed, counters.OrderViolations,
            counters.Received == 0 ? double.NaN : cpu.TotalMicroseconds / counters.Received,
            idleCores,
            counters.Received == 0 ? double.NaN : (cpu.TotalMicroseconds - (idleCores * window * 1e6)) / counters.Received,
            sustained, counters.FirstError);
        Progress.Line(
            $"{tag} {server.Name} @ {rate * members:F0}/s: {result.DeliveriesPerSecond:F0} deliveries/s, p50 {result.P50Milliseconds:F1} ms, " +
            $"p99 {result.P99Milliseconds:F1} ms, lost {lost}, failed {counters.Failed}, {result.ServerCpuMicrosecondsPerDelivery:F2} µs CPU/delivery" +
            (sustained ? string.Empty : " (not sustained)"));
        return result;
    }

    private static async Task SendAsync(LoadClient sender, string content, StepCounters counters)
    {
        try
        {
            await sender.SendAsync(content, Guid.NewGuid().ToString("N"));
            counters.OnAcked();
        }
        catch (Exception exception)
        {
            counters.OnFailed(exception);
        }
    }

    private static async Task RedisAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        if (!RepositoryPaths.ServerHasRedisBackplane)
        {
            results.Skipped.Add(new SkippedResult("redis", "the server build has no Redis backplane (Microsoft.AspNetCore.SignalR.StackExchangeRedis is not in its output)"));
            return;
        }

        if (RedisProcess.FindExecutable() is not { } redisServer)
        {
            results.Skipped.Add(new SkippedResult("redis", "redis-server is not installed"));
            return;
        }

        await using var redis = await RedisProcess.StartAsync(redisServer, cancellationToken);
        var rate = options.ComparisonDeliveryRate / 10;
        var backplane = new Dictionary<string, string> { ["Redis:Configuration"] = redis.Configuration };
        await RisingRatesAsync("redis", options, results, WireProtocol.MessagePack, 100, 10, [rate], cancellationToken);
        await RisingRatesAsync("redis", options, results, WireProtocol.MessagePack, 100, 10, [rate], cancellationToken,
            ct => ServerUnderTest.StartAsync(ServerKind.Chat, name: OneNodeWithRedis, settings: backplane, cancellationToken: ct));
        // Every room has members on both nodes, so every message crosses the backplane to reach half its room.
        await RisingRatesAsync("redis", options, results, WireProtocol.MessagePack, 100, 10, [rate], cancellationToken,
            ct => ServerUnderTest.StartClusterAsync(2, TwoNodesWithRedis, backplane, ct));
    }

    /// <summary>
    /// One room of 1,000 members, the same rates twice on one server: members only receiving, then every member marking
    /// the room read after each message. The difference is what read state costs a delivery (the bare hub has no
    /// read state to compare with).
    /// </summary>
    private static async Task ReadMarksAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        const int Members = 1_000;
        // 1,000 and 5,000 deliveries (and, when marking, as many marks) a second: a room of this size, calm and lively.
        double[] rates = [1, 5];
        await using var chat = await ServerUnderTest.StartAsync(ServerKind.Chat, cancellationToken: cancellationToken);
        var clients = await LoadClientFactory.ConnectAsync(chat, WireProtocol.MessagePack, [.. Enumerable.Repeat("readmarks-0", Members)], "readmarks", cancellationToken: cancellationToken);
        try
        {
            var senders = clients.Take(1).ToList();
            foreach (var (marking, rate) in new[] { false, true }.SelectMany(m => rates.Select(r => (m, r))))
            {
                foreach (var client in clients)
                {
                    client.MarksRead = marking;
                }

                var tag = marking ? ReadMarksServer : "chat";
                await RunStepAsync("readmarks", $"readmarks 1x{Members} {tag} warm-up", chat, WireProtocol.MessagePack, 1, Members, senders, rate, WarmUp, cancellationToken);
                var idleCores = await WaitUntilQuietAsync(chat, cancellationToken);
                var step = await RunStepAsync("readmarks", $"readmarks 1x{Members} {tag}", chat, WireProtocol.MessagePack, 1, Members, senders, rate, options.StepDuration, cancellationToken, idleCores);
                results.Steps.Add(step with { Server = tag });
            }

            var metrics = await chat.ScrapeMetricsAsync(cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "metrics-chat-readmarks.txt"), metrics, cancellationToken);
        }
        finally
        {
            await chat.DisposeAsync();
            await LoadClientFactory.DisposeAllAsync(clients);
        }
    }

    public const string ReadMarksServer = "chat, every member marking read";

    public const string OneNodeWithRedis = "chat+redis";
    public const string TwoNodesWithRedis = "2 nodes+redis";

    private static string FileNamePart(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    /// <summary>
    /// Waits until the server's CPU use with no traffic falls under <see cref="QuietCores"/> (tiered JIT recompiles
    /// hot methods in the background for a while after a warm-up), or <see cref="QuietLimit"/> passes; returns the
    /// last idle reading in cores.
    /// </summary>
    internal static async Task<double> WaitUntilQuietAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(QuietLimit.TotalSeconds * Stopwatch.Frequency);
        double cores;
        do
        {
            var before = server.CpuTime;
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(IdleCpuWindow, cancellationToken);
            cores = (server.CpuTime - before) / Stopwatch.GetElapsedTime(started);
        }
        while (cores > QuietCores && Stopwatch.GetTimestamp() < deadline);

        Progress.Line($"  {server.Name} idle: {cores:F2} cores");
        return cores;
    }

    private static async Task Settle(CancellationToken cancellationToken) => await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);

    private static MachineInfo DescribeMachine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memoryKiB = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return new MachineInfo(cpu, Environment.ProcessorCount, long.Parse(memoryKiB, CultureInfo.InvariantCulture) * 1024,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, BenchOptions.FileDescriptorLimit());
    }

    private static async Task WriteAsync(BenchOptions options, BenchResults results)
    {
        var json = Path.Combine(options.OutputDirectory, "results.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(results, JsonDefaults.Indented));
        var markdown = Path.Combine(options.OutputDirectory, "results.md");
        await File.WriteAllTextAsync(markdown, MarkdownReport.Render(results));
        Progress.Line($"wrote {json} and {markdown}");
    }
}

internal static class JsonDefaults
{
    public static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
