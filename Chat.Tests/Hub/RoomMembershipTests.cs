using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

public sealed class RoomMembershipTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task JoinRoomReturnsMembersRecentMessagesAndLastSequence(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        var empty = await alice.JoinRoom(room);
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(await alice.SendMessage(room, $"m{i}"));
        }

        var joined = await bob.JoinRoom(room);

        empty.Should().BeEquivalentTo(new JoinResult(room, [new UserPresence(alice.UserId, alice.UserName, PresenceStatus.Online)], [], 0, 0, 1));
        joined.Room.Should().Be(room);
        joined.Members.Should().BeEquivalentTo(new[]
        {
            new UserPresence(alice.UserId, alice.UserName, PresenceStatus.Online),
            new UserPresence(bob.UserId, bob.UserName, PresenceStatus.Online),
        });
        joined.RecentMessages.Should().Equal(sent);
        joined.LastSequence.Should().Be(3);
    }

    [Fact]
    public async Task JoinRoomReturnsAtMostTheFiftyNewestMessages()
    {
        var room = TestDefaults.UniqueRoom();
        // Three senders stay within the default per-user burst of 20.
        var senders = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Server.ConnectAsync(TestDefaults.UniqueUser())));
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        try
        {
            for (var i = 1; i <= 55; i++)
            {
                await senders[i % senders.Length].SendMessageAfterJoin(room, $"m{i}");
            }

            var joined = await alice.JoinRoom(room);

            joined.RecentMessages.Select(m => m.Sequence).Should().Equal(Enumerable.Range(6, 50).Select(i => (long)i));
            joined.RecentMessages[^1].Content.Should().Be("m55");
            joined.LastSequence.Should().Be(55);
        }
        finally
        {
            await Task.WhenAll(senders.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task JoinRoomAnnouncesFirstConnectionOnly(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await bob.JoinRoom(room);
        await using var aliceTab1 = await Server.ConnectAsync(aliceName, protocol);
        await using var aliceTab2 = await Server.ConnectAsync(aliceName, protocol);

        await aliceTab1.JoinRoom(room);
        var joined = await bob.Joined.WaitForAsync(e => e.Room == room);
        var secondJoin = await aliceTab2.JoinRoom(room);
        await aliceTab2.JoinRoom(room);
        // A later event proves the second join's announcement, had there been one, would already have arrived.
        await aliceTab1.SendMessage(room, "marker");
        await bob.Messages.WaitForAsync(m => m.Room == room);

        joined.Should().BeEquivalentTo(new { Room = room, UserId = aliceTab1.UserId, UserName = aliceName });
        bob.Joined.Items.Where(e => e.Room == room).Should().ContainSingle("two connections of one user are one member");
        aliceTab1.Joined.Items.Should().NotContain(e => e.Room == room && e.UserId == aliceTab1.UserId, "the joiner is not told of itself");
        secondJoin.Members.Should().HaveCount(2);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().BeEquivalentTo([bob.UserId, aliceTab1.UserId]);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task LeaveRoomAnnouncesLastConnectionOnly(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var aliceTab1 = await Server.ConnectAsync(aliceName, protocol);
        await using var aliceTab2 = await Server.ConnectAsync(aliceName, protocol);
        await bob.JoinRoom(room);
        await aliceTab1.JoinRoom(room);
        await aliceTab2.JoinRoom(room);

        await aliceTab1.LeaveRoom(room);
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Contain(aliceTab1.UserId, "alice is still in through her second tab");
        await aliceTab2.LeaveRoom(room);
        var left = await bob.Left.WaitForAsync(e => e.Room == room);
        await aliceTab2.LeaveRoom(room);

        left.Should().BeEquivalentTo(new { Room = room, UserId = aliceTab1.UserId, UserName = aliceName });
        bob.Left.Items.Where(e => e.Room == room).Should().ContainSingle();
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Equal(bob.UserId);
    }

    [Fact]
    public async Task ALeftConnectionNoLongerReceivesTheRoom()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        await bob.LeaveRoom(room);

        var sent = await alice.SendMessage(room, "bob is gone");
        await alice.Messages.WaitForAsync(m => m.Id == sent.Id);

        bob.Messages.Items.Should().NotContain(m => m.Room == room);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task DisconnectingTheLastConnectionAnnouncesLeaveAndOffline(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await bob.JoinRoom(room);
        var aliceTab1 = await Server.ConnectAsync(aliceName, protocol);
        var aliceTab2 = await Server.ConnectAsync(aliceName, protocol);
        await aliceTab1.JoinRoom(room);
        await aliceTab2.JoinRoom(room);

        await aliceTab1.DisposeAsync();
        await bob.SendMessageAfterJoin(room, "still here?");
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Contain(aliceTab1.UserId);
        await aliceTab2.DisposeAsync();
        var left = await bob.Left.WaitForAsync(e => e.Room == room);
        var offline = await bob.Presence.WaitForAsync(p => p.UserId == aliceTab1.UserId);

        left.UserId.Should().Be(aliceTab1.UserId);
        offline.Should().BeEquivalentTo(new { UserId = aliceTab1.UserId, UserName = aliceName, Status = PresenceStatus.Offline });
        offline.At.Kind.Should().Be(DateTimeKind.Utc);
        bob.Left.Items.Where(e => e.Room == room).Should().ContainSingle();
        bob.Presence.Items.Where(p => p.UserId == aliceTab1.UserId).Should().ContainSingle();
        (await bob.GetPresence(room)).Select(p => p.UserId).Should().Equal(bob.UserId);
    }

    [Fact]
    public async Task ListRoomsCountsDistinctMembersAndKeepsRoomsWithHistory()
    {
        var busy = TestDefaults.UniqueRoom("busy");
        var quiet = TestDefaults.UniqueRoom("quiet");
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var aliceTab1 = await Server.ConnectAsync(aliceName);
        await using var aliceTab2 = await Server.ConnectAsync(aliceName);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await aliceTab1.JoinRoom(busy);
        await aliceTab2.JoinRoom(busy);
        await bob.JoinRoom(busy);
        await bob.SendMessage(busy, "one");
        await bob.JoinRoom(quiet);
        await bob.SendMessage(quiet, "one");
        await bob.SendMessage(quiet, "two");
        await bob.LeaveRoom(quiet);

        var rooms = await bob.ListRooms();

        rooms.Should().ContainEquivalentOf(new RoomSummary(busy, 2, 1, 1));
        rooms.Should().ContainEquivalentOf(new RoomSummary(quiet, 0, 2, 2), "a room with history is listed after everyone left");
    }

    [Fact]
    public async Task ListRoomsKeepsAJoinedRoomWithoutHistoryAfterEveryoneLeft()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);

        (await alice.ListRooms()).Should().ContainEquivalentOf(new RoomSummary(room, 1, 0, 0));

        await alice.LeaveRoom(room);
        (await alice.ListRooms()).Should().ContainEquivalentOf(
            new RoomSummary(room, 0, 0, 0), "the join made alice the room's lasting owner: the room outlives her connection");
    }

    [Fact]
    public async Task GetPresenceWorksWithoutJoining()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var onlooker = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);

        (await onlooker.GetPresence(room)).Should().Equal(new UserPresence(alice.UserId, alice.UserName, PresenceStatus.Online));
        (await onlooker.GetPresence(TestDefaults.UniqueRoom())).Should().BeEmpty();
    }
}

internal static class TestClientExtensions
{
    /// <summary>Sends after making sure this connection has joined (joining twice is harmless).</summary>
    public static async Task<ChatMessage> SendMessageAfterJoin(this TestClient client, string room, string content)
    {
        await client.JoinRoom(room);
        return await client.SendMessage(room, content);
    }
}
