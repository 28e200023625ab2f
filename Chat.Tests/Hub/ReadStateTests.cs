using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Hub;

/// <summary>
/// Read pointers and unread counts (contract v2, section 4): MarkRead only moves forward, a post moves its sender's
/// pointer, the counts are exact (others' messages, deleted ones not counted, mentions kept through edits), and every
/// connection of the user hears of a move while no one else does.
/// </summary>
public sealed class ReadStateTests(ReadStateTests.Fixture fixture) : IClassFixture<ReadStateTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MarkReadAnswersTheExactCountsAndNeverMovesBack(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob);
        await alice.JoinRoom(room);
        await alice.SendMessage(room, "one");
        await alice.Mention(room, "two, bob?", bob);
        await alice.SendMessage(room, "three");
        await alice.Mention(room, "four, bob!", bob);
        await alice.SendMessage(room, "five");

        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 0, 5, 2), "bob was a member before anything was said");

        // Bob has not joined the room with this connection: a lasting member needs no live subscription to mark read.
        (await bob.MarkRead(room, 1)).Should().Be(new ReadState(room, 1, 4, 2));
        (await bob.MarkRead(room, 3)).Should().Be(new ReadState(room, 3, 2, 1));
        (await bob.MarkRead(room, 2)).Should().Be(new ReadState(room, 3, 2, 1), "the pointer never moves back; the answer is the state as it is");
        (await bob.MarkRead(room, 3)).Should().Be(new ReadState(room, 3, 2, 1), "marking read where it already is changes nothing");
        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 3, 2, 1));

        (await bob.MarkRead(room, 5)).Should().Be(new ReadState(room, 5, 0, 0));
        var moves = await bob.ReadStates.WaitForCountAsync(3, s => s.Room == room);
        moves.Should().Equal(
            [new ReadState(room, 1, 4, 2), new ReadState(room, 3, 2, 1), new ReadState(room, 5, 0, 0)],
            "only a move is announced, with the counts the call answered");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ASequenceBeyondTheRoomsLastIsClampedToIt(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob);
        await alice.SendMessage(room, "one");
        await alice.SendMessage(room, "two");

        (await bob.MarkRead(room, 1_000)).Should().Be(new ReadState(room, 2, 0, 0));
        (await bob.MarkRead(room, long.MaxValue)).Should().Be(new ReadState(room, 2, 0, 0));
        await alice.Mention(room, "three, bob", bob);

        (await bob.ListedReadStateAsync(room)).Should().Be(
            new ReadState(room, 2, 1, 1), "the pointer was stored at the room's last message, so what came after is unread");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task PostingMovesTheSendersOwnPointerToTheMessage(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob);
        await alice.SendMessage(room, "one");
        await alice.Mention(room, "two, bob?", bob);
        await alice.SendMessage(room, "three");
        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 0, 3, 1));

        var answer = await bob.SendMessage(room, "sorry, was away");

        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, answer.Sequence, 0, 0), "whoever writes has read what came before");
        (await alice.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 3, 1, 0), "alice's own posts moved her pointer; bob's is unread");
        (await bob.MarkRead(room, answer.Sequence)).Should().Be(new ReadState(room, answer.Sequence, 0, 0));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task UnreadAndMentionCountsAreExactAfterPostsOwnPostsMentionsEditsAndDeletes(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(room, bob, carol);
        foreach (var member in new[] { alice, bob, carol })
        {
            await member.JoinRoom(room);
        }

        await carol.SendMessage(room, "hi all");                             // 1: carol's own
        await alice.SendMessage(room, "plain");                              // 2
        await bob.Mention(room, "carol, look", carol);                       // 3: mentions carol
        var both = await alice.Mention(room, "carol and bob", carol, bob);   // 4: mentions carol and bob
        await bob.SendMessage(room, "plain too");                            // 5
        var doomed = await alice.Mention(room, "carol, oops", carol);        // 6: mentions carol, deleted below
        var bobsDoomed = await bob.SendMessage(room, "never mind");          // 7: deleted below
        var forBob = await alice.Mention(room, "bob only", bob);             // 8: mentions bob

        (await carol.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 1, 7, 3), "carol wrote 1; 2 to 8 are others', 3, 4 and 6 mention her");
        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 7, 1, 1), "bob's post 7 moved his pointer; 8 mentions him");
        (await alice.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 8, 0, 0));

        await alice.EditMessage(room, both.Id, "edited: no names in here any more");
        (await carol.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 1, 7, 3), "an edit keeps the message's mentions");

        await alice.DeleteMessage(room, doomed.Id);
        await bob.DeleteMessage(room, bobsDoomed.Id);
        (await carol.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 1, 5, 2), "deleted messages are neither unread nor mentions");
        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 7, 1, 1), "deleting his own post does not move bob's pointer back");

        await alice.DeleteMessage(room, forBob.Id);
        (await bob.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 7, 0, 0));
        (await carol.MarkRead(room, 3)).Should().Be(new ReadState(room, 3, 2, 1), "after 3: 4 (mentions her) and 5; 6 to 8 are deleted");
        (await carol.MarkRead(room, 4)).Should().Be(new ReadState(room, 4, 1, 0));

        await using var carolsPhone = await Server.ConnectWelcomedAsync(carol.UserName, protocol);
        (await carolsPhone.ListedReadStateAsync(room)).Should().Be(new ReadState(room, 4, 1, 0), "a new device sees what the server stored");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ReadStateChangedReachesEveryConnectionOfTheUserAndNoOneElse(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var bobsLaptop = await Server.ConnectWelcomedAsync(bobName, protocol);
        await using var bobsPhone = await Server.ConnectWelcomedAsync(bobName, protocol);
        await alice.CreatePrivateRoomAsync(room, bobsLaptop, carol);
        await alice.JoinRoom(room);
        await carol.JoinRoom(room);
        await bobsLaptop.JoinRoom(room);
        await alice.SendMessage(room, "one");
        await alice.Mention(room, "two, bob", bobsLaptop);

        var marked = await bobsLaptop.MarkRead(room, 1);

        marked.Should().Be(new ReadState(room, 1, 1, 1));
        (await bobsLaptop.ReadStates.WaitForAsync(s => s.Room == room)).Should().Be(marked, "the calling connection hears it too");
        (await bobsPhone.ReadStates.WaitForAsync(s => s.Room == room)).Should().Be(marked, "bob's other device, which joined nothing, clears its badge");
        await using (var bobsTablet = await Server.ConnectWelcomedAsync(bobName, protocol))
        {
            (await bobsTablet.ListedReadStateAsync(room)).Should().Be(marked, "a device that connects later agrees");
        }

        // Carol's own move, and the receipt of it that alice hears, follow whatever bob's move sent them.
        var carolMarked = await carol.MarkRead(room, 2);
        await carol.ReadStates.WaitForAsync(s => s.Room == room);
        await alice.Receipts.WaitForAsync(r => r.Room == room && r.UserId == carol.UserId);
        carol.ReadStates.Items.Should().Equal([carolMarked], "carol hears of her own read state only");
        alice.ReadStates.Items.Should().BeEmpty("alice's pointer never moved through MarkRead, and bob's is none of hers");

        var fromPhone = await bobsPhone.MarkRead(room, 2);
        fromPhone.Should().Be(new ReadState(room, 2, 0, 0));
        (await bobsLaptop.ReadStates.WaitForCountAsync(2, s => s.Room == room))[1].Should().Be(fromPhone, "either device may mark read");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MarkReadIsRefusedToThoseWhoAreNotMembers(ChatProtocol protocol)
    {
        var lobby = TestDefaults.UniqueRoom("lobby");
        var team = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await using var dave = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("dave"), protocol);
        await alice.CreatePublicRoomAsync(lobby, alice, bob, dave);
        await alice.CreatePrivateRoomAsync(team, bob);
        await alice.JoinRoom(team);
        var direct = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(direct);
        await alice.SendMessage(lobby, "lobby news");
        await alice.SendMessage(team, "team news");
        await alice.SendMessage(direct, "just us");
        await alice.BanMember(lobby, dave.UserId);

        (await carol.GetHistory(lobby, null, 10)).Should().ContainSingle("carol may read the public room, which does not make her a member");
        await Rejected(() => carol.MarkRead(lobby, 1), ChatErrorCodes.NotAMember, "carol never joined the public room");
        await Rejected(() => carol.MarkRead(team, 1), ChatErrorCodes.Forbidden, "carol may not even read the private room");
        await Rejected(() => carol.MarkRead(direct, 1), ChatErrorCodes.Forbidden, "nor someone else's conversation");
        await Rejected(() => dave.MarkRead(lobby, 1), ChatErrorCodes.Banned, "dave is banned from the lobby");
        await Rejected(() => bob.MarkRead(team, -1), ChatErrorCodes.InvalidRequest, "there is no negative sequence");
        await Rejected(() => bob.MarkRead(team, long.MinValue), ChatErrorCodes.InvalidRequest);

        (await carol.ListMyRooms()).Should().BeEmpty("no refused call made carol a member of anything");
        (await bob.ListedReadStateAsync(team)).Should().Be(new ReadState(team, 0, 1, 0), "the refused call changed nothing");
        (await bob.MarkRead(team, 0)).Should().Be(new ReadState(team, 0, 1, 0), "zero is a sequence: nothing read");
        (await bob.MarkRead(direct, 1)).Should().Be(new ReadState(direct, 1, 0, 0), "both members of a direct room mark read");
        carol.ReadStates.Items.Should().BeEmpty();
        dave.ReadStates.Items.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ANewMembersPointerStartsAtTheRoomsLastSequence(ChatProtocol protocol)
    {
        var lobby = TestDefaults.UniqueRoom("lobby");
        var team = TestDefaults.UniqueRoom("team");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePublicRoomAsync(lobby, alice);
        await alice.SendMessage(lobby, "before carol, one");
        await alice.Mention(lobby, "before carol, two: carol will read this", carol);
        await alice.SendMessage(lobby, "before carol, three");
        await alice.CreatePrivateRoomAsync(team);
        await alice.JoinRoom(team);
        await alice.SendMessage(team, "before bob, one");
        await alice.Mention(team, "before bob, two", bob);

        await carol.JoinRoom(lobby);
        await alice.AddMember(team, bob.UserId);

        (await carol.ListedReadStateAsync(lobby)).Should().Be(new ReadState(lobby, 3, 0, 0), "history from before she joined is not unread");
        (await bob.ListedReadStateAsync(team)).Should().Be(new ReadState(team, 2, 0, 0), "history from before he was added is not unread");
        await alice.Mention(lobby, "welcome, carol", carol);
        (await carol.ListedReadStateAsync(lobby)).Should().Be(new ReadState(lobby, 3, 1, 1));
        (await carol.MarkRead(lobby, 1)).Should().Be(new ReadState(lobby, 3, 1, 1), "not even she can move it back before her joining");
        (await carol.MarkRead(lobby, 4)).Should().Be(new ReadState(lobby, 4, 0, 0));
    }

    /// <summary>The send rate is not what these tests specify.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
