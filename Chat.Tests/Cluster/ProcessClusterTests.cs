using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>
/// Nodes as OS processes on one SQLite file: writers in two processes, a node killed with SIGKILL, and a Redis that
/// dies and comes back empty. Each test puts the cluster back together before it ends, so the tests can share it.
/// </summary>
public sealed class ProcessClusterTests(ProcessClusterFixture cluster) : IClassFixture<ProcessClusterFixture>
{
    /// <summary>What the contract promises for a node that dies without saying goodbye.</summary>
    private static readonly TimeSpan DeadNodeNoticed = TimeSpan.FromSeconds(15);

    private ChatServerProcess NodeA => cluster.Nodes[0];

    private ChatServerProcess NodeB => cluster.Nodes[1];

    [Fact]
    public async Task KilledNodesUsersGoOfflineElsewhereWithin15SecondsWithoutFlappingThoseWhoMoved()
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await NodeB.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await bob.JoinRoom(room);
        var carol = await NodeA.ConnectAsync(TestDefaults.UniqueUser("carol"));
        var aliceOnA = await NodeA.ConnectAsync(aliceName);
        await carol.JoinRoom(room);
        await aliceOnA.JoinRoom(room);
        await bob.Joined.WaitForCountAsync(2, e => e.Room == room);

        // Alice is moving to node B: her new connection is up when node A dies under her old one.
        await using var aliceOnB = await NodeB.ConnectAsync(aliceName);
        await aliceOnB.JoinRoom(room);
        await NodeA.KillAsync();
        var killedAt = DateTime.UtcNow;

        var carolLeft = await bob.Left.WaitForAsync(e => e.UserId == carol.UserId, DeadNodeNoticed);
        var carolOffline = await bob.Presence.WaitForAsync(p => p.UserId == carol.UserId, DeadNodeNoticed);
        (DateTime.UtcNow - killedAt).Should().BeLessThan(DeadNodeNoticed);
        carolLeft.Room.Should().Be(room);
        carolOffline.Status.Should().Be(PresenceStatus.Offline);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().BeEquivalentTo([bob.UserId, aliceOnB.UserId]);
        (await bob.ListRooms()).Should().ContainSingle(r => r.Room == room).Which.MemberCount.Should().Be(2);

        // Nobody saw Alice leave, go offline, or join twice.
        var marker = await aliceOnB.SendMessage(room, "after the move");
        await bob.Messages.WaitForAsync(m => m.Id == marker.Id);
        bob.Left.Items.Should().NotContain(e => e.UserId == aliceOnB.UserId);
        bob.Presence.Items.Should().NotContain(p => p.UserId == aliceOnB.UserId);
        bob.Joined.Items.Where(e => e.UserId == aliceOnB.UserId).Should().ContainSingle();

        await carol.DisposeAsync();
        await aliceOnA.DisposeAsync();
        await NodeA.StartAsync();
    }

    [Fact]
    public async Task RedisRestartResumesDeliveryWithoutRestartingNodesAndLosesNothingAcknowledged()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await NodeA.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await NodeB.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var before = await alice.SendMessage(room, "before the outage");
        await bob.Messages.WaitForAsync(m => m.Id == before.Id);

        await cluster.Redis.KillAsync();
        foreach (var node in cluster.Nodes)
        {
            await Eventually.MatchesAsync(node.ReadinessAsync, s => s == HttpStatusCode.ServiceUnavailable, because: "a node without Redis is not ready");
        }

        var duringOutage = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            duringOutage.Add(await alice.SendMessage(room, $"during the outage {i}"));
            duringOutage.Add(await bob.SendMessage(room, $"reply during the outage {i}"));
        }

        // Reads come from the history store and this node's own connections, and keep working.
        (await bob.GetMessagesSince(room, 0, 100)).Should().HaveCount(duringOutage.Count + 1);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Contain(bob.UserId);

        await cluster.Redis.StartAsync();
        foreach (var node in cluster.Nodes)
        {
            await Eventually.MatchesAsync(node.ReadinessAsync, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "nodes reconnect by themselves");
        }

        // Redis came back empty: each node writes its connections back, so presence is whole again.
        await Eventually.MatchesAsync(
            () => bob.GetPresence(room),
            members => members.Length == 2,
            because: "both members are back in Redis");

        var after = await alice.SendMessage(room, "after the outage");
        (await bob.Messages.WaitForAsync(m => m.Id == after.Id, TimeSpan.FromSeconds(30))).Should().Be(after);

        var history = await ClusterSends.ReadAllAsync(bob, room);
        history.Should().Equal([before, .. duringOutage, after]);
        history.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, history.Count).Select(i => (long)i));
    }

    [Fact]
    public async Task DuringRedisOutageEachNodeKeepsServingItsOwnClientsLive()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await NodeA.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var carol = await NodeA.ConnectAsync(TestDefaults.UniqueUser("carol"));
        await using var bob = await NodeB.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await alice.JoinRoom(room);
        await carol.JoinRoom(room);
        await bob.JoinRoom(room);

        await cluster.Redis.KillAsync();
        foreach (var node in cluster.Nodes)
        {
            await Eventually.MatchesAsync(node.ReadinessAsync, s => s == HttpStatusCode.ServiceUnavailable, because: "a node without Redis is not ready");
        }

        // Node A's clients still talk to each other as if nothing happened: messages, typing, new connections, joins.
        var local = await alice.SendMessage(room, "only node A hears this live");
        (await carol.Messages.WaitForAsync(m => m.Id == local.Id)).Should().Be(local);
        await carol.SetTyping(room, true);
        (await alice.Typing.WaitForAsync(t => t.Room == room && t.UserId == carol.UserId)).IsTyping.Should().BeTrue();
        await using var dave = await NodeA.ConnectAsync(TestDefaults.UniqueUser("dave"));
        var daveJoined = await dave.JoinRoom(room);
        daveJoined.Members.Select(m => m.UserId).Should().Contain([alice.UserId, carol.UserId, dave.UserId]);
        await alice.Joined.WaitForAsync(e => e.Room == room && e.UserId == dave.UserId);

        // Node B stores what its client sends: the history store does not need Redis.
        var fromB = await bob.SendMessage(room, "stored while cut off");

        await cluster.Redis.StartAsync();
        foreach (var node in cluster.Nodes)
        {
            await Eventually.MatchesAsync(node.ReadinessAsync, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "nodes reconnect by themselves");
        }

        // Cross-node delivery resumes for connections that were opened and rooms that were joined during the outage.
        var toDave = await bob.SendMessage(room, "across nodes again");
        (await dave.Messages.WaitForAsync(m => m.Id == toDave.Id, TimeSpan.FromSeconds(30))).Should().Be(toDave);
        var toBob = await dave.SendMessage(room, "and back");
        (await bob.Messages.WaitForAsync(m => m.Id == toBob.Id, TimeSpan.FromSeconds(30))).Should().Be(toBob);

        // What each side could not hear live, it reads from history.
        (await alice.GetMessagesSince(room, local.Sequence, 10)).Should().Equal(fromB, toDave, toBob);
        (await bob.GetMessagesSince(room, 0, 10)).Should().Equal(local, fromB, toDave, toBob);
    }

    [Fact]
    public async Task ConcurrentSendsFromTwoProcessesOnOneSqliteFileGetGapFreeUniqueSequences()
    {
        var room = TestDefaults.UniqueRoom();
        await using var reader = await NodeB.ConnectAsync(TestDefaults.UniqueUser("reader"));

        var sent = await ClusterSends.SendConcurrentlyAsync(room, [.. cluster.Nodes.Select(n => (Func<string, Task<TestClient>>)(user => n.ConnectAsync(user)))], perNode: 200);

        ClusterSends.ShouldBeGapFree(sent, 400);
        (await ClusterSends.ReadAllAsync(reader, room)).Should().Equal(sent.OrderBy(m => m.Sequence));
    }
}
