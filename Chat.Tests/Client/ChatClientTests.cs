using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Client;

/// <summary>The typed surface of <see cref="ChatClient"/> against a real server, in both protocols.</summary>
public sealed class ChatClientTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task TypedCallsAndEventsCoverTheWholeHub(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        var bobsHandler = new RecordingHandler();
        using var subscription = bob.Client.Subscribe(bobsHandler);

        await alice.Client.JoinRoomAsync(room).WithTimeout();
        var joined = await bob.Client.JoinRoomAsync(room.ToUpperInvariant()).WithTimeout();
        joined.Room.Should().Be(room);
        joined.Members.Select(m => m.UserId).Should().BeEquivalentTo([alice.UserId, bob.UserId]);
        (await alice.Joined.WaitForAsync(e => e.Room == room)).UserId.Should().Be(bob.UserId);
        alice.Client.UserId.Should().Be(alice.UserId);
        bob.Client.Rooms.Should().Equal(room);

        var sent = await alice.Client.SendMessageAsync(room, "hello bob").WithTimeout();
        sent.Should().BeEquivalentTo(new { Room = room, Sequence = 1L, SenderId = alice.UserId, Content = "hello bob" });
        sent.ClientMessageId.Should().NotBeNullOrEmpty("every send carries an idempotency id");
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await bobsHandler.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);

        (await bob.Client.GetHistoryAsync(room).WithTimeout()).Should().Equal(sent);
        (await bob.Client.GetMessagesSinceAsync(room, 0).WithTimeout()).Should().Equal(sent);
        (await bob.Client.ListRoomsAsync().WithTimeout()).Should().ContainEquivalentOf(new RoomSummary(room, 2, 1, 1));
        (await bob.Client.GetPresenceAsync(room).WithTimeout()).Select(p => p.UserId).Should().BeEquivalentTo([alice.UserId, bob.UserId]);

        await alice.Client.SetTypingAsync(room, true).WithTimeout();
        (await bob.Typing.WaitForAsync(t => t.Room == room)).Should().BeEquivalentTo(new { UserId = alice.UserId, IsTyping = true });
        (await bobsHandler.Typing.WaitForAsync(t => t.Room == room)).IsTyping.Should().BeTrue();

        await alice.Client.LeaveRoomAsync(room).WithTimeout();
        (await bob.Left.WaitForAsync(e => e.Room == room)).UserId.Should().Be(alice.UserId);
        (await bobsHandler.Left.WaitForAsync(e => e.Room == room)).UserId.Should().Be(alice.UserId);
        alice.Client.Rooms.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MessageLifecycleCallsReachOthersAsTypedEventsInOrder(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), protocol);
        var bobsHandler = new RecordingHandler();
        using var subscription = bob.Client.Subscribe(bobsHandler);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();

        var question = await alice.Client.SendMessageAsync(room, "lunch?").WithTimeout();
        var answer = await bob.Client.PostMessageAsync(room, new PostMessageRequest("yes", ReplyToId: question.Id, Mentions: [alice.UserId])).WithTimeout();
        var edited = await alice.Client.EditMessageAsync(room, question.Id, "lunch at noon?").WithTimeout();
        var reacted = await bob.Client.AddReactionAsync(room, question.Id, "👍").WithTimeout();
        var unreacted = await bob.Client.RemoveReactionAsync(room, question.Id, "👍").WithTimeout();
        await bob.Client.DeleteMessageAsync(room, answer.Id).WithTimeout();

        answer.Should().BeEquivalentTo(new { Content = "yes", Mentions = new[] { alice.UserId }, ReplyTo = new { question.Id, Preview = "lunch?" } });
        answer.ClientMessageId.Should().NotBeNullOrEmpty("a post without an idempotency id gets one");
        edited.Should().BeEquivalentTo(new { Content = "lunch at noon?", ClientMessageId = question.ClientMessageId });
        edited.EditedAt.Should().BeOnOrAfter(question.SentAt, "an edit is stamped when it is stored");
        reacted.Reactions.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Value = "👍", Count = 1, UserIds = new[] { bob.UserId } });
        unreacted.Reactions.Should().BeEmpty();

        (await alice.Edited.WaitForAsync(m => m.Room == room)).Should().Be(edited);
        var reactions = await alice.Reactions.WaitForCountAsync(2, e => e.Room == room);
        reactions.Select(e => (e.Type, e.Reaction, e.ActorId)).Should().Equal(
            (RoomEventTypes.ReactionAdded, "👍", bob.UserId), (RoomEventTypes.ReactionRemoved, "👍", bob.UserId));
        (await alice.Deleted.WaitForAsync(m => m.Room == room)).Should().BeEquivalentTo(new { answer.Id, Content = "", Reactions = Array.Empty<Reaction>() });
        var changes = await bobsHandler.Changes.WaitForCountAsync(4, e => e.Room == room);
        changes.Select(e => e.Type).Should().Equal(
            RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded, RoomEventTypes.ReactionRemoved, RoomEventTypes.MessageDeleted);
        (await alice.Timeline.WaitForCountAsync(6, c => c.Room == room)).Select(c => c.EventSequence).Should().Equal(1, 2, 3, 4, 5, 6);

        var page = await bob.Client.GetEventsSinceAsync(room, 0).WithTimeout();
        page.Should().BeEquivalentTo(new { Room = room, LastEventSequence = 6L, ResetRequired = false });
        page.Events.Select(e => e.Type).Should().Equal(
            RoomEventTypes.MessagePosted, RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded,
            RoomEventTypes.ReactionRemoved, RoomEventTypes.MessageDeleted);
        page.Events[1].Message!.IsDeleted.Should().BeTrue("events carry messages as they are now");
    }

    [Fact]
    public async Task RefusedCallFailsWithItsCodeAndTheConnectionStays()
    {
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        var room = TestDefaults.UniqueRoom();

        var notJoined = () => alice.Client.SendMessageAsync(room, "hello?").WithTimeout();
        (await notJoined.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.NotAMember);
        var badName = () => alice.Client.JoinRoomAsync("no spaces!").WithTimeout();
        (await badName.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.InvalidRoomName);

        alice.Client.State.Should().Be(ChatConnectionState.Connected);
        alice.Client.Rooms.Should().BeEmpty("a refused join is not re-joined later");
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        (await alice.Client.SendMessageAsync(room, "now it works").WithTimeout()).Sequence.Should().Be(1);
    }

    [Fact]
    public async Task JoinReturnsRecentMessagesAndEventsCarryOnAfterThemWithoutRepeats()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.Json);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        for (var i = 1; i <= 3; i++)
        {
            await alice.Client.SendMessageAsync(room, $"before {i}").WithTimeout();
        }

        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.Json);
        var joined = await bob.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.SendMessageAsync(room, "after").WithTimeout();

        joined.RecentMessages.Select(m => m.Sequence).Should().Equal(1, 2, 3);
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Content.Should().Be("after");
        await alice.Messages.WaitForCountAsync(4, m => m.Room == room);
        bob.MessagesIn(room).Select(m => m.Sequence).Should().Equal(4);
    }

    [Fact]
    public async Task SendingTwiceWithOneClientMessageIdStoresOneMessage()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();

        var first = await alice.Client.SendMessageAsync(room, "once", "retry-1").WithTimeout();
        var again = await alice.Client.SendMessageAsync(room, "once", "retry-1").WithTimeout();

        again.Should().Be(first);
        (await alice.Client.GetMessagesSinceAsync(room, 0).WithTimeout()).Should().Equal(first);
    }

    [Fact]
    public async Task SendingTwiceWithOneClientMessageIdInADirectRoomStoresOneMessage()
    {
        await using var alice = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.Json);
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.Json);
        var direct = await alice.Client.OpenDirectAsync(bob.UserId).WithTimeout();
        await alice.Client.JoinRoomAsync(direct.Room).WithTimeout();

        var first = await alice.Client.SendMessageAsync(direct.Room, "once", "retry-1").WithTimeout();
        var again = await alice.Client.SendMessageAsync(direct.Room, "once", "retry-1").WithTimeout();

        again.Should().Be(first, "a direct room's post reads the room first, and must still find its first send");
        (await alice.Client.GetMessagesSinceAsync(direct.Room, 0).WithTimeout()).Should().Equal(first);
    }

    [Fact]
    public async Task TypingIndicatorSendsOneStartForManyKeystrokesAndStopsWhenIdle()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(
            Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack,
            options => options.Typing = new ChatTypingOptions { RefreshInterval = TimeSpan.FromSeconds(4), IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using var bob = await ClientUnderTest.StartAsync(Server.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();
        using var typing = alice.Client.CreateTypingIndicator(room);

        for (var i = 0; i < 20; i++)
        {
            typing.NotifyTyping();
        }

        var notices = await bob.Typing.WaitForCountAsync(2, t => t.Room == room);
        notices.Select(t => t.IsTyping).Should().Equal(true, false);
    }

    [Fact]
    public async Task AddChatClientRegistersAClientThatTheContainerStopsOnDispose()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddChatClient(options =>
            {
                options.ServerUrl = Server.BaseAddress;
                options.UserName = TestDefaults.UniqueUser("di");
                options.Reconnect = ClientUnderTest.FastReconnect;
            });
        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ChatClient>();
        provider.GetRequiredService<ChatClient>().Should().BeSameAs(client);

        await client.StartAsync().WithTimeout();
        var room = TestDefaults.UniqueRoom();
        await client.JoinRoomAsync(room).WithTimeout();
        (await client.SendMessageAsync(room, "from the container").WithTimeout()).Sequence.Should().Be(1);

        await provider.DisposeAsync();
        client.State.Should().Be(ChatConnectionState.Disconnected);
    }

    [Fact]
    public async Task CallsBeforeStartFailAndStopEndsWithDisconnected()
    {
        await using var alice = new ClientUnderTest(ClientUnderTest.Options(Server.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.Json));

        var early = () => alice.Client.ListRoomsAsync().WithTimeout();
        await early.Should().ThrowAsync<InvalidOperationException>();

        await alice.Client.StartAsync().WithTimeout();
        await alice.Client.StopAsync().WithTimeout();
        var states = await alice.States.WaitForCountAsync(3);
        states.Select(s => s.Current).Should().Equal(ChatConnectionState.Connecting, ChatConnectionState.Connected, ChatConnectionState.Disconnected);
        states.Should().OnlyContain(s => s.Reason == null);
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefusedAtConstruction()
    {
        var valid = ClientUnderTest.Options(Server.BaseAddress, "alice", ChatProtocol.Json);

        new Action(() => _ = new ChatClient(new ChatClientOptions { UserName = "alice" })).Should().Throw<ArgumentException>("no server URL");
        new Action(() => _ = new ChatClient(new ChatClientOptions { ServerUrl = Server.BaseAddress })).Should().Throw<ArgumentException>("no way to sign in");
        valid.UserName = "no spaces allowed";
        new Action(() => _ = new ChatClient(valid)).Should().Throw<ArgumentException>("an invalid user name");
        valid.UserName = "alice";
        valid.Reconnect = new ChatReconnectOptions { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(1) };
        new Action(() => _ = new ChatClient(valid)).Should().Throw<ArgumentException>("a cap below the first delay");
    }

    [Fact]
    public void ReconnectDelaysDoubleUpToTheCapWithJitterBelowEach()
    {
        var policy = new ChatReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1), Jitter = 0.5 };

        Enumerable.Range(0, 6).Select(retry => policy.GetDelay(retry, random: 0).TotalMilliseconds)
            .Should().Equal(100, 200, 400, 800, 1000, 1000);
        policy.GetDelay(retry: 2, random: 0.999).TotalMilliseconds.Should().BeApproximately(200, 0.5, "at most half of a delay is random");
        policy.GetDelay(retry: 1000, random: 0).Should().Be(TimeSpan.FromSeconds(1));
    }

    private sealed class RecordingHandler : IChatClient
    {
        public EventLog<ChatMessage> Messages { get; } = new();

        public EventLog<RoomMemberEvent> Left { get; } = new();

        public EventLog<TypingNotice> Typing { get; } = new();

        public EventLog<RoomEvent> Changes { get; } = new();

        public Task MessageReceived(ChatMessage message)
        {
            Messages.Add(message);
            return Task.CompletedTask;
        }

        public Task RoomChanged(RoomEvent roomEvent)
        {
            Changes.Add(roomEvent);
            return Task.CompletedTask;
        }

        public Task UserJoined(RoomMemberEvent memberEvent) => Task.CompletedTask;

        public Task UserLeft(RoomMemberEvent memberEvent)
        {
            Left.Add(memberEvent);
            return Task.CompletedTask;
        }

        public Task TypingChanged(TypingNotice notice)
        {
            Typing.Add(notice);
            return Task.CompletedTask;
        }

        public Task PresenceChanged(PresenceChange change) => Task.CompletedTask;

        public Task RoomActivity(RoomActivity activity) => Task.CompletedTask;

        public Task ReadStateChanged(ReadState state) => Task.CompletedTask;

        public Task ReadReceiptChanged(ReadReceipt receipt) => Task.CompletedTask;

        public Task CallOffered(IncomingCall call) => Task.CompletedTask;

        public Task CallAnswered(CallAnswer answer) => Task.CompletedTask;

        public Task IceCandidatesReceived(IceCandidates candidates) => Task.CompletedTask;

        public Task CallEnded(CallEnd end) => Task.CompletedTask;

        public Task NotificationReceived(Notification notification) => Task.CompletedTask;
    }
}
