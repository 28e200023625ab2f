using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Hub;

/// <summary>
/// "Seen by" (contract v2, section 4): in rooms of at most <c>ReadState:ReceiptsMaxMembers</c> members (here
/// <see cref="Fixture.ReceiptsMaxMembers"/>), GetReadReceipts lists every member's pointer and each move reaches the
/// room live; above it there are none.
/// </summary>
public sealed class ReadReceiptTests(ReadReceiptTests.Fixture fixture) : IClassFixture<ReadReceiptTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetReadReceiptsListsEveryMemberWithTheirPointerOrderedByUserId(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob, carol);
        await alice.JoinRoom(room);
        await alice.SendMessage(room, "one");
        await alice.SendMessage(room, "two");
        var last = await alice.SendMessage(room, "three");
        var before = DateTime.UtcNow;
        await bob.MarkRead(room, 2);
        var after = DateTime.UtcNow;

        var receipts = await carol.GetReadReceipts(room);

        var members = await carol.GetMembers(room, null, 10);
        receipts.Select(r => (r.Room, r.UserId, r.UserName, r.LastReadSequence)).Should().Equal(
            new[] { (room, alice.UserId, alice.UserName, 3L), (room, bob.UserId, bob.UserName, 2L), (room, carol.UserId, carol.UserName, 0L) }
                .OrderBy(r => r.Item2, StringComparer.Ordinal),
            "one receipt per member, ordered by user id: alice's posts moved hers, bob marked read, carol did nothing");
        receipts.Should().OnlyContain(r => r.At.Kind == DateTimeKind.Utc);
        receipts.Single(r => r.UserId == carol.UserId).At.Should().BeCloseTo(
            members.Single(m => m.UserId == carol.UserId).JoinedAt, TimeSpan.FromMilliseconds(1), "a pointer that never moved dates from the joining");
        receipts.Single(r => r.UserId == bob.UserId).At.Should().BeOnOrAfter(before.AddSeconds(-1)).And.BeOnOrBefore(after.AddSeconds(1));
        // The receipt's time is when the pointer last moved (ReadReceipt.At), and a post moves its sender's pointer.
        receipts.Single(r => r.UserId == alice.UserId).At.Should().BeAfter(
            members.Single(m => m.UserId == alice.UserId).JoinedAt, "posting moved alice's pointer after she made the room").And
            .BeCloseTo(last.SentAt, TimeSpan.FromSeconds(1));
        (await alice.GetReadReceipts(room)).Should().Equal(receipts, "everyone in the room sees the same receipts");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ReadReceiptChangedReachesEveryConnectionJoinedToTheRoom(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var carolsPhone = await Server.ConnectWelcomedAsync(carol.UserName, protocol);
        await using var stranger = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob, carol);
        await alice.JoinRoom(room);
        await carol.JoinRoom(room);
        await carolsPhone.JoinRoom(room);
        await alice.SendMessage(room, "one");
        await alice.SendMessage(room, "two");

        // Bob marks read from a connection that has not joined the room: the room hears it all the same.
        await bob.MarkRead(room, 2);
        var stored = (await alice.GetReadReceipts(room)).Single(r => r.UserId == bob.UserId);

        stored.Should().BeEquivalentTo(new { Room = room, UserId = bob.UserId, UserName = bob.UserName, LastReadSequence = 2L });
        foreach (var member in new[] { alice, carol, carolsPhone })
        {
            (await member.Receipts.WaitForAsync(r => r.Room == room && r.UserId == bob.UserId)).Should().Be(stored, "{0} is in the room", member.UserName);
        }

        (await bob.MarkRead(room, 1)).LastReadSequence.Should().Be(2);
        (await bob.MarkRead(room, 2)).LastReadSequence.Should().Be(2);
        var three = await alice.SendMessage(room, "three");
        await bob.MarkRead(room, three.Sequence);
        var heard = await alice.Receipts.WaitForCountAsync(2, r => r.Room == room && r.UserId == bob.UserId);
        heard.Select(r => r.LastReadSequence).Should().Equal([2L, 3L], "a call that does not move the pointer sends no receipt");
        (await carol.Receipts.WaitForCountAsync(2, r => r.Room == room && r.UserId == bob.UserId)).Should().Equal(heard);
        stranger.Receipts.Items.Should().BeEmpty("dave is no member and in no shared room");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ARoomOverTheLimitHasNoReceipts(ChatProtocol protocol)
    {
        var big = TestDefaults.UniqueRoom("big");
        var small = TestDefaults.UniqueRoom("small");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePublicRoomAsync(big, alice, bob, carol, dave);
        await alice.CreatePrivateRoomAsync(small, bob, carol);
        await alice.JoinRoom(small);
        await carol.JoinRoom(small);
        await alice.SendMessage(big, "one");
        await alice.SendMessage(big, "two");
        await alice.SendMessage(small, "one");

        (await alice.GetReadReceipts(big)).Should().BeEmpty($"{big} has 4 members, more than {Fixture.ReceiptsMaxMembers}");

        var marked = await bob.MarkRead(big, 2);
        marked.Should().Be(new ReadState(big, 2, 0, 0), "read state itself works in a room of any size");
        (await bob.ReadStates.WaitForAsync(s => s.Room == big)).Should().Be(marked);

        // A receipt of the small room, sent after the big room's move, arrives after anything that move sent.
        await bob.MarkRead(small, 1);
        await alice.Receipts.WaitForAsync(r => r.Room == small && r.UserId == bob.UserId);
        await carol.Receipts.WaitForAsync(r => r.Room == small && r.UserId == bob.UserId);
        alice.Receipts.Items.Should().NotContain(r => r.Room == big);
        carol.Receipts.Items.Should().NotContain(r => r.Room == big);
        dave.Receipts.Items.Should().BeEmpty();

        (await alice.GetReadReceipts(small)).Should().HaveCount(3, "a room at the limit has receipts");
        await alice.AddMember(small, dave.UserId);
        (await alice.GetReadReceipts(small)).Should().BeEmpty("a room that grows over the limit has none any more");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetReadReceiptsIsForThoseWhoMayReadTheRoom(ChatProtocol protocol)
    {
        var lobby = TestDefaults.UniqueRoom("lobby");
        var team = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePublicRoomAsync(lobby, alice, bob);
        await alice.CreatePrivateRoomAsync(team, bob);

        await Rejected(() => carol.GetReadReceipts(team), ChatErrorCodes.Forbidden, "carol may not read the private room");
        (await carol.GetReadReceipts(lobby)).Select(r => r.UserId).Should().Equal(
            new[] { alice.UserId, bob.UserId }.Order(StringComparer.Ordinal), "anyone may read a public room, and so who has read it");
    }

    /// <summary>A receipt limit small enough to cross with a handful of users.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public const int ReceiptsMaxMembers = 3;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ReadState:ReceiptsMaxMembers"] = ReceiptsMaxMembers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
