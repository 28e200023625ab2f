using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Cluster;

/// <summary>
/// Two nodes on one Redis and one SQLite file: a moderator on node A removes, bans and mutes a user whose connections
/// are on node B, at once; two users opening their direct room at the same moment on two nodes get one room.
/// </summary>
public sealed class SqliteConversationClusterTests(SqliteClusterFixture cluster) : IClassFixture<SqliteClusterFixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task AKickOnNodeARemovesTheUsersConnectionsOnNodeBAtOnce(ChatProtocol protocol) =>
        ClusterConversations.KickAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task ABanOnNodeARemovesTheUserOnNodeBAndKeepsThemOutThere(ChatProtocol protocol) =>
        ClusterConversations.BanAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task AMuteSetOnNodeABlocksPostingOnNodeBAtOnce(ChatProtocol protocol) =>
        ClusterConversations.MuteAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task TwoUsersOpeningTheirDirectRoomAtOnceOnTwoNodesGetOneRoom(ChatProtocol protocol) =>
        ClusterConversations.OpenDirectRaceAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);

    [Fact]
    public Task AUserIsKnownOnEveryNodeAsSoonAsTheirConnectionIsOpen() =>
        ClusterConversations.KnownOnceConnectedAsync(cluster.Nodes[0], cluster.Nodes[1]);
}

/// <summary>Two nodes on one PostgreSQL history: the same guarantees, where the race for a direct room is a race in another store.</summary>
public sealed class PostgresConversationClusterTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public Task AKickOnNodeARemovesTheUsersConnectionsOnNodeBAtOnce() =>
        ClusterConversations.KickAsync(cluster.Nodes[0], cluster.Nodes[1], ChatProtocol.MessagePack);

    [Fact]
    public Task TwoUsersOpeningTheirDirectRoomAtOnceOnTwoNodesGetOneRoom() =>
        ClusterConversations.OpenDirectRaceAsync(cluster.Nodes[0], cluster.Nodes[1], ChatProtocol.Json);
}

/// <summary>The cluster scenarios of conversations, on any two nodes.</summary>
internal static class ClusterConversations
{
    /// <summary>Delivery across nodes on a loaded 2-core machine: generous.</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Alice on node A kicks Bob, who is in the room from both nodes. All his connections hear the removal and hear
    /// nothing of the room that is sent after the kick returned; Carol on node B, still in the room, hears it all.
    /// A few rounds with fresh users: a removal that lags behind on the other node shows in some rounds, not all.
    /// </summary>
    public static async Task KickAsync(ChatServer nodeA, ChatServer nodeB, ChatProtocol protocol)
    {
        for (var round = 0; round < 3; round++)
        {
            await KickOnceAsync(nodeA, nodeB, protocol);
        }
    }

    private static async Task KickOnceAsync(ChatServer nodeA, ChatServer nodeB, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        var elsewhere = TestDefaults.UniqueRoom("elsewhere");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await nodeA.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var carolOnB = await nodeB.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        // Bob has several tabs open on node A and one on node B: node A ends its own first, node B must not lag behind.
        var bobOnA = new List<TestClient>();
        for (var i = 0; i < 4; i++)
        {
            bobOnA.Add(await nodeA.ConnectWelcomedAsync(bobName, protocol));
        }

        await using var bobOnB = await nodeB.ConnectWelcomedAsync(bobName, protocol);
        try
        {
            await alice.CreatePublicRoomAsync(room, [alice, carolOnB, bobOnB, .. bobOnA]);
            foreach (var connection in new[] { alice, bobOnB }.Concat(bobOnA))
            {
                await connection.JoinRoom(elsewhere);
            }

            await alice.RemoveMember(room, bobOnB.UserId);

            await ShouldHearNoMoreOfAsync([bobOnB, .. bobOnA], room, alice, [carolOnB, alice], elsewhere, DeliveryTimeout);
            await AfterTheKickAsync(alice, carolOnB, bobOnB, room);
        }
        finally
        {
            foreach (var tab in bobOnA)
            {
                await tab.DisposeAsync();
            }
        }
    }

    private static async Task AfterTheKickAsync(TestClient alice, TestClient carolOnB, TestClient bobOnB, string room)
    {
        var removed = await bobOnB.RemovalOfAsync(room, bobOnB.UserId, DeliveryTimeout);
        removed.Should().BeEquivalentTo(new { ActorId = alice.UserId, Member = new { UserId = bobOnB.UserId, Banned = false } });
        (await carolOnB.RemovalOfAsync(room, bobOnB.UserId, DeliveryTimeout)).EventSequence.Should().Be(removed.EventSequence);
        await Rejected(() => bobOnB.SendMessage(room, "still here?"), ChatErrorCodes.NotAMember, "his connection on node B left the room");
        (await carolOnB.GetMembers(room, null, 10)).Should().NotContain(m => m.UserId == bobOnB.UserId);
    }

    /// <summary>Alice on node A bans Bob from a private room; Bob's connection on node B is out at once and stays out until the unban.</summary>
    public static async Task BanAsync(ChatServer nodeA, ChatServer nodeB, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var elsewhere = TestDefaults.UniqueRoom("elsewhere");
        await using var alice = await nodeA.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var carolOnB = await nodeB.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var bobOnB = await nodeB.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePrivateRoomAsync(room, carolOnB, bobOnB);
        foreach (var connection in new[] { alice, carolOnB, bobOnB })
        {
            await connection.JoinRoom(room);
        }

        await alice.JoinRoom(elsewhere);
        await bobOnB.JoinRoom(elsewhere);

        await alice.BanMember(room, bobOnB.UserId, null, "abuse");

        await bobOnB.ShouldHearNoMoreOfAsync(room, alice, carolOnB, elsewhere, DeliveryTimeout);
        (await bobOnB.RemovalOfAsync(room, bobOnB.UserId, DeliveryTimeout)).Member.Should().BeEquivalentTo(new { Banned = true, BanReason = "abuse" });
        await Rejected(() => bobOnB.JoinRoom(room), ChatErrorCodes.Banned, "the ban holds on every node");
        await Rejected(() => bobOnB.GetHistory(room, null, 10), ChatErrorCodes.Banned);
        await Rejected(() => bobOnB.SendMessage(room, "let me in"), ChatErrorCodes.Banned);

        await alice.UnbanMember(room, bobOnB.UserId);
        await alice.AddMember(room, bobOnB.UserId);
        await bobOnB.JoinRoom(room);
        var welcome = await alice.SendMessage(room, "welcome back");
        (await bobOnB.Messages.WaitForAsync(m => m.Id == welcome.Id, DeliveryTimeout)).Content.Should().Be("welcome back");
    }

    /// <summary>A mute set on node A holds the moment it is acknowledged for Bob on node B, and so does the unmute.</summary>
    public static async Task MuteAsync(ChatServer nodeA, ChatServer nodeB, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await nodeA.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bobOnB = await nodeB.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bobOnB);
        var before = await bobOnB.SendMessage(room, "before the mute");

        var until = DateTime.UtcNow.AddHours(1);
        await alice.MuteMember(room, bobOnB.UserId, until);

        await Rejected(() => bobOnB.SendMessage(room, "muted?"), ChatErrorCodes.Muted, "the mute holds on node B at once");
        await Rejected(() => bobOnB.PostMessage(room, new PostMessageRequest("muted?")), ChatErrorCodes.Muted);
        await Rejected(() => bobOnB.SetTyping(room, true), ChatErrorCodes.Muted);
        await Rejected(() => bobOnB.EditMessage(room, before.Id, "edited while muted"), ChatErrorCodes.Muted);
        (await bobOnB.Changes.WaitForAsync(e => e.Room == room && e.Type == RoomEventTypes.MemberUpdated, DeliveryTimeout)).Member!.MutedUntil.Should().BeCloseTo(until, TimeSpan.FromMilliseconds(1));

        await alice.MuteMember(room, bobOnB.UserId, null);

        var after = await bobOnB.SendMessage(room, "unmuted");
        (await alice.Messages.WaitForAsync(m => m.Id == after.Id, DeliveryTimeout)).Sequence.Should().Be(before.Sequence + 1, "the muted attempts took no number");
    }

    /// <summary>
    /// "A user is known once they have connected": the moment Bob's client on node B says it is connected, Alice on
    /// node A can open a conversation with him. Round after round, with a fresh Bob each time.
    /// </summary>
    public static async Task KnownOnceConnectedAsync(ChatServer nodeA, ChatServer nodeB)
    {
        await using var alice = await nodeA.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        var refused = new List<string>();
        for (var round = 0; round < 10; round++)
        {
            await using var bob = await nodeB.ConnectAsync(TestDefaults.UniqueUser($"bob{round}"));
            try
            {
                (await alice.OpenDirect(bob.UserId)).Members!.Select(m => m.UserId).Should().Contain(bob.UserId);
            }
            catch (Microsoft.AspNetCore.SignalR.HubException e)
            {
                refused.Add($"round {round}: {e.Message}");
            }
        }

        refused.Should().BeEmpty("a user whose connection is open is known on every node");
    }

    /// <summary>
    /// Fresh pairs of users, one on each node, open their direct room at the same moment, round after round: each
    /// pair gets one room, with exactly two members and two member.added changes, the same in both users' lists.
    /// </summary>
    public static async Task OpenDirectRaceAsync(ChatServer nodeA, ChatServer nodeB, ChatProtocol protocol)
    {
        for (var round = 0; round < 5; round++)
        {
            await using var alice = await nodeA.ConnectWelcomedAsync(TestDefaults.UniqueUser($"alice{round}"), protocol);
            await using var bob = await nodeB.ConnectWelcomedAsync(TestDefaults.UniqueUser($"bob{round}"), protocol);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var fromAlice = Task.Run(async () => { await start.Task; return await alice.OpenDirect(bob.UserId); });
            var fromBob = Task.Run(async () => { await start.Task; return await bob.OpenDirect(alice.UserId); });

            start.SetResult();
            var opened = await Task.WhenAll(fromAlice, fromBob).WithTimeout();

            opened[0].Room.Should().Be(opened[1].Room, $"round {round}: both sides get one room");
            opened[0].Room.Should().MatchRegex(DirectRoomName.ToString());
            var room = opened[0].Room;
            var log = await alice.ReadAllEventsAsync(room);
            log.Select(e => (e.EventSequence, e.Type)).Should().Equal(
                [(1L, RoomEventTypes.MemberAdded), (2L, RoomEventTypes.MemberAdded)], $"round {round}: the room was made once");
            log.Select(e => e.Member!.UserId).Should().BeEquivalentTo([alice.UserId, bob.UserId]);
            (await bob.GetMembers(room, null, 10)).Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo(
                [(alice.UserId, MemberRoles.Member), (bob.UserId, MemberRoles.Member)]);
            foreach (var user in new[] { alice, bob })
            {
                (await user.ListMyRooms()).Should().ContainSingle($"round {round}: {user.UserName} has one conversation")
                    .Which.Room.Should().BeEquivalentTo(new { Room = room, Kind = RoomKinds.Direct, MemberCount = 2 });
            }

            await alice.JoinRoom(room);
            await bob.JoinRoom(room);
            var hello = await bob.SendMessage(room, "hi from node B");
            (await alice.Messages.WaitForAsync(m => m.Id == hello.Id, DeliveryTimeout)).Content.Should().Be("hi from node B");
        }
    }
}
