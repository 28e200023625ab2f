using System.Collections.Concurrent;
using System.Diagnostics;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.Tests.Client;

/// <summary>
/// A restart storm: a thousand <see cref="ChatClient"/>s in rooms of 50 when the server process is killed (SIGKILL)
/// and started again on the same port and database. They reach it through a proxy that stays shut until messages
/// were posted in every room after the restart: then they all come back at once, and each must catch up on what it
/// missed, by event sequence, in its room's order.
/// </summary>
public sealed class RestartStormTests(RestartStormTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<RestartStormTests.Fixture>
{
    private const int Clients = 1_000;
    private const int MembersPerRoom = 50;
    private const int Rooms = Clients / MembersPerRoom;
    private const int BeforeTheKill = 3;
    private const int DuringTheOutage = 5;

    /// <summary>The client's default shape (doubling, half of each delay random) at a tenth of its scale, so that the test waits seconds rather than tens of seconds.</summary>
    private static readonly ChatReconnectOptions MemberBackoff = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(3) };

    private static readonly ChatReconnectOptions PosterBackoff = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(100) };

    /// <summary>Not a target: a bound that only a client that never recovers can reach.</summary>
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task AThousandClientsRecoverEveryAcknowledgedMessageExactlyOnceInOrderAfterAServerKill()
    {
        var server = fixture.Server;
        var proxy = fixture.Proxy;
        var clock = Stopwatch.StartNew();
        var prefix = Guid.NewGuid().ToString("N")[..6];
        var rooms = Enumerable.Range(0, Rooms).Select(r => $"storm-{prefix}-{r}").ToArray();
        var acknowledged = rooms.ToDictionary(r => r, _ => new ConcurrentQueue<ChatMessage>());
        // One poster a room, straight to the server; the members through the proxy.
        var posters = new StormMember[Rooms];
        var members = new StormMember[Clients];
        try
        {
            await Parallel.ForAsync(0, Rooms, async (r, _) =>
                posters[r] = await StormMember.StartAsync(server.BaseAddress, $"p{prefix}-{r}", rooms[r], PosterBackoff));
            // In batches: the storm under test is the reconnect, not this first connect.
            await Parallel.ForAsync(0, Clients, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                members[i] = await StormMember.StartAsync(proxy.BaseAddress, $"s{prefix}-{i}", rooms[i % Rooms], MemberBackoff));
            output.WriteLine($"{clock.Elapsed}: {Clients} clients connected and joined, {MembersPerRoom} to a room");

            await PostAsync(posters, BeforeTheKill, "before", acknowledged);
            await WaitUntilCaughtUpAsync(members, acknowledged, TestDefaults.Timeout);
            output.WriteLine($"{clock.Elapsed}: {BeforeTheKill} messages a room delivered live");

            proxy.Refusing = true;
            await server.KillAsync();
            var killed = clock.Elapsed;
            output.WriteLine($"{killed}: server killed");

            // Sent while there is no server: each waits for its poster's reconnect and is acknowledged after the restart.
            var meanwhile = PostAsync(posters, DuringTheOutage, "meanwhile", acknowledged);
            await server.StartAsync();
            var ready = clock.Elapsed;
            output.WriteLine($"{ready}: server ready again ({(ready - killed).TotalSeconds:F1} s after the kill)");
            await meanwhile.WithTimeout(Recovery);
            output.WriteLine($"{clock.Elapsed}: the outage's {DuringTheOutage} messages a room acknowledged");
            members.Should().NotContain(m => m.Client.State == ChatConnectionState.Connected, "the proxy kept every member out so far");

            proxy.Refusing = false;
            var opened = clock.Elapsed;
            var openedAt = Stopwatch.GetTimestamp();
            await Eventually.HoldsAsync(
                () => members.All(m => m.Client.State == ChatConnectionState.Connected), "every client connected again", Recovery);
            var connected = clock.Elapsed;
            await WaitUntilCaughtUpAsync(members, acknowledged, Recovery);
            var recovered = clock.Elapsed;
            var backAfter = members.Select(m => Stopwatch.GetElapsedTime(openedAt, m.ConnectedAt).TotalSeconds).Order().ToArray();
            output.WriteLine(
                $"{connected}: all {Clients} clients connected again, {(connected - opened).TotalSeconds:F1} s after the proxy let them in " +
                $"(each: p10 {backAfter[Clients / 10]:F1} s, p50 {backAfter[Clients / 2]:F1} s, p90 {backAfter[Clients * 9 / 10]:F1} s)");
            output.WriteLine(
                $"{recovered}: full recovery: every client has every acknowledged message, {(recovered - opened).TotalSeconds:F1} s after the proxy " +
                $"let them in, {(recovered - killed).TotalSeconds:F1} s after the kill");

            // Live delivery goes on after the storm.
            await PostAsync(posters, 1, "after", acknowledged);
            await WaitUntilCaughtUpAsync(members, acknowledged, TestDefaults.Timeout);
            output.WriteLine($"{clock.Elapsed}: a message a room delivered live after the storm");

            foreach (var room in rooms)
            {
                var expected = acknowledged[room].OrderBy(m => m.Sequence).ToList();
                expected.Should().HaveCount(BeforeTheKill + DuringTheOutage + 1, "every send was acknowledged once");
                (await posters[0].Client.GetMessagesSinceAsync(room, 0).WithTimeout()).Should().Equal(expected, "the store holds each acknowledged message once");
            }

            foreach (var member in members)
            {
                member.Received().Select(m => m.Id).Should().Equal(
                    acknowledged[member.Room].OrderBy(m => m.Sequence).Select(m => m.Id), $"{member.Client.UserId} has every message exactly once, in order");
                member.Reconnects.Should().BeGreaterThanOrEqualTo(1, "the kill cut every client off");
            }
        }
        finally
        {
            await Parallel.ForEachAsync(members.Concat(posters).Where(m => m is not null), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (m, _) => await m.DisposeAsync());
        }
    }

    /// <summary>One send at a time per room, the rooms side by side: each room's acknowledgements come in order.</summary>
    private static Task PostAsync(StormMember[] posters, int perRoom, string label, Dictionary<string, ConcurrentQueue<ChatMessage>> acknowledged) =>
        Parallel.ForEachAsync(posters, new ParallelOptions { MaxDegreeOfParallelism = posters.Length }, async (poster, cancellationToken) =>
        {
            for (var i = 0; i < perRoom; i++)
            {
                acknowledged[poster.Room].Enqueue(await poster.Client.SendMessageAsync(poster.Room, $"{label} {i}", cancellationToken: cancellationToken).WithTimeout(Recovery));
            }
        });

    private static Task WaitUntilCaughtUpAsync(StormMember[] members, Dictionary<string, ConcurrentQueue<ChatMessage>> acknowledged, TimeSpan timeout) =>
        Eventually.HoldsAsync(
            () => members.All(m => m.ReceivedCount >= acknowledged[m.Room].Count),
            "every client has as many messages as were acknowledged in its room",
            timeout);

    public sealed class Fixture : ProxiedChatServerProcessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        };
    }

    /// <summary>A client of the storm: what it received in its room, and how often it lost its connection.</summary>
    private sealed class StormMember : IAsyncDisposable
    {
        private readonly List<ChatMessage> _received = [];
        private int _reconnects;
        private long _connectedAt;

        private StormMember(ChatClient client, string room)
        {
            Client = client;
            Room = room;
            client.MessageReceived += (_, m) =>
            {
                lock (_received)
                {
                    _received.Add(m);
                }
            };
            client.StateChanged += (_, e) =>
            {
                if (e.Current == ChatConnectionState.Reconnecting && e.Previous == ChatConnectionState.Connected)
                {
                    Interlocked.Increment(ref _reconnects);
                }
                else if (e.Current == ChatConnectionState.Connected)
                {
                    Volatile.Write(ref _connectedAt, Stopwatch.GetTimestamp());
                }
            };
        }

        public ChatClient Client { get; }

        public string Room { get; }

        public int Reconnects => Volatile.Read(ref _reconnects);

        /// <summary>When the client last became connected (re-joined and caught up): a <see cref="Stopwatch"/> timestamp.</summary>
        public long ConnectedAt => Volatile.Read(ref _connectedAt);

        public int ReceivedCount
        {
            get
            {
                lock (_received)
                {
                    return _received.Count;
                }
            }
        }

        /// <summary>Started and joined to <paramref name="room"/>.</summary>
        public static async Task<StormMember> StartAsync(Uri server, string userName, string room, ChatReconnectOptions backoff)
        {
            var client = new ChatClient(new ChatClientOptions
            {
                ServerUrl = server,
                UserName = userName,
                Reconnect = backoff,
            });
            var member = new StormMember(client, room);
            try
            {
                await client.StartAsync().WithTimeout(TimeSpan.FromSeconds(60));
                await client.JoinRoomAsync(room).WithTimeout(TimeSpan.FromSeconds(60));

                return member;
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }

        public IReadOnlyList<ChatMessage> Received()
        {
            lock (_received)
            {
                return [.. _received];
            }
        }

        public ValueTask DisposeAsync() => Client.DisposeAsync();
    }
}
