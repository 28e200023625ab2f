using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Chat.Tests.Client;

/// <summary>A <see cref="ChatClient"/> with fast reconnects whose every event is recorded for the test to wait on.</summary>
public sealed class ClientUnderTest : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Small backoff so reconnect tests stay fast; jitter stays on, as in production.</summary>
    public static readonly ChatReconnectOptions FastReconnect = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(500),
        Jitter = 0.5,
    };

    public ClientUnderTest(ChatClientOptions options, string? userName = null, TimeProvider? time = null)
    {
        UserName = userName ?? options.UserName ?? "";
        _loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Debug)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddProvider(Logs));
        Client = new ChatClient(options, _loggerFactory, time);
        Client.MessageReceived += (_, m) => Messages.Add(m);
        Client.UserJoined += (_, e) => Joined.Add(e);
        Client.UserLeft += (_, e) => Left.Add(e);
        Client.TypingChanged += (_, e) => Typing.Add(e);
        Client.PresenceChanged += (_, e) => Presence.Add(e);
        Client.StateChanged += (_, e) => States.Add(e);
        Client.MessageEdited += (_, m) => Edited.Add(m);
        Client.MessageDeleted += (_, m) => Deleted.Add(m);
        Client.ReactionChanged += (_, e) => Reactions.Add(e);
        Client.RoomChanged += (_, e) => Changes.Add(e);
        Client.RoomReset += (_, e) => Resets.Add(e);
        Client.MemberAdded += (_, e) => MembersAdded.Add(e);
        Client.MemberRemoved += (_, e) => MembersRemoved.Add(e);
        Client.MemberUpdated += (_, e) => MembersUpdated.Add(e);
        Client.RoomUpdated += (_, e) => RoomUpdates.Add(e);
        Client.AddedToRoom += (_, e) => AddedTo.Add(e);
        Client.RemovedFromRoom += (_, e) => RemovedFrom.Add(e);
        Client.ReadStateChanged += (_, e) => ReadStates.Add(e);
        Client.ReadReceiptChanged += (_, e) => Receipts.Add(e);
        Client.NotificationReceived += (_, e) => Notifications.Add(e);
        Client.CallOffered += (_, e) => CallsOffered.Add(e);
        Client.CallAnswered += (_, e) => CallsAnswered.Add(e);
        Client.IceCandidatesReceived += (_, e) => Candidates.Add(e);
        Client.CallEnded += (_, e) => CallsEnded.Add(e);
        // Every change of every room in the order the client raised it, posts included, to check order and uniqueness.
        Client.MessageReceived += (_, m) => Timeline.Add(new RaisedChange(m.Room, m.EventSequence, RoomEventTypes.MessagePosted, m));
        Client.RoomChanged += (_, e) => Timeline.Add(new RaisedChange(e.Room, e.EventSequence, e.Type, e.Message));
    }

    public ChatClient Client { get; }

    /// <summary>The client's own log lines, from Debug up.</summary>
    public LogCollector Logs { get; } = new(LogLevel.Debug);

    public string UserName { get; }

    public string UserId => "guest:" + UserName.ToLowerInvariant();

    public EventLog<ChatMessage> Messages { get; } = new();

    public EventLog<RoomMemberEvent> Joined { get; } = new();

    public EventLog<RoomMemberEvent> Left { get; } = new();

    public EventLog<TypingNotice> Typing { get; } = new();

    public EventLog<PresenceChange> Presence { get; } = new();

    public EventLog<ChatConnectionStateChangedEventArgs> States { get; } = new();

    public EventLog<ChatMessage> Edited { get; } = new();

    public EventLog<ChatMessage> Deleted { get; } = new();

    public EventLog<RoomEvent> Reactions { get; } = new();

    public EventLog<RoomEvent> Changes { get; } = new();

    public EventLog<ChatRoomResetEventArgs> Resets { get; } = new();

    public EventLog<RaisedChange> Timeline { get; } = new();

    public EventLog<RoomEvent> MembersAdded { get; } = new();

    public EventLog<RoomEvent> MembersRemoved { get; } = new();

    public EventLog<RoomEvent> MembersUpdated { get; } = new();

    public EventLog<RoomEvent> RoomUpdates { get; } = new();

    /// <summary>This user's own additions (AddedToRoom), joined room or not.</summary>
    public EventLog<RoomEvent> AddedTo { get; } = new();

    /// <summary>This user's own removals (RemovedFromRoom).</summary>
    public EventLog<ChatRoomRemovedEventArgs> RemovedFrom { get; } = new();

    public EventLog<ReadState> ReadStates { get; } = new();

    public EventLog<ReadReceipt> Receipts { get; } = new();

    public EventLog<Notification> Notifications { get; } = new();

    public EventLog<IncomingCall> CallsOffered { get; } = new();

    public EventLog<CallAnswer> CallsAnswered { get; } = new();

    public EventLog<IceCandidates> Candidates { get; } = new();

    public EventLog<CallEnd> CallsEnded { get; } = new();

    public static ChatClientOptions Options(Uri serverUrl, string userName, ChatProtocol protocol) => new()
    {
        ServerUrl = serverUrl,
        UserName = userName,
        Protocol = protocol == ChatProtocol.Json ? ChatHubProtocol.Json : ChatHubProtocol.MessagePack,
        Reconnect = FastReconnect,
    };

    /// <summary>A started client signed in as a guest.</summary>
    public static async Task<ClientUnderTest> StartAsync(
        Uri serverUrl, string userName, ChatProtocol protocol, Action<ChatClientOptions>? configure = null, TimeProvider? time = null)
    {
        var options = Options(serverUrl, userName, protocol);
        configure?.Invoke(options);
        var client = new ClientUnderTest(options, time: time);
        await client.Client.StartAsync().WithTimeout(TimeSpan.FromSeconds(60));
        return client;
    }

    /// <summary>This client's messages of <paramref name="room"/>, in delivery order.</summary>
    public IReadOnlyList<ChatMessage> MessagesIn(string room) => [.. Messages.Items.Where(m => m.Room == room)];

    /// <summary>The changes of <paramref name="room"/> this client raised, in order.</summary>
    public IReadOnlyList<RaisedChange> TimelineOf(string room) => [.. Timeline.Items.Where(c => c.Room == room)];

    public async Task<ChatConnectionStateChangedEventArgs> WaitForStateAsync(ChatConnectionState state, int occurrence = 1, TimeSpan? timeout = null) =>
        (await States.WaitForCountAsync(occurrence, e => e.Current == state, timeout))[occurrence - 1];

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _loggerFactory.Dispose();
    }
}

/// <summary>One change of a room as a client raised it: a new message (MessageReceived) or any other (RoomChanged).</summary>
public sealed record RaisedChange(string Room, long EventSequence, string Type, ChatMessage? Message);
