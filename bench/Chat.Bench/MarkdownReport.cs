using System.Globalization;
using System.Text;

namespace Chat.Bench;

/// <summary>The results as Markdown tables, each figure of ours beside its ratio to the baseline of the same run.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchResults results)
    {
        var md = new StringBuilder();
        var m = results.Machine;
        Append(md, $"Run {results.StartedAt:yyyy-MM-dd HH:mm} UTC, profile `{results.Profile}`, `Database:Durability={results.Durability}`: `{results.Command}`");
        Append(md, string.Empty);
        if (results.ChatServer is { } chatServer)
        {
            Append(md, $"Our server: `{chatServer}`.");
            Append(md, string.Empty);
        }

        Append(md, $"Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryBytes / (1L << 30)} GiB, {m.Kernel}, {m.Runtime}, open-file limit {m.FileDescriptorLimit}.");
        Append(md, string.Empty);
        RenderTargets(md, results);
        RenderIdle(md, results);
        RenderColdStarts(md, results);
        foreach (var scenario in results.Steps.Select(s => s.Scenario).Distinct())
        {
            RenderSteps(md, scenario, results.Steps.Where(s => s.Scenario == scenario).ToList());
        }

        RenderQueries(md, results);
        RenderRestartStorms(md, results);
        if (results.Skipped.Count > 0)
        {
            Append(md, "### Skipped");
            Append(md, string.Empty);
            foreach (var skipped in results.Skipped)
            {
                Append(md, $"- {skipped.Scenario}: {skipped.Reason}");
            }

            Append(md, string.Empty);
        }

        return md.ToString();
    }

    private static void RenderTargets(StringBuilder md, BenchResults results)
    {
        Append(md, "### Targets");
        Append(md, string.Empty);
        Append(md, "| target | measured | met |");
        Append(md, "| --- | --- | --- |");
        if (results.Idle.FirstOrDefault(i => i.Server == "chat" && i.Scenario == "idle") is { } idle)
        {
            Append(md, $"| ≥ 20,000 idle connections, ≤ 20 KiB each | {idle.Connections:N0} connections, {idle.BytesPerConnection / 1024:F1} KiB each | {Met(idle.Connections >= 20_000 && idle.BytesPerConnection <= 20 * 1024)} |");
        }

        foreach (var (rooms, members) in new[] { (1, 1_000), (100, 10) })
        {
            if (HighestCommonStep(results, "fanout", rooms, members) is var (chat, baseline))
            {
                var efficiency = baseline.ServerCpuMicrosecondsPerDelivery / chat.ServerCpuMicrosecondsPerDelivery;
                Append(md, $"| CPU per delivery, {rooms} × {members}, MessagePack, persisted: ≥ 0.85 of the bare hub's efficiency | {efficiency:F2} ({chat.ServerCpuMicrosecondsPerDelivery:F2} vs {baseline.ServerCpuMicrosecondsPerDelivery:F2} µs at {chat.OfferedMessagesPerSecond * members:N0} deliveries/s) | {Met(efficiency >= 0.85)} |");
            }
        }

        if (results.ColdStarts.Where(c => c.Server == "chat").ToList() is { Count: > 0 } starts)
        {
            var ratio = Median(starts.Select(ColdOverWarm));
            var p99 = Median(starts.Select(c => c.Cold.P99Milliseconds));
            var runs = starts.Count == 1 ? "one start" : $"median of {starts.Count} starts";
            Append(md, $"| first 15 s after start, 100 × 10 at 800 msgs/s: CPU per delivery ≤ 1.3 × the warm figure, p99 ≤ 50 ms | {ratio:F2} × warm, p99 {p99:F1} ms ({runs}) | {Met(ratio <= 1.3 && p99 <= 50)} |");
        }

        var ingest = results.Steps.Where(s => s.Scenario == "ingest" && s.Server == "chat" && s.Sustained).MaxBy(s => s.AckedMessagesPerSecond);
        if (ingest is not null)
        {
            Append(md, $"| persisted ingest ≥ 20,000 messages/s | {ingest.AckedMessagesPerSecond:N0} stored messages/s (highest sustained step) | {Met(ingest.AckedMessagesPerSecond >= 20_000)} |");
        }

        foreach (var (rooms, members) in new[] { (100, 10), (10, 100), (1, 1_000) })
        {
            var sustained = results.Steps.Where(s => s.Scenario == "fanout" && s.Server == "chat" && s.Rooms == rooms && s.Members == members && s.Sustained).ToList();
            if (sustained.Count == 0)
            {
                continue;
            }

            var max = sustained.Max(s => s.OfferedMessagesPerSecond);
            var half = sustained.Where(s => s.OfferedMessagesPerSecond <= (max / 2) + 0.001).MaxBy(s => s.OfferedMessagesPerSecond);
            if (half is not null)
            {
                Append(md, $"| p99 send→receive ≤ 20 ms at half the maximum rate, {rooms} × {members} | {half.P99Milliseconds:F1} ms at {half.OfferedMessagesPerSecond * members:N0} deliveries/s (max sustained {max * members:N0}) | {Met(half.P99Milliseconds <= 20)} |");
            }
        }

        var inMemory = results.Steps.FirstOrDefault(s => s.Scenario == "redis" && s.Server == "chat");
        var withRedis = results.Steps.FirstOrDefault(s => s.Scenario == "redis" && s.Server == BenchRunner.OneNodeWithRedis);
        var twoNodes = results.Steps.FirstOrDefault(s => s.Scenario == "redis" && s.Server == BenchRunner.TwoNodesWithRedis);
        if (inMemory is not null && withRedis is not null)
        {
            var ratio = inMemory.ServerCpuMicrosecondsPerDelivery / withRedis.ServerCpuMicrosecondsPerDelivery;
            Append(md, $"| one node + Redis ≥ 0.7 of in-memory (CPU per delivery) | {ratio:F2} | {Met(ratio >= 0.7)} |");
        }

        if (inMemory is not null && twoNodes is not null)
        {
            var ratio = inMemory.ServerCpuMicrosecondsPerDelivery / twoNodes.ServerCpuMicrosecondsPerDelivery;
            Append(md, $"| two nodes + Redis vs in-memory (CPU per delivery, both nodes summed; no target) | {ratio:F2} ({twoNodes.DeliveriesPerSecond:N0} deliveries/s, p99 {twoNodes.P99Milliseconds:F1} ms) | – |");
        }

        Append(md, string.Empty);
    }

    private static void RenderQueries(StringBuilder md, BenchResults results)
    {
        foreach (var scenario in results.Queries.GroupBy(q => q.Scenario))
        {
            Append(md, $"### {scenario.Key} ({scenario.First().Stored}, one client, calls one after another)");
            Append(md, string.Empty);
            Append(md, "| call | calls | hits per call | p50 ms | p99 ms | mean ms |");
            Append(md, "| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var query in scenario)
            {
                Append(md, $"| {query.Query} | {query.Calls:N0} | {query.HitsPerCall} | {F(query.P50Milliseconds, "F2")} | {F(query.P99Milliseconds, "F2")} | {F(query.MeanMilliseconds, "F2")} |");
            }

            Append(md, string.Empty);
        }
    }

    private static void RenderRestartStorms(StringBuilder md, BenchResults results)
    {
        if (results.RestartStorms.Count == 0)
        {
            return;
        }

        Append(md, "### restartstorm (Chat.Client clients in rooms of 100; the server killed and restarted under them; seconds after the restarted server took connections, unless said)");
        Append(md, string.Empty);
        Append(md, "| variant | settings | clients | messages acked | outage s | /readyz after the kill s | all connected s | all recovered s | from the kill s | per client p50 s | p99 s | not recovered | lost | doubled | out of order | failed attempts | dropped again | failed sends | liveness probe p50 / max ms | server CPU s | peak threads | peak store connections | peak RSS |");
        Append(md, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results.RestartStorms)
        {
            Append(md, $"| {r.Variant} | {(r.Settings.Length == 0 ? "defaults" : r.Settings)} | {r.Clients:N0} | {r.AcknowledgedMessages:N0} | {F(r.OutageSeconds, "F1")} | {F(r.KillToReadySeconds, "F1")} | {F(r.LiveToAllConnectedSeconds, "F1")} | {F(r.LiveToAllRecoveredSeconds, "F1")} | {F(r.KillToAllRecoveredSeconds, "F1")} | {F(r.RecoveryP50Seconds, "F1")} | {F(r.RecoveryP99Seconds, "F1")} | {r.NotRecovered} | {r.Lost} | {r.Duplicates} | {r.OrderErrors} | {r.FailedAttempts} | {r.DroppedAgain} | {r.FailedSends} | {F(r.ProbeP50Milliseconds, "F0")} / {F(r.ProbeMaxMilliseconds, "F0")} | {F(r.ServerCpuSeconds, "F1")} | {r.PeakThreads} | {r.PeakStoreConnections} | {r.PeakRssBytes / 1048576.0:F0} MiB |");
        }

        Append(md, string.Empty);
    }

    private static void RenderIdle(StringBuilder md, BenchResults results)
    {
        if (results.Idle.Count == 0)
        {
            return;
        }

        Append(md, "### Idle connections and join storms (each connection joined to one room)");
        Append(md, string.Empty);
        Append(md, "| scenario | members per room | server | connections | connects/s | vs baseline | server CPU per connection | vs baseline | RSS before | RSS after | per connection | vs baseline | idle CPU (cores) |");
        Append(md, "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var idle in results.Idle)
        {
            var baseline = results.Idle.FirstOrDefault(i => i.Server == "baseline" && i.Scenario == idle.Scenario && i.MembersPerRoom == idle.MembersPerRoom);
            var ratio = baseline is null ? "–" : F(idle.BytesPerConnection / baseline.BytesPerConnection, "F2") + "×";
            var speed = baseline is null ? "–" : F(idle.ConnectsPerSecond / baseline.ConnectsPerSecond, "F2") + "×";
            var cpu = baseline is null ? "–" : F(idle.ServerCpuMillisecondsPerConnection / baseline.ServerCpuMillisecondsPerConnection, "F2") + "×";
            Append(md, $"| {idle.Scenario} | {idle.MembersPerRoom:N0} | {idle.Server} | {idle.Connections:N0} | {idle.ConnectsPerSecond:N0} | {speed} | {idle.ServerCpuMillisecondsPerConnection:F2} ms | {cpu} | {idle.RssBeforeBytes / 1048576.0:F0} MiB | {idle.RssAfterBytes / 1048576.0:F0} MiB | {idle.BytesPerConnection / 1024:F1} KiB | {ratio} | {idle.IdleCpuCores:F2} |");
        }

        Append(md, string.Empty);
    }

    private static void RenderColdStarts(StringBuilder md, BenchResults results)
    {
        if (results.ColdStarts.Count == 0)
        {
            return;
        }

        Append(md, $"### Cold start ({ColdStartBench.Rooms} rooms × {ColdStartBench.Members}, {ColdStartBench.MessagesPerSecond:N0} msgs/s, MessagePack; the first {ColdStartBench.Window.TotalSeconds:F0} s after the clients joined, then the same once warm)");
        Append(md, string.Empty);
        Append(md, "| server | run | ready after s (CPU s) | 1,000 joined after s (CPU s) | first 15 s: µs/delivery | p50 ms | p99 ms | max ms | warm: µs/delivery | p50 ms | p99 ms | first 15 s ÷ warm |");
        Append(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var start in results.ColdStarts)
        {
            var (cold, warm) = (start.Cold, start.Warm);
            Append(md, $"| {start.Server} | {start.Run} | {start.ReadySeconds:F2} ({start.ReadyCpuSeconds:F2}) | {start.ConnectSeconds:F2} ({start.ConnectCpuSeconds:F2}) | " +
                $"{cold.ServerCpuMicrosecondsPerDelivery:F1} | {cold.P50Milliseconds:F1} | {cold.P99Milliseconds:F1} | {cold.MaxMilliseconds:F0} | " +
                $"{warm.ServerCpuMicrosecondsPerDelivery:F1} | {warm.P50Milliseconds:F1} | {warm.P99Milliseconds:F1} | {ColdOverWarm(start):F2} |");
        }

        Append(md, string.Empty);
        if (results.ColdStarts.Any(c => c.Jit is not null))
        {
            Append(md, "JIT work in each phase (the runtime's System.Runtime meter on our /metrics; compile time summed over threads, methods compiled):");
            Append(md, string.Empty);
            Append(md, "| server | run | until ready | connecting | first 15 s | warm 15 s |");
            Append(md, "| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var start in results.ColdStarts.Where(c => c.Jit is not null))
            {
                var jit = start.Jit!;
                Append(md, $"| {start.Server} | {start.Run} | {Jit(jit.Ready)} | {Jit(jit.Connect)} | {Jit(jit.Cold)} | {Jit(jit.Warm)} |");
            }

            Append(md, string.Empty);
        }
    }

    private static string Jit(JitCount count) => $"{count.Seconds:F2} s, {count.Methods:N0}";

    private static double ColdOverWarm(ColdStartResult start) =>
        start.Cold.ServerCpuMicrosecondsPerDelivery / start.Warm.ServerCpuMicrosecondsPerDelivery;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void RenderSteps(StringBuilder md, string scenario, List<StepResult> steps)
    {
        Append(md, $"### {scenario}");
        Append(md, string.Empty);
        Append(md, "| server | protocol | rooms × members | offered deliveries/s | acked msgs/s | deliveries/s | p50 ms | p99 ms | lost | failed | order errors | server CPU µs/delivery | CPU efficiency vs baseline | marginal µs/delivery (idle cores) | marginal efficiency | deliveries/s vs baseline | sustained |");
        Append(md, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var step in steps)
        {
            var baseline = steps.FirstOrDefault(b => b.Server == "baseline" && b.Run == step.Run && b.Protocol == step.Protocol && b.Rooms == step.Rooms
                && b.Members == step.Members && Math.Abs(b.OfferedMessagesPerSecond - step.OfferedMessagesPerSecond) < 0.001);
            var efficiency = baseline is null || step.Server == "baseline" ? "–" : F(baseline.ServerCpuMicrosecondsPerDelivery / step.ServerCpuMicrosecondsPerDelivery, "F2");
            var marginalEfficiency = baseline is null || step.Server == "baseline" ? "–" : F(baseline.ServerMarginalCpuMicrosecondsPerDelivery / step.ServerMarginalCpuMicrosecondsPerDelivery, "F2");
            var throughput = baseline is null || step.Server == "baseline" ? "–" : F(step.DeliveriesPerSecond / baseline.DeliveriesPerSecond, "F2");
            Append(md, $"| {step.Server} | {step.Protocol} | {step.Rooms} × {step.Members} | {step.OfferedMessagesPerSecond * step.Members:N0} | {step.AckedMessagesPerSecond:N0} | {step.DeliveriesPerSecond:N0} | {step.P50Milliseconds:F1} | {step.P99Milliseconds:F1} | {step.Lost} | {step.FailedSends} | {step.OrderViolations} | {step.ServerCpuMicrosecondsPerDelivery:F2} | {efficiency} | {step.ServerMarginalCpuMicrosecondsPerDelivery:F2} ({step.ServerIdleCpuCores:F2}) | {marginalEfficiency} | {throughput} | {(step.Sustained ? "yes" : "no")} |");
        }

        Append(md, string.Empty);
    }

    /// <summary>The highest offered rate both servers sustained: there the fixed per-second costs weigh least.</summary>
    private static (StepResult Chat, StepResult Baseline)? HighestCommonStep(BenchResults results, string scenario, int rooms, int members)
    {
        var pairs =
            from chat in results.Steps
            where chat.Scenario == scenario && chat.Server == "chat" && chat.Rooms == rooms && chat.Members == members && chat.Sustained
            join baseline in results.Steps.Where(b => b.Scenario == scenario && b.Server == "baseline" && b.Sustained)
                on (chat.Rooms, chat.Members, chat.OfferedMessagesPerSecond, chat.Protocol) equals (baseline.Rooms, baseline.Members, baseline.OfferedMessagesPerSecond, baseline.Protocol)
            select (chat, baseline);
        return pairs.OrderByDescending(p => p.chat.OfferedMessagesPerSecond).Cast<(StepResult, StepResult)?>().FirstOrDefault();
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static void Append(StringBuilder md, string line) => md.Append(line).Append('\n');
}
