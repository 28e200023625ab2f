using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Hub;

/// <summary>
/// Every change of a room takes the next eventSequence, and GetEventsSince replays them oldest first, so a client
/// that was away ends with every change exactly once, in order.
/// </summary>
public sealed class ChangeLogTests(ChangeLogTests.Fixture fixture) : IClassFixture<ChangeLogTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetEventsSincePagesEveryChangeOldestFirstWithMessagesAsTheyAreNow(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var reader = await Server.ConnectAsync(TestDefaults.UniqueUser("reader"), protocol);
        await alice.JoinRoom(room);
        var first = await alice.SendMessage(room, "one");
        var second = await alice.PostMessage(room, new PostMessageRequest("two", ReplyToId: first.Id));
        var third = await alice.SendMessage(room, "three");
        var firstNow = await alice.EditMessage(room, first.Id, "one, edited");
        var secondNow = await alice.AddReaction(room, second.Id, "❤️");
        await alice.DeleteMessage(room, third.Id);
        var fourth = await alice.SendMessage(room, "four");
        var thirdNow = (await alice.GetHistory(room, fourth.Sequence, 1)).Single();

        var pages = new List<EventsPage>();
        for (long after = 0; pages.Count == 0 || pages[^1].Events.Length > 0; after = pages[^1].Events.LastOrDefault()?.EventSequence ?? after)
        {
            pages.Add(await reader.GetEventsSince(room, after, 3));
        }

        pages.Select(p => p.Events.Length).Should().Equal(3, 3, 1, 0);
        pages.Should().OnlyContain(p => p.Room == room && p.LastEventSequence == 7 && !p.ResetRequired, "a reader need not join a public room");
        var events = pages.SelectMany(p => p.Events).ToList();
        events.Select(e => (e.EventSequence, e.Type, e.MessageId)).Should().Equal(
            (1L, RoomEventTypes.MessagePosted, first.Id),
            (2L, RoomEventTypes.MessagePosted, second.Id),
            (3L, RoomEventTypes.MessagePosted, third.Id),
            (4L, RoomEventTypes.MessageEdited, first.Id),
            (5L, RoomEventTypes.ReactionAdded, second.Id),
            (6L, RoomEventTypes.MessageDeleted, third.Id),
            (7L, RoomEventTypes.MessagePosted, fourth.Id));
        events.Should().OnlyContain(e => e.Room == room && e.ActorId == alice.UserId && e.ActorName == alice.UserName);
        events.Select(e => e.Message).Should().Equal(firstNow, secondNow, thirdNow, firstNow, secondNow, thirdNow, fourth);
        events[4].Reaction.Should().Be("❤️");
        events.Where(e => e.Type != RoomEventTypes.ReactionAdded).Should().OnlyContain(e => e.Reaction == null);
        secondNow.ReplyTo!.Preview.Should().Be("one, edited");
        thirdNow.IsDeleted.Should().BeTrue();
        events.Select(e => e.At).Should().BeInAscendingOrder().And.OnlyContain(at => at.Kind == DateTimeKind.Utc);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ReplayedChangesAreTheChangesThatWereDeliveredLive(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var edited = await alice.SendMessage(room, "edit me");
        var liked = await bob.SendMessage(room, "like me");
        var deleted = await alice.SendMessage(room, "delete me");

        // Each message is touched once more and then left alone, so what was live is also what is now.
        await alice.EditMessage(room, edited.Id, "edited");
        await alice.AddReaction(room, liked.Id, "👍");
        await alice.DeleteMessage(room, deleted.Id);

        var live = await bob.Changes.WaitForCountAsync(3, e => e.Room == room);
        var replayed = await bob.GetEventsSince(room, 3, 10);
        replayed.Events.Should().Equal(live);
        live.Select(e => e.EventSequence).Should().Equal(4, 5, 6);
        bob.Messages.Items.Select(m => m.EventSequence).Should().Equal(1, 2, 3);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AskingFromTheEndOrBeyondIsAnEmptyPageWithTheRoomsLastChange(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var message = await alice.SendMessage(room, "hello");
        await alice.EditMessage(room, message.Id, "hello there");

        var atTheEnd = await alice.GetEventsSince(room, 2, 10);
        var beyond = await alice.GetEventsSince(room, 1_000_000, 10);
        var unknownRoom = await alice.GetEventsSince(TestDefaults.UniqueRoom("empty"), 5, 10);

        atTheEnd.Should().BeEquivalentTo(new { Room = room, Events = Array.Empty<RoomEvent>(), LastEventSequence = 2L, ResetRequired = false });
        beyond.Should().BeEquivalentTo(new { Room = room, Events = Array.Empty<RoomEvent>(), LastEventSequence = 2L, ResetRequired = false });
        unknownRoom.Events.Should().BeEmpty();
        unknownRoom.LastEventSequence.Should().Be(0);
        unknownRoom.ResetRequired.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task JoinResultAndRoomSummaryCarryTheLastChangeAndTheMemberCount(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var aliceName = TestDefaults.UniqueUser("alice");
        await using var alice = await Server.ConnectAsync(aliceName, protocol);
        await using var aliceAgain = await Server.ConnectAsync(aliceName, protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);

        var fresh = await alice.JoinRoom(room);
        await aliceAgain.JoinRoom(room);
        var message = await alice.SendMessage(room, "hi");
        await alice.EditMessage(room, message.Id, "hi all");
        var latest = await alice.AddReaction(room, message.Id, "👋");
        var joined = await bob.JoinRoom(room);
        var summary = (await bob.ListRooms()).Single(r => r.Room == room);

        fresh.Should().BeEquivalentTo(new { LastSequence = 0L, LastEventSequence = 0L, MemberCount = 1 });
        joined.Should().BeEquivalentTo(new { Room = room, LastSequence = 1L, LastEventSequence = 3L, MemberCount = 2 }, "two users, one of them twice");
        joined.RecentMessages.Should().Equal(latest);
        summary.Should().Be(new RoomSummary(room, 2, 1, 3));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AClientThatTracksTheLastChangeRecoversEveryChangeOnceAfterBeingAway(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var before = await alice.SendMessage(room, "before bob left");
        long lastSeen;
        await using (var bob = await Server.ConnectAsync(bobName, protocol))
        {
            lastSeen = (await bob.JoinRoom(room)).LastEventSequence;
            var reaction = await bob.AddReaction(room, before.Id, "👋");
            lastSeen = Math.Max(lastSeen, (await bob.Changes.WaitForAsync(e => e.MessageId == before.Id)).EventSequence);
            reaction.EventSequence.Should().Be(lastSeen);
        }

        var whileAway = new List<long>
        {
            (await alice.SendMessage(room, "while bob was away")).EventSequence,
            (await alice.EditMessage(room, before.Id, "before bob left, edited")).EventSequence,
            (await alice.RemoveReaction(room, before.Id, "👋")).EventSequence,
            (await alice.AddReaction(room, before.Id, "👋")).EventSequence,
        };
        await alice.DeleteMessage(room, before.Id);

        await using var bobAgain = await Server.ConnectAsync(bobName, protocol);
        var rejoined = await bobAgain.JoinRoom(room);
        var missed = await bobAgain.GetEventsSince(room, lastSeen, ChatLimits.MaxEventsSincePage);

        lastSeen.Should().Be(2);
        whileAway.Should().Equal([3, 4, 4, 5], "removing a reaction that was never alice's is nothing");
        missed.Events.Select(e => (e.EventSequence, e.Type)).Should().Equal(
            (3L, RoomEventTypes.MessagePosted), (4L, RoomEventTypes.MessageEdited), (5L, RoomEventTypes.ReactionAdded), (6L, RoomEventTypes.MessageDeleted));
        missed.LastEventSequence.Should().Be(6);
        rejoined.LastEventSequence.Should().Be(6);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AMemberHearsNewMessagesAndOtherChangesInTheOrderOfTheLog(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectAsync(TestDefaults.UniqueUser("carol"), protocol);
        var heard = new EventLog<long>();
        carol.Connection.On<ChatMessage>(nameof(IChatClient.MessageReceived), m => heard.Add(m.EventSequence));
        carol.Connection.On<RoomEvent>(nameof(IChatClient.RoomChanged), e => heard.Add(e.EventSequence));
        foreach (var member in new[] { alice, bob, carol })
        {
            await member.JoinRoom(room);
        }

        var acknowledged = await Task.WhenAll(new[] { alice, bob }.Select(async writer =>
        {
            var count = 0;
            for (var i = 0; i < 10; i++)
            {
                var message = await writer.SendMessage(room, $"{writer.UserName} {i}");
                await writer.EditMessage(room, message.Id, $"{writer.UserName} {i}, edited");
                await writer.AddReaction(room, message.Id, "👍");
                await writer.DeleteMessage(room, message.Id);
                count += 4;
            }

            return count;
        }));

        var total = acknowledged.Sum();
        (await heard.WaitForCountAsync(total)).Should().Equal(Enumerable.Range(1, total).Select(i => (long)i), "one connection hears a room's changes in the order of its log");
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
