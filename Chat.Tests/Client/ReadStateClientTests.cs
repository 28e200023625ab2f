using System.Globalization;
using System.Text.RegularExpressions;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.Tests.Client;

/// <summary>
/// Read state, receipts and notifications through <see cref="ChatClient"/> against a real server: a mark on one
/// device reaches the user's other devices, a flood of marks costs the server a handful of calls and commits and still
/// ends at the highest, the shown-message helper never sends what changes nothing, and notifications arrive live and
/// page newest first.
/// </summary>
public sealed partial class ReadStateClientTests(ReadStateClientTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ReadStateClientTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MarkOnOneDeviceClearsTheUnreadCountOnEveryDevice(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("team");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var phone = await ClientUnderTest.StartAsync(Server.BaseAddress, bobName, protocol);
        await using var laptop = await ClientUnderTest.StartAsync(Server.BaseAddress, bobName, protocol);
        var laptopHandler = new ReadingHandler();
        using var subscription = laptop.Client.Subscribe(laptopHandler);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [phone.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.SendMessageAsync(room, "one").WithTimeout();
        await alice.Client.PostMessageAsync(room, new PostMessageRequest("two, bob?", Mentions: [phone.UserId])).WithTimeout();
        var last = await alice.Client.SendMessageAsync(room, "three").WithTimeout();
        (await laptop.Client.ListMyRoomsAsync().WithTimeout()).Should().ContainSingle(r => r.Room.Room == room)
            .Which.Should().BeEquivalentTo(new { UnreadCount = 3, MentionCount = 1 });

        var marked = await phone.Client.MarkReadAsync(room, last.Sequence).WithTimeout();

        marked.Should().Be(new ReadState(room, last.Sequence, 0, 0));
        (await laptop.ReadStates.WaitForAsync(s => s.Room == room)).Should().Be(marked, "the other device hears of the mark at once");
        (await laptopHandler.ReadStates.WaitForAsync(s => s.Room == room)).Should().Be(marked, "handlers get what the events get");
        (await phone.ReadStates.WaitForAsync(s => s.Room == room)).Should().Be(marked, "the marking device is told too");
        (await laptop.Client.ListMyRoomsAsync().WithTimeout()).Should().ContainSingle(r => r.Room.Room == room)
            .Which.Should().BeEquivalentTo(new { LastReadSequence = last.Sequence, UnreadCount = 0, MentionCount = 0 });
        laptop.Client.GetLastReadSequence(room).Should().Be(last.Sequence);
        await using var newDevice = await ClientUnderTest.StartAsync(Server.BaseAddress, bobName, protocol);
        (await newDevice.Client.ListMyRoomsAsync().WithTimeout()).Should().ContainSingle(r => r.Room.Room == room)
            .Which.UnreadCount.Should().Be(0, "a device that was not there sees the same");
        alice.ReadStates.Items.Should().BeEmpty("a read state is its user's alone");
    }

    [Fact]
    public async Task AThousandMarksWithinASecondCostAFewCallsAndCommitsAndEndAtTheHighest()
    {
        const int Messages = 40;
        const int Marks = 1000;
        var room = TestDefaults.UniqueRoom("busy");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        for (var i = 0; i < Messages; i++)
        {
            await alice.Client.SendMessageAsync(room, $"m{i}").WithTimeout();
        }

        var commitsBefore = await ReadCommitsAsync();

        // Ascending, as a reader scrolling down marks them: the highest sequence comes only with the last few marks.
        var marks = Enumerable.Range(0, Marks).Select(i => bob.Client.MarkReadAsync(room, 1 + ((long)i * Messages / Marks))).ToArray();
        var answers = await Task.WhenAll(marks).WithTimeout();

        answers[^1].Should().Be(new ReadState(room, Messages, 0, 0), "the highest mark is never lost");
        answers.Select(a => a.LastReadSequence).Should().BeInAscendingOrder("each mark is answered by a call that covers it");
        answers.Zip(Enumerable.Range(0, Marks)).Should().OnlyContain(a => a.First.LastReadSequence >= 1 + ((long)a.Second * Messages / Marks));
        var calls = bob.Logs.Entries.Count(e => e.EventId.Name == "MarkingRead");
        calls.Should().BeInRange(1, 10, "a mark made while another is on its way waits for it and goes out with the highest");
        var commitsAfter = await Eventually.MatchesAsync(ReadCommitsAsync, c => c > commitsBefore, because: "the marks were committed");
        output.WriteLine($"{Marks} marks: {calls} MarkRead calls, {commitsAfter - commitsBefore} read commits");
        (commitsAfter - commitsBefore).Should().BeLessThanOrEqualTo(30, "the server stores coalesced pointers, at most one commit per flush interval");
        (await bob.ReadStates.WaitForAsync(s => s.LastReadSequence == Messages)).Room.Should().Be(room);
        (await bob.Client.ListMyRoomsAsync().WithTimeout()).Should().ContainSingle(r => r.Room.Room == room)
            .Which.Should().BeEquivalentTo(new { LastReadSequence = (long)Messages, UnreadCount = 0 });
    }

    [Fact]
    public async Task ShownMessagesMoveThePointerForwardOnlyAndSendNothingWhenAlreadyRead()
    {
        var room = TestDefaults.UniqueRoom("shown");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        for (var i = 1; i <= 5; i++)
        {
            await alice.Client.SendMessageAsync(room, $"m{i}").WithTimeout();
        }

        var shown = await bob.Messages.WaitForCountAsync(5, m => m.Room == room);

        // A screenful comes into view in whatever order the app renders it.
        await Task.WhenAll(shown.Reverse().Select(m => bob.Client.MarkShownAsync(m))).WithTimeout();
        (await bob.ReadStates.WaitForAsync(s => s.LastReadSequence == shown[^1].Sequence)).UnreadCount.Should().Be(0);
        var callsAfterScreen = bob.Logs.Entries.Count(e => e.EventId.Name == "MarkingRead");
        callsAfterScreen.Should().BeInRange(1, 2);

        await bob.Client.MarkShownAsync(shown[1]).WithTimeout();
        var own = await bob.Client.SendMessageAsync(room, "mine").WithTimeout();
        await bob.Messages.WaitForAsync(m => m.Id == own.Id);
        await bob.Client.MarkShownAsync(own).WithTimeout();

        bob.Logs.Entries.Count(e => e.EventId.Name == "MarkingRead").Should().Be(callsAfterScreen, "an older message, and one's own post, are read already");
        bob.Client.GetLastReadSequence(room).Should().Be(own.Sequence, "posting moves the sender's pointer to the post");
        var older = await bob.Client.MarkReadAsync(room, shown[0].Sequence).WithTimeout();
        older.LastReadSequence.Should().Be(own.Sequence, "a mark never moves the pointer back");
    }

    [Fact]
    public async Task ReceiptsShowHowFarEachMemberReadAndMovesReachTheRoom()
    {
        var room = TestDefaults.UniqueRoom("small");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.Json);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.Json);
        await alice.Client.CreateRoomAsync(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [bob.UserId])).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        var sent = await alice.Client.SendMessageAsync(room, "seen?").WithTimeout();

        await bob.Client.MarkReadAsync(room, sent.Sequence).WithTimeout();

        (await alice.Receipts.WaitForAsync(r => r.Room == room)).Should().BeEquivalentTo(new { UserId = bob.UserId, LastReadSequence = sent.Sequence });
        var receipts = await alice.Client.GetReadReceiptsAsync(room).WithTimeout();
        receipts.Select(r => (r.UserId, r.LastReadSequence)).Should().BeEquivalentTo([(alice.UserId, sent.Sequence), (bob.UserId, sent.Sequence)]);
        receipts.Select(r => r.UserId).Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MentionNotifiesEveryClientOfTheUserAndNotTheAuthor(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        var bobName = TestDefaults.UniqueUser("bob");
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, bobName, protocol);
        await using var bobElsewhere = await ClientUnderTest.StartAsync(Server.BaseAddress, bobName, protocol);
        var handler = new ReadingHandler();
        using var subscription = bobElsewhere.Client.Subscribe(handler);
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.JoinRoomAsync(room).WithTimeout();

        var mention = await alice.Client.PostMessageAsync(room, new PostMessageRequest("bob, look", Mentions: [bob.UserId])).WithTimeout();

        var notified = await bob.Notifications.WaitForAsync(n => n.Room == room);
        notified.Should().BeEquivalentTo(new
        {
            Kind = NotificationKinds.Mention,
            Room = room,
            MessageId = mention.Id,
            Sequence = mention.Sequence,
            FromUserId = alice.UserId,
            Preview = "bob, look",
        });
        (await bobElsewhere.Notifications.WaitForAsync(n => n.Room == room)).Should().Be(notified, "every client of the user, joined to the room or not");
        (await handler.Notifications.WaitForAsync(n => n.Room == room)).Should().Be(notified);
        (await bob.Client.GetNotificationsAsync(limit: 1).WithTimeout()).Should().Equal(notified);
        alice.Notifications.Items.Should().BeEmpty("no one is notified of their own message");
    }

    [Fact]
    public async Task NotificationsPageNewestFirst()
    {
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        var direct = await alice.Client.OpenDirectAsync(bob.UserId).WithTimeout();
        await alice.Client.JoinRoomAsync(direct.Room).WithTimeout();
        for (var i = 1; i <= 5; i++)
        {
            await alice.Client.SendMessageAsync(direct.Room, $"dm {i}").WithTimeout();
        }

        await bob.Notifications.WaitForCountAsync(5, n => n.Kind == NotificationKinds.Direct);

        var all = await bob.Client.GetNotificationsAsync().WithTimeout();
        var paged = new List<Notification>();
        string? before = null;
        while (true)
        {
            var page = await bob.Client.GetNotificationsAsync(before, limit: 2).WithTimeout();
            page.Length.Should().BeLessThanOrEqualTo(2);
            paged.AddRange(page);
            if (page.Length < 2)
            {
                break;
            }

            before = page[^1].Id;
        }

        paged.Should().Equal(all, "the pages together are the whole list");
        all.Select(n => n.Id).Should().BeInDescendingOrder(StringComparer.Ordinal);
        all.Where(n => n.Kind == NotificationKinds.Direct).Select(n => n.Preview).Should().Equal("dm 5", "dm 4", "dm 3", "dm 2", "dm 1");
        var invalid = () => bob.Client.GetNotificationsAsync(limit: ChatLimits.MaxNotificationsPage + 1).WithTimeout();
        (await invalid.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.InvalidLimit);
    }

    [Fact]
    public async Task MarkRefusedByTheServerFailsWithItsCode()
    {
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);

        var marking = () => bob.Client.MarkReadAsync(TestDefaults.UniqueRoom("never-joined"), 1).WithTimeout();

        (await marking.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.NotAMember);
        bob.Client.State.Should().Be(ChatConnectionState.Connected);
    }

    [GeneratedRegex(@"^chat_read_commits(?:_total)?(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex ReadCommitsLine();

    /// <summary>The server's <c>read.commits</c> counter (every server of this test process shares one exporter).</summary>
    private async Task<double> ReadCommitsAsync()
    {
        var metrics = await Server.Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout();
        return ReadCommitsLine().Matches(metrics).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        };
    }

    /// <summary>An <see cref="IChatClient"/> handler that records the read state callbacks.</summary>
    private sealed class ReadingHandler : IChatClient
    {
        public EventLog<ReadState> ReadStates { get; } = new();

        public EventLog<Notification> Notifications { get; } = new();

        public Task MessageReceived(ChatMessage message) => Task.CompletedTask;

        public Task RoomChanged(RoomEvent roomEvent) => Task.CompletedTask;

        public Task UserJoined(RoomMemberEvent memberEvent) => Task.CompletedTask;

        public Task UserLeft(RoomMemberEvent memberEvent) => Task.CompletedTask;

        public Task TypingChanged(TypingNotice notice) => Task.CompletedTask;

        public Task PresenceChanged(PresenceChange change) => Task.CompletedTask;

        public Task RoomActivity(RoomActivity activity) => Task.CompletedTask;

        public Task ReadStateChanged(ReadState state)
        {
            ReadStates.Add(state);
            return Task.CompletedTask;
        }

        public Task ReadReceiptChanged(ReadReceipt receipt) => Task.CompletedTask;

        public Task CallOffered(IncomingCall call) => Task.CompletedTask;

        public Task CallAnswered(CallAnswer answer) => Task.CompletedTask;

        public Task IceCandidatesReceived(IceCandidates candidates) => Task.CompletedTask;

        public Task CallEnded(CallEnd end) => Task.CompletedTask;

        public Task NotificationReceived(Notification notification)
        {
            Notifications.Add(notification);
            return Task.CompletedTask;
        }
    }
}
