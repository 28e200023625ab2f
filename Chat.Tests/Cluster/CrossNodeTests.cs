using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>Two nodes on one Redis and one SQLite file: what a client sees does not depend on the node it reached.</summary>
public sealed class CrossNodeTests(SqliteClusterFixture cluster) : IClassFixture<SqliteClusterFixture>
{
    private ChatServer NodeA => cluster.Nodes[0];

    private ChatServer NodeB => cluster.Nodes[1];

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EveryEventReachesClientsOnTheOtherNode(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var bob = await NodeB.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await bob.JoinRoom(room);
        var alice = await NodeA.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);

        var joined = await alice.JoinRoom(room);
        joined.Members.Select(m => m.UserId).Should().BeEquivalentTo([alice.UserId, bob.UserId]);
        (await bob.Joined.WaitForAsync(e => e.Room == room)).UserId.Should().Be(alice.UserId);

        await alice.SetTyping(room, true);
        (await bob.Typing.WaitForAsync(t => t.Room == room)).Should().Be(new TypingNotice(room, alice.UserId, alice.UserName, true));

        var sent = await alice.SendMessage(room, "across the cluster", "x-1");
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await alice.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await bob.Typing.WaitForAsync(t => t.Room == room && !t.IsTyping)).UserId.Should().Be(alice.UserId);

        var reply = await bob.SendMessage(room, "and back");
        reply.Sequence.Should().Be(sent.Sequence + 1);
        (await alice.Messages.WaitForAsync(m => m.Room == room && m.Sequence == reply.Sequence)).Should().Be(reply);

        await alice.LeaveRoom(room);
        (await bob.Left.WaitForAsync(e => e.Room == room)).UserId.Should().Be(alice.UserId);

        await alice.JoinRoom(room);
        await bob.Joined.WaitForCountAsync(2, e => e.Room == room);
        await alice.DisposeAsync();
        await bob.Left.WaitForCountAsync(2, e => e.Room == room);
        var offline = await bob.Presence.WaitForAsync(p => p.UserId == alice.UserId);
        offline.Status.Should().Be(PresenceStatus.Offline);
    }

    [Fact]
    public async Task PresenceMemberListsAndRoomCountsAreClusterWide()
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await NodeB.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await bob.JoinRoom(room);
        var aliceOnA = await NodeA.ConnectAsync(aliceName);
        await using var aliceOnB = await NodeB.ConnectAsync(aliceName);
        await aliceOnA.JoinRoom(room);
        await aliceOnB.JoinRoom(room);

        foreach (var node in new[] { aliceOnA, aliceOnB, bob })
        {
            (await node.GetPresence(room)).Select(p => p.UserId).Should().BeEquivalentTo([aliceOnA.UserId, bob.UserId]);
            (await node.ListRooms()).Should().ContainSingle(r => r.Room == room).Which.MemberCount.Should().Be(2);
        }

        // One user on two nodes is one member: closing one of her connections changes nothing others can see.
        await aliceOnA.DisposeAsync();
        await bob.SendMessage(room, "still here?");
        await aliceOnB.Messages.WaitForAsync(m => m.Room == room);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Contain(aliceOnB.UserId);
        bob.Joined.Items.Where(e => e.Room == room).Should().ContainSingle();
        bob.Left.Items.Should().BeEmpty();
        bob.Presence.Items.Should().BeEmpty();

        await aliceOnB.LeaveRoom(room);
        (await bob.Left.WaitForAsync(e => e.Room == room)).UserId.Should().Be(aliceOnB.UserId);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Equal(bob.UserId);
    }

    [Fact]
    public async Task GracefullyStoppingNodeHandsItsUsersOverWithoutFlappingThoseWhoReconnect()
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        // The hand-over lasts as long as the stopping node's lease: long enough here for Alice to come back on a
        // loaded machine, where stopping node C and reconnecting can take more than the cluster's 4 s.
        var nodeC = await cluster.StartExtraNodeAsync(new Dictionary<string, string?> { ["Redis:LeaseDuration"] = "00:00:12" });
        await using var bob = await NodeA.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await bob.JoinRoom(room);
        await using var carol = await nodeC.ConnectAsync(TestDefaults.UniqueUser("carol"));
        await using var aliceOnC = await nodeC.ConnectAsync(aliceName);
        await carol.JoinRoom(room);
        await aliceOnC.JoinRoom(room);
        await bob.Joined.WaitForCountAsync(2, e => e.Room == room);

        // Node C is taken down for maintenance: it closes its connections, and Alice reconnects to node B.
        await nodeC.DisposeAsync();
        await using var aliceOnB = await NodeB.ConnectAsync(aliceName);
        await aliceOnB.JoinRoom(room);

        // Carol did not come back: she is announced gone once node C's lease runs out.
        (await bob.Left.WaitForAsync(e => e.UserId == carol.UserId)).Room.Should().Be(room);
        (await bob.Presence.WaitForAsync(p => p.UserId == carol.UserId)).Status.Should().Be(PresenceStatus.Offline);
        var marker = await aliceOnB.SendMessage(room, "still here");
        await bob.Messages.WaitForAsync(m => m.Id == marker.Id);
        bob.Left.Items.Should().NotContain(e => e.UserId == aliceOnB.UserId);
        bob.Presence.Items.Should().NotContain(p => p.UserId == aliceOnB.UserId);
        bob.Joined.Items.Where(e => e.UserId == aliceOnB.UserId).Should().ContainSingle();
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().BeEquivalentTo([bob.UserId, aliceOnB.UserId]);
    }
}
