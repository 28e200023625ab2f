using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Cluster;

/// <summary>
/// The "done when": two devices of one user always agree on what is unread, on a cluster. Device A on node 1
/// marks read, device B on node 2 hears it and lists the room as read, a new device agrees; a notification made on
/// one node reaches the user on the other.
/// </summary>
public sealed class SqliteReadStateClusterTests(SqliteClusterFixture cluster) : IClassFixture<SqliteClusterFixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task ADeviceMarkingReadOnOneNodeClearsTheUnreadOnTheUsersDeviceOnTheOther(ChatProtocol protocol) =>
        ClusterReadStates.MarkReadAcrossNodesAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task TwoDevicesMarkingReadAtOnceOnTwoNodesAgreeOnTheFurthest(ChatProtocol protocol) =>
        ClusterReadStates.ConcurrentMarksAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public Task ANotificationMadeOnOneNodeReachesTheUserOnTheOther(ChatProtocol protocol) =>
        ClusterReadStates.NotificationAcrossNodesAsync(cluster.Nodes[0], cluster.Nodes[1], protocol);
}

/// <summary>Two nodes on one PostgreSQL history: read pointers written by two nodes into one store.</summary>
public sealed class PostgresReadStateClusterTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public Task ADeviceMarkingReadOnOneNodeClearsTheUnreadOnTheUsersDeviceOnTheOther() =>
        ClusterReadStates.MarkReadAcrossNodesAsync(cluster.Nodes[0], cluster.Nodes[1], ChatProtocol.MessagePack);

    [Fact]
    public Task TwoDevicesMarkingReadAtOnceOnTwoNodesAgreeOnTheFurthest() =>
        ClusterReadStates.ConcurrentMarksAsync(cluster.Nodes[0], cluster.Nodes[1], ChatProtocol.Json);

    [Fact]
    public Task ANotificationMadeOnOneNodeReachesTheUserOnTheOther() =>
        ClusterReadStates.NotificationAcrossNodesAsync(cluster.Nodes[0], cluster.Nodes[1], ChatProtocol.Json);
}

/// <summary>The cluster scenarios of read state, on any two nodes.</summary>
internal static class ClusterReadStates
{
    /// <summary>The issue asks for agreement "within a second"; the loaded 2-core test machine gets more, the assertion below checks the second.</summary>
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    public static async Task MarkReadAcrossNodesAsync(ChatServer node1, ChatServer node2, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await node1.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var deviceA = await node1.ConnectWelcomedAsync(bobName, protocol);
        await using var deviceB = await node2.ConnectWelcomedAsync(bobName, protocol);
        await alice.CreatePrivateRoomAsync(room, deviceA);
        await alice.JoinRoom(room);
        await deviceB.JoinRoom(room);
        await alice.SendMessage(room, "one");
        await alice.Mention(room, "two, bob", deviceA);
        var three = await alice.SendMessage(room, "three");
        await deviceB.Messages.WaitForAsync(m => m.Id == three.Id, DeliveryTimeout);
        (await deviceB.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 0, 3, 1));

        var marked = await deviceA.MarkRead(room, three.Sequence);
        var markedAt = DateTime.UtcNow;

        marked.Should().Be(new ReadState(room, 3, 0, 0));
        (await deviceB.ReadStates.WaitForAsync(s => s.Room == room, DeliveryTimeout)).Should().Be(marked, "bob's device on the other node clears its badge");
        var heardAfter = DateTime.UtcNow - markedAt;
        (await deviceB.ListedReadStateAsync(room)).Should().Be(marked, "and the other node lists the room as read");
        await using (var newOnNode2 = await node2.ConnectWelcomedAsync(bobName, protocol))
        {
            (await newOnNode2.ListedReadStateAsync(room)).Should().Be(marked, "a new device on node 2 sees the same");
        }

        await using (var newOnNode1 = await node1.ConnectWelcomedAsync(bobName, protocol))
        {
            (await newOnNode1.ListedReadStateAsync(room)).Should().Be(marked, "and on node 1");
        }

        heardAfter.Should().BeLessThan(TimeSpan.FromSeconds(1), "two devices agree within a second");
    }

    /// <summary>Each device marks a different point at the same moment on its own node: both end at the furthest, and say so.</summary>
    public static async Task ConcurrentMarksAsync(ChatServer node1, ChatServer node2, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await node1.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var deviceA = await node1.ConnectWelcomedAsync(bobName, protocol);
        await using var deviceB = await node2.ConnectWelcomedAsync(bobName, protocol);
        await alice.CreatePublicRoomAsync(room, alice, deviceA);
        for (var i = 1; i <= 6; i++)
        {
            await alice.SendMessage(room, $"message {i}");
        }

        var marks = await Task.WhenAll(deviceA.MarkRead(room, 5), deviceB.MarkRead(room, 3));

        marks[0].Should().Be(new ReadState(room, 5, 1, 0));
        marks[1].LastReadSequence.Should().BeOneOf([3L, 5L], "whichever was stored first, it answers the state it left");
        var final = new ReadState(room, 5, 1, 0);
        foreach (var device in new[] { deviceA, deviceB })
        {
            await device.ReadStates.WaitForAsync(s => s == final, DeliveryTimeout);
            (await device.ListedReadStateAsync(room)).Should().Be(final, "both devices agree on the furthest point");
        }
    }

    public static async Task NotificationAcrossNodesAsync(ChatServer node1, ChatServer node2, ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await node1.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bobOnNode1 = await node1.ConnectWelcomedAsync(bobName, protocol);
        await using var bobOnNode2 = await node2.ConnectWelcomedAsync(bobName, protocol);

        await alice.CreatePrivateRoomAsync(room, bobOnNode1);
        await alice.JoinRoom(room);
        var mention = await alice.Mention(room, "bob, wherever you are", bobOnNode1);

        var added = await bobOnNode2.Notifications.WaitForAsync(n => n.Kind == NotificationKinds.Added && n.Room == room, DeliveryTimeout);
        added.FromUserId.Should().Be(alice.UserId);
        var mentioned = await bobOnNode2.Notifications.WaitForAsync(n => n.MessageId == mention.Id, DeliveryTimeout);
        mentioned.Kind.Should().Be(NotificationKinds.Mention);
        (await bobOnNode1.Notifications.WaitForAsync(n => n.MessageId == mention.Id, DeliveryTimeout)).Should().Be(mentioned, "one notification, one id, on every node");
        (await bobOnNode2.GetNotifications(null, 10)).Should().Equal([mentioned, added], "node 2 reads what node 1 stored");
    }
}
