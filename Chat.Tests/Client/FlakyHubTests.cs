using System.Collections.Concurrent;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Tests.Client;

/// <summary>
/// Behaviour of <see cref="ChatClient"/> that the real server shows only in rare moments (a store that answers
/// <c>unavailable</c>), against a stand-in hub that shows it on demand.
/// </summary>
public sealed class FlakyHubTests(FlakyHubTests.Fixture fixture) : IClassFixture<FlakyHubTests.Fixture>
{
    [Fact]
    public async Task SendsAnsweredUnavailableAreRetriedWithTheSameClientMessageId()
    {
        await using var alice = await StartAsync();

        var sent = await alice.Client.SendMessageAsync("lobby", "flaky-2").WithTimeout();
        var posted = await alice.Client.PostMessageAsync("lobby", new PostMessageRequest("flaky-1")).WithTimeout();

        fixture.Attempts(sent.ClientMessageId!).Should().Equal([nameof(IChatHub.SendMessage), nameof(IChatHub.SendMessage), nameof(IChatHub.SendMessage)]);
        posted.ClientMessageId.Should().NotBeNullOrEmpty("a post without an idempotency id gets one, kept across retries");
        fixture.Attempts(posted.ClientMessageId!).Should().Equal([nameof(IChatHub.PostMessage), nameof(IChatHub.PostMessage)]);
        alice.Logs.Entries.Count(e => e.EventId.Name == "RetryingUnavailable").Should().Be(3);
    }

    [Fact]
    public async Task ChangesAnsweredUnavailableAreRetriedUntilStored()
    {
        await using var alice = await StartAsync();
        var id = Guid.NewGuid().ToString("N");

        (await alice.Client.EditMessageAsync("lobby", id, "flaky-1").WithTimeout()).Content.Should().Be("flaky-1");
        await alice.Client.DeleteMessageAsync("lobby", id).WithTimeout();
        (await alice.Client.AddReactionAsync("lobby", id, "flaky-1").WithTimeout()).Id.Should().Be(id);
        await alice.Client.RemoveReactionAsync("lobby", id, "flaky-0").WithTimeout();

        fixture.Attempts(id).Should().Equal(
            nameof(IChatHub.EditMessage), nameof(IChatHub.EditMessage), nameof(IChatHub.DeleteMessage), nameof(IChatHub.DeleteMessage),
            nameof(IChatHub.AddReaction), nameof(IChatHub.AddReaction), nameof(IChatHub.RemoveReaction));
    }

    [Fact]
    public async Task UnavailableReachesTheCallerOnceTheRetryTimeIsSpent()
    {
        await using var alice = await StartAsync(options => options.UnavailableRetryTimeout = TimeSpan.Zero);

        var send = () => alice.Client.SendMessageAsync("lobby", "flaky-1", "once").WithTimeout();

        (await send.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Unavailable);
        fixture.Attempts("once").Should().ContainSingle();
        alice.Client.State.Should().Be(ChatConnectionState.Connected);
    }

    [Fact]
    public async Task ChangesTheJoinAnswerAlreadyShowsAreNotRaisedAgain()
    {
        await using var alice = await StartAsync();

        // The stand-in hub answers as the real one may in a race: lastEventSequence 4 was read before m5 was posted
        // (5), and m5 arrives live before the answer, as does its edit (6), which the recent messages do not show yet.
        var joined = await alice.Client.JoinRoomAsync("race").WithTimeout();

        joined.RecentMessages.Should().ContainSingle().Which.EventSequence.Should().Be(5);
        var first = await alice.Timeline.WaitForAsync(c => c.Room == "race");
        first.Should().BeEquivalentTo(new { EventSequence = 6L, Type = RoomEventTypes.MessageEdited }, "the post of m5 came in the join answer");
        alice.Edited.Items.Should().ContainSingle().Which.Content.Should().Be("m5, edited");
        alice.MessagesIn("race").Should().BeEmpty();
    }

    [Fact]
    public async Task DisposeReturnsOnlyOnceEveryQueuedEventWasRaised()
    {
        var alice = await StartAsync();
        var handler = new GatedHandler();
        using var subscription = alice.Client.Subscribe(handler);

        await alice.Client.SendMessageAsync("lobby", "burst").WithTimeout();
        await handler.Entered.Task.WithTimeout();
        var disposing = alice.DisposeAsync().AsTask();
        await Eventually.HoldsAsync(() => alice.Client.State == ChatConnectionState.Disconnected, "the client stopped");
        disposing.IsCompleted.Should().BeFalse("a handler is still running");
        handler.Gate.SetResult();
        await disposing.WithTimeout();

        handler.Raised.Should().Be(Fixture.BurstSize, "the events queued before the dispose were all raised before it returned");
    }

    private async Task<ClientUnderTest> StartAsync(Action<ChatClientOptions>? configure = null)
    {
        var options = ClientUnderTest.Options(fixture.BaseAddress, "alice", ChatProtocol.MessagePack);
        options.UserName = null;
        options.AccessTokenProvider = _ => Task.FromResult(new ChatAccessToken("not-checked", null));
        configure?.Invoke(options);
        var client = new ClientUnderTest(options, "alice");
        await client.Client.StartAsync().WithTimeout();
        await client.Client.JoinRoomAsync("lobby").WithTimeout();
        return client;
    }

    private sealed class GatedHandler : IChatClient
    {
        private int _raised;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Raised => Volatile.Read(ref _raised);

        public async Task MessageReceived(ChatMessage message)
        {
            Entered.TrySetResult();
            await Gate.Task;
            Interlocked.Increment(ref _raised);
        }

        public Task RoomChanged(RoomEvent roomEvent) => Task.CompletedTask;

        public Task UserJoined(RoomMemberEvent memberEvent) => Task.CompletedTask;

        public Task UserLeft(RoomMemberEvent memberEvent) => Task.CompletedTask;

        public Task TypingChanged(TypingNotice notice) => Task.CompletedTask;

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

    /// <summary>
    /// A hub without sign-in that answers <c>unavailable</c> to the first N attempts of a call whose text (content or
    /// reaction) is <c>flaky-N</c>, and records every attempt under its idempotency key (clientMessageId or message id).
    /// Sending <c>burst</c> pushes <see cref="BurstSize"/> new messages to the caller.
    /// </summary>
    public sealed class Fixture : StandInHubFixture<FlakyHub>
    {
        public const int BurstSize = 5;

        /// <summary>Records the attempt; throws <c>unavailable</c> while the text asks for more failures.</summary>
        internal void Attempt(string method, string key, string text)
        {
            var calls = Calls.GetOrAdd(key, _ => new ConcurrentQueue<string>());
            calls.Enqueue(method);
            var failures = text.StartsWith("flaky-", StringComparison.Ordinal) ? int.Parse(text["flaky-".Length..], System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (calls.Count(m => m == method) <= failures)
            {
                throw new HubException($"{ChatErrorCodes.Unavailable}: the store is busy; nothing was changed");
            }
        }
    }

    public sealed class FlakyHub(Fixture fixture) : Microsoft.AspNetCore.SignalR.Hub
    {
        public async Task<JoinResult> JoinRoom(string room)
        {
            if (room != "race")
            {
                return new JoinResult(room, [], [], 0, 0, 1);
            }

            var posted = Message(room, "m5", 5, null);
            var edited = posted with { Content = "m5, edited", EventSequence = 6, EditedAt = DateTime.UtcNow };
            await Clients.Caller.SendAsync(nameof(IChatClient.MessageReceived), posted);
            await Clients.Caller.SendAsync(
                nameof(IChatClient.RoomChanged), new RoomEvent(room, 6, RoomEventTypes.MessageEdited, DateTime.UtcNow, "alice", "alice", edited, edited.Id));
            return new JoinResult(room, [], [posted], 5, 4, 1);
        }

        public async Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId)
        {
            fixture.Attempt(nameof(SendMessage), clientMessageId ?? "", content);
            if (content == "burst")
            {
                for (var i = 1; i <= Fixture.BurstSize; i++)
                {
                    await Clients.Caller.SendAsync(nameof(IChatClient.MessageReceived), Message(room, $"m{i}", i, clientMessageId));
                }
            }

            return Message(room, "sent", 1, clientMessageId);
        }

        public ChatMessage PostMessage(string room, PostMessageRequest request)
        {
            fixture.Attempt(nameof(PostMessage), request.ClientMessageId ?? "", request.Content ?? "");
            return Message(room, "posted", 1, request.ClientMessageId);
        }

        public ChatMessage EditMessage(string room, string messageId, string content)
        {
            fixture.Attempt(nameof(EditMessage), messageId, content);
            return Message(room, messageId, 1, null) with { Content = content };
        }

        public void DeleteMessage(string room, string messageId) => fixture.Attempt(nameof(DeleteMessage), messageId, "flaky-1");

        public ChatMessage AddReaction(string room, string messageId, string reaction)
        {
            fixture.Attempt(nameof(AddReaction), messageId, reaction);
            return Message(room, messageId, 1, null);
        }

        public ChatMessage RemoveReaction(string room, string messageId, string reaction)
        {
            fixture.Attempt(nameof(RemoveReaction), messageId, reaction);
            return Message(room, messageId, 1, null);
        }

        private static ChatMessage Message(string room, string id, long eventSequence, string? clientMessageId) =>
            new(id, room, eventSequence, "alice", "alice", id, DateTime.UtcNow, clientMessageId, eventSequence, null, null, null, [], [], []);
    }
}
