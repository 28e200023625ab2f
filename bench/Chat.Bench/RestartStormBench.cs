using System.Diagnostics;
using System.Globalization;
using Chat.Client;
using Chat.Shared;

namespace Chat.Bench;

/// <summary>
/// A restart storm: clients of Chat.Client (the real one: it reconnects with backoff and jitter, re-joins, and catches
/// up by event sequence) in rooms of 100, when the server is killed (SIGKILL) and started again on the same port and
/// store. Measures how long until every client is connected again and has every message acknowledged in its room,
/// including those posted while the server was down, and checks that none was lost, doubled or out of order.
/// </summary>
internal static class RestartStormBench
{
    private const int MembersPerRoom = 100;
    private const int BeforeTheKill = 3;
    private const int DuringTheOutage = 5;
    private const int ParallelConnects = 64;

    /// <summary>Why connection attempts failed after the restart, by exception type and message: what a storm costs besides time.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> FailureReasons = new(StringComparer.Ordinal);

    private static int _failedSends;

    /// <summary>When the restarted server took connections again (a Stopwatch timestamp): connection attempts that fail after it are counted.</summary>
    private static long _liveAt = long.MaxValue;

    /// <summary>Posters come back first (a tenth of a second between attempts), so that the outage's messages are mostly caught up, not received live.</summary>
    private static readonly ChatReconnectOptions PosterBackoff = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(100) };

    public static async Task RunAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        foreach (var reads in options.StormConcurrentReads)
        {
            var settings = new Dictionary<string, string> { ["Database:MaxConcurrentReads"] = reads.ToString(CultureInfo.InvariantCulture) };
            await RunOnceAsync(options, results, $"reads{reads}", settings, cancellationToken);
        }
    }

    private static async Task RunOnceAsync(
        BenchOptions options, BenchResults results, string variant, IDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var count = options.StormClients;
        var rooms = Enumerable.Range(0, Math.Max(1, count / MembersPerRoom)).Select(r => $"storm-{r}").ToArray();
        var tag = $"restartstorm {variant}";
        await using var server = await ServerUnderTest.StartAsync(ServerKind.Chat, name: "chat", settings: settings, cancellationToken: cancellationToken);
        var url = server.Addresses[0];
        var posters = new StormClient?[rooms.Length];
        var clients = new StormClient?[count];
        try
        {
            var connected = 0;
            using (Progress.Every(() => $"{tag}: {Volatile.Read(ref connected)}/{count} clients connected and joined"))
            {
                await Parallel.ForAsync(0, rooms.Length, cancellationToken, async (r, ct) =>
                    posters[r] = await StormClient.StartAsync(url, $"poster{r}", rooms[r], PosterBackoff, ct));
                await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = ParallelConnects, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    clients[i] = await StormClient.StartAsync(url, $"storm{i}", rooms[i % rooms.Length], new ChatReconnectOptions(), ct);
                    Interlocked.Increment(ref connected);
                });
            }

            var all = clients.Select(c => c!).ToArray();
            var acknowledged = rooms.ToDictionary(r => r, _ => new List<ChatMessage>());
            await PostAsync(posters!, BeforeTheKill, "before", acknowledged, cancellationToken);
            await WaitAsync(() => all.All(c => c.HasAll(acknowledged[c.Room])), TimeSpan.FromSeconds(60), cancellationToken);
            Progress.Line($"{tag}: {count} clients in {rooms.Length} rooms, {BeforeTheKill} messages a room delivered; killing the server");

            Volatile.Write(ref _liveAt, long.MaxValue);
            var killedAt = Stopwatch.GetTimestamp();
            foreach (var client in all)
            {
                client.Reset(killedAt);
            }

            await server.KillAsync();
            // Sent while there is no server: each waits for its poster's reconnect, and is acknowledged after the restart.
            var meanwhile = PostAsync(posters!, DuringTheOutage, "meanwhile", acknowledged, cancellationToken);
            await server.RestartAsync(cancellationToken);
            // Live, not ready: the clients do not wait for /readyz (no load balancer here), they come as soon as it listens.
            var liveAt = Stopwatch.GetTimestamp();
            Volatile.Write(ref _liveAt, liveAt);
            Progress.Line($"{tag}: server taking connections again {Stopwatch.GetElapsedTime(killedAt, liveAt).TotalSeconds:F1} s after the kill");

            var peakThreads = 0;
            var peakStoreConnections = 0;
            var peakRss = 0L;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
                do
                {
                    try
                    {
                        peakThreads = Math.Max(peakThreads, server.ThreadCount);
                        peakStoreConnections = Math.Max(peakStoreConnections, server.StoreConnections);
                        peakRss = Math.Max(peakRss, server.ResidentBytes);
                    }
                    catch (Exception exception) when (exception is IOException or InvalidOperationException)
                    {
                        // The process went away; the next scenario reports it.
                    }
                }
                while (await timer.WaitForNextTickAsync(CancellationToken.None) && !sampling.IsCancellationRequested);
            }, CancellationToken.None);

            // How long any new request waits for the server during the storm: a liveness probe that does no work of its own.
            var probeLatencies = new List<double>();
            var prober = Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
                while (!sampling.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await http.GetAsync(new Uri(ChatRoutes.Health, UriKind.Relative), CancellationToken.None);
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        // Counted at its full wait.
                    }

                    probeLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    await Task.Delay(250, CancellationToken.None);
                }
            }, CancellationToken.None);

            var readyAt = 0L;
            var readiness = Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
                while (!sampling.IsCancellationRequested && readyAt == 0)
                {
                    try
                    {
                        using var response = await http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative), CancellationToken.None);
                        if (response.IsSuccessStatusCode)
                        {
                            readyAt = Stopwatch.GetTimestamp();
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        // Asked again.
                    }

                    await Task.Delay(250, CancellationToken.None);
                }
            }, CancellationToken.None);

            var limit = TimeSpan.FromSeconds(options.Profile == "quick" ? 300 : 600);
            var recovered = false;
            var meanwhileDoneAt = 0L;
            using (Progress.Every(() =>
                $"{tag}: {all.Count(c => c.Client.State == ChatConnectionState.Connected)}/{count} connected, " +
                $"{all.Count(c => c.HasAll(acknowledged[c.Room]))} with every acknowledged message, server threads {server.ThreadCount}, store connections {server.StoreConnections}"))
            {
                try
                {
                    await meanwhile.WaitAsync(limit, cancellationToken);
                    meanwhileDoneAt = Stopwatch.GetTimestamp();
                    await WaitAsync(
                        () => all.All(c => c.Client.State == ChatConnectionState.Connected && c.HasAll(acknowledged[c.Room])),
                        limit - Stopwatch.GetElapsedTime(liveAt),
                        cancellationToken);
                    recovered = true;
                }
                catch (TimeoutException)
                {
                    Progress.Line($"{tag}: not recovered within {limit.TotalSeconds:F0} s of the restart");
                }
            }

            var recoveredAt = Stopwatch.GetTimestamp();
            // The restarted process's whole CPU time: start-up and warm-up included.
            var cpu = server.CpuTime;
            await sampling.CancelAsync();
            await sampler;
            await prober;
            await readiness;
            var probes = probeLatencies.Order().ToArray();

            var perClient = all.Select(c => c.RecoveredAt(acknowledged[c.Room]) is { } at ? Stopwatch.GetElapsedTime(liveAt, at).TotalSeconds : double.PositiveInfinity)
                .Order().ToArray();
            var lost = all.Sum(c => c.Missing(acknowledged[c.Room]));
            var connectedTimes = all.Select(c => c.ConnectedAt is { } at ? Stopwatch.GetElapsedTime(liveAt, at).TotalSeconds : double.PositiveInfinity).Order().ToArray();
            Progress.Line(
                $"{tag}: connected again (s after it took connections): p10 {Percentile(connectedTimes, 0.1):F1}, p50 {Percentile(connectedTimes, 0.5):F1}, p90 {Percentile(connectedTimes, 0.9):F1}; " +
                $"posters' outage messages acknowledged at {(meanwhileDoneAt == 0 ? double.PositiveInfinity : Stopwatch.GetElapsedTime(liveAt, meanwhileDoneAt).TotalSeconds):F1} s; " +
                $"/readyz 200 at {(readyAt == 0 ? double.PositiveInfinity : Stopwatch.GetElapsedTime(liveAt, readyAt).TotalSeconds):F1} s");
            var result = new RestartStormResult(
                variant,
                string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}")),
                count,
                MembersPerRoom,
                acknowledged.Values.Sum(a => a.Count),
                Stopwatch.GetElapsedTime(killedAt, liveAt).TotalSeconds,
                readyAt == 0 ? double.PositiveInfinity : Stopwatch.GetElapsedTime(killedAt, readyAt).TotalSeconds,
                all.All(c => c.ConnectedAt is not null) ? all.Max(c => Stopwatch.GetElapsedTime(liveAt, c.ConnectedAt!.Value).TotalSeconds) : double.PositiveInfinity,
                recovered ? Stopwatch.GetElapsedTime(liveAt, recoveredAt).TotalSeconds : double.PositiveInfinity,
                recovered ? Stopwatch.GetElapsedTime(killedAt, recoveredAt).TotalSeconds : double.PositiveInfinity,
                Percentile(perClient, 0.5),
                Percentile(perClient, 0.99),
                perClient.Count(double.IsPositiveInfinity),
                lost,
                all.Sum(c => c.Duplicates),
                all.Sum(c => c.OrderErrors),
                all.Sum(c => c.FailedAttempts),
                all.Sum(c => c.Drops),
                Interlocked.Exchange(ref _failedSends, 0),
                Percentile(probes, 0.5),
                probes.Length == 0 ? double.NaN : probes[^1],
                cpu.TotalSeconds,
                peakThreads,
                peakStoreConnections,
                peakRss);
            results.RestartStorms.Add(result);
            Progress.Line(
                $"{tag}: {count} clients recovered {result.LiveToAllRecoveredSeconds:F1} s after it took connections ({result.KillToAllRecoveredSeconds:F1} s after the kill), " +
                $"per client p50 {result.RecoveryP50Seconds:F1} s, p99 {result.RecoveryP99Seconds:F1} s; failed sends {result.FailedSends}, lost {lost}, doubled {result.Duplicates}, out of order {result.OrderErrors}, " +
                $"failed attempts {result.FailedAttempts}, dropped again {result.DroppedAgain}; liveness probe p50 {result.ProbeP50Milliseconds:F0} ms, max {result.ProbeMaxMilliseconds:F0} ms; server CPU {cpu.TotalSeconds:F1} s, peak threads {peakThreads}, peak store connections {peakStoreConnections}");
            foreach (var (reason, n) in FailureReasons.OrderByDescending(r => r.Value).Take(8))
            {
                Progress.Line($"{tag}:   {n} × {reason}");
            }

            FailureReasons.Clear();
            var metrics = await server.ScrapeMetricsAsync(cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, $"metrics-chat-restartstorm-{variant}.txt"), metrics, cancellationToken);
        }
        finally
        {
            await Parallel.ForEachAsync(
                clients.Concat(posters).Where(c => c is not null),
                new ParallelOptions { MaxDegreeOfParallelism = ParallelConnects },
                async (c, _) => await c!.DisposeAsync());
            await server.DisposeAsync();
        }
    }

    /// <summary>One send at a time per room (so each room's acknowledgements come in order), the rooms side by side.</summary>
    private static Task PostAsync(
        StormClient[] posters, int perRoom, string label, Dictionary<string, List<ChatMessage>> acknowledged, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(posters, new ParallelOptions { MaxDegreeOfParallelism = posters.Length, CancellationToken = cancellationToken }, async (poster, ct) =>
        {
            for (var i = 0; i < perRoom; i++)
            {
                ChatMessage message;
                try
                {
                    message = await poster.Client.SendMessageAsync(poster.Room, $"{label} {i}", cancellationToken: ct);
                }
                catch (ChatRequestException exception)
                {
                    // Not acknowledged, so not expected; it may have been stored all the same (then clients receive it).
                    Interlocked.Increment(ref _failedSends);
                    Progress.Line($"  a send failed: {exception.Message}");
                    continue;
                }

                lock (acknowledged)
                {
                    acknowledged[poster.Room].Add(message);
                }
            }
        });

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException();
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static double Percentile(double[] sorted, double share) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(share * sorted.Length) - 1)];

    /// <summary>One user of the storm: what arrived in its room, when, and in what order.</summary>
    private sealed class StormClient : IAsyncDisposable
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _arrivals = new(StringComparer.Ordinal);
        private long _lastSequence;
        private long? _killedAt;

        private StormClient(ChatClient client, string room)
        {
            Client = client;
            Room = room;
            client.MessageReceived += (_, message) => Received(message);
            client.StateChanged += (_, change) => Changed(change);
        }

        public ChatClient Client { get; }

        public string Room { get; }

        public int Duplicates { get; private set; }

        public int OrderErrors { get; private set; }

        /// <summary>Connection attempts that failed once the server was up again (connections refused before it was are not counted).</summary>
        public int FailedAttempts { get; private set; }

        /// <summary>Connections lost again after the client had recovered once the server was up (the server dropped it, or it broke).</summary>
        public int Drops { get; private set; }

        /// <summary>When the client was connected (and had re-joined and caught up) again after the kill.</summary>
        public long? ConnectedAt { get; private set; }

        public static async Task<StormClient> StartAsync(Uri server, string userName, string room, ChatReconnectOptions backoff, CancellationToken cancellationToken)
        {
            var client = new ChatClient(new ChatClientOptions { ServerUrl = server, UserName = userName, Reconnect = backoff });
            try
            {
                await client.StartAsync(cancellationToken);
                await client.JoinRoomAsync(room, cancellationToken);
                return new StormClient(client, room);
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }

        public void Reset(long killedAt)
        {
            lock (_lock)
            {
                _killedAt = killedAt;
                ConnectedAt = null;
                FailedAttempts = 0;
                Drops = 0;
            }
        }

        public bool HasAll(List<ChatMessage> acknowledged)
        {
            lock (_lock)
            {
                return acknowledged.TrueForAll(m => _arrivals.ContainsKey(m.Id));
            }
        }

        public int Missing(List<ChatMessage> acknowledged)
        {
            lock (_lock)
            {
                return acknowledged.Count(m => !_arrivals.ContainsKey(m.Id));
            }
        }

        /// <summary>When this client was connected again and had every acknowledged message, or null if it never got there.</summary>
        public long? RecoveredAt(List<ChatMessage> acknowledged)
        {
            lock (_lock)
            {
                if (ConnectedAt is not { } connected || acknowledged.Exists(m => !_arrivals.ContainsKey(m.Id)))
                {
                    return null;
                }

                return acknowledged.Select(m => _arrivals[m.Id]).Append(connected).Max();
            }
        }

        public ValueTask DisposeAsync() => Client.DisposeAsync();

        private void Received(ChatMessage message)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                if (!_arrivals.TryAdd(message.Id, now))
                {
                    Duplicates++;
                }

                if (message.Sequence <= _lastSequence)
                {
                    OrderErrors++;
                }

                _lastSequence = Math.Max(_lastSequence, message.Sequence);
            }
        }

        private void Changed(ChatConnectionStateChangedEventArgs change)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                if (_killedAt is null)
                {
                    return;
                }

                if (change.Current == ChatConnectionState.Connected)
                {
                    ConnectedAt ??= now;
                }
                else if (change.Current == ChatConnectionState.Reconnecting && change.Reason is { } reason && now > Volatile.Read(ref _liveAt))
                {
                    if (change.Previous == ChatConnectionState.Reconnecting)
                    {
                        FailedAttempts++;
                    }
                    else if (change.Previous == ChatConnectionState.Connected)
                    {
                        Drops++;
                    }

                    var inner = reason.GetBaseException();
                    var key = $"{(change.Previous == ChatConnectionState.Connected ? "lost" : "attempt")}: {reason.GetType().Name}/{inner.GetType().Name}: {inner.Message[..Math.Min(120, inner.Message.Length)]}";
                    FailureReasons.AddOrUpdate(key, 1, (_, n) => n + 1);
                }
            }
        }
    }
}
