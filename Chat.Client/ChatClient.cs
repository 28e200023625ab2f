using System.Net;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Client;

/// <summary>
/// A typed, self-healing connection to a Chat server. It signs in, connects, and from then on keeps itself connected:
/// after any loss it reconnects (exponential backoff with jitter, without end), re-joins its rooms, fetches what it
/// missed from history and delivers every message of a joined room exactly once, in sequence order. Sends cut by a
/// lost connection are retried with the same client message id, so they are neither lost nor doubled.
/// </summary>
/// <remarks>
/// Events are raised one at a time, in order, on a background task of their own: a slow handler delays later events
/// but never the connection. Calls made while the client is (re)connecting wait until it is connected again.
/// </remarks>
public sealed class ChatClient : IAsyncDisposable
{
    private static readonly TimeSpan LostConnectionGrace = TimeSpan.FromSeconds(10);

    private readonly ChatClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly AccessTokenSource _tokens;
    private readonly HubConnection _connection;
    private readonly Uri _hubUrl;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Dictionary<string, RoomSequence> _rooms = new(StringComparer.Ordinal);
    private readonly List<IChatClient> _handlers = [];
    private readonly Channel<Func<Task>> _events = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource<Session> _ready = NewReadySignal();
    private TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task? _supervisor;
    private ChatConnectionState _state;
    private bool _disposed;

    /// <summary>Creates a client. Nothing happens on the network until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Where to connect and how to sign in.</param>
    /// <param name="loggerFactory">Where the client and SignalR log; nowhere when null.</param>
    public ChatClient(ChatClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ChatClient>();

        var baseUrl = options.ServerUrl!.AbsoluteUri.EndsWith('/') ? options.ServerUrl : new Uri(options.ServerUrl.AbsoluteUri + "/");
        _hubUrl = new Uri(baseUrl, ChatRoutes.Hub.TrimStart('/'));
        _tokens = new AccessTokenSource(options, baseUrl, _time, _logger);

        var builder = new HubConnectionBuilder()
            .WithUrl(_hubUrl, http => http.AccessTokenProvider = async () => await _tokens.GetAsync(StopToken));
        builder.Services.AddSingleton(loggerFactory);
        _ = options.Protocol == ChatHubProtocol.Json ? builder.AddJsonProtocol() : builder.AddMessagePackProtocol();
        _connection = builder.Build();

        _connection.On<ChatMessage>(nameof(IChatClient.MessageReceived), OnMessageReceived);
        _connection.On<RoomMemberEvent>(nameof(IChatClient.UserJoined), e =>
            Enqueue(nameof(UserJoined), () => UserJoined?.Invoke(this, e), h => h.UserJoined(e)));
        _connection.On<RoomMemberEvent>(nameof(IChatClient.UserLeft), e =>
            Enqueue(nameof(UserLeft), () => UserLeft?.Invoke(this, e), h => h.UserLeft(e)));
        _connection.On<TypingNotice>(nameof(IChatClient.TypingChanged), e =>
            Enqueue(nameof(TypingChanged), () => TypingChanged?.Invoke(this, e), h => h.TypingChanged(e)));
        _connection.On<PresenceChange>(nameof(IChatClient.PresenceChanged), e =>
            Enqueue(nameof(PresenceChanged), () => PresenceChanged?.Invoke(this, e), h => h.PresenceChanged(e)));
        _connection.Closed += exception =>
        {
            lock (_lock)
            {
                _closed.TrySetResult(exception);
            }

            return Task.CompletedTask;
        };

        _ = Task.Run(RaiseEventsAsync);
    }

    /// <summary>A message in a joined room: each exactly once, in sequence order per room, also across reconnects.</summary>
    /// <remarks>Messages already returned in <see cref="JoinResult.RecentMessages"/> are not raised again.</remarks>
    public event EventHandler<ChatMessage>? MessageReceived;

    /// <summary>A user's first connection joined a room this client is in.</summary>
    public event EventHandler<RoomMemberEvent>? UserJoined;

    /// <summary>A user's last connection left a room this client is in.</summary>
    public event EventHandler<RoomMemberEvent>? UserLeft;

    /// <summary>Someone in a joined room started or stopped typing.</summary>
    public event EventHandler<TypingNotice>? TypingChanged;

    /// <summary>A user who shares a room with this client came online or went offline.</summary>
    public event EventHandler<PresenceChange>? PresenceChanged;

    /// <summary>The connection state changed; <see cref="ChatConnectionStateChangedEventArgs.Reason"/> says why.</summary>
    public event EventHandler<ChatConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>Where the connection stands now.</summary>
    public ChatConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The user id of the guest sign-in (e.g. <c>guest:alice</c>); null with an external token provider.</summary>
    public string? UserId => _tokens.GuestUserId;

    /// <summary>The rooms this client is in (lower case); they are re-joined after every reconnect.</summary>
    public IReadOnlyCollection<string> Rooms
    {
        get
        {
            lock (_lock)
            {
                return [.. _rooms.Keys];
            }
        }
    }

    /// <summary>
    /// Starts connecting and completes once connected. A server that is not up yet is retried until it answers.
    /// Cancelling <paramref name="cancellationToken"/> gives up the start and stops the client.
    /// </summary>
    /// <param name="cancellationToken">Gives up the start.</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Task<Session> ready;
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lock (_lock)
            {
                if (_stopping is null)
                {
                    var stopping = new CancellationTokenSource();
                    _stopping = stopping;
                    _ready = NewReadySignal();
                    SetState(ChatConnectionState.Connecting, null);
                    var supervising = Task.Run(() => SuperviseAsync(stopping), CancellationToken.None);
                    var renewing = Task.Run(() => _tokens.KeepFreshAsync(stopping.Token), CancellationToken.None);
                    _supervisor = Task.WhenAll(supervising, renewing);
                }

                ready = _ready.Task;
            }
        }
        finally
        {
            _lifecycle.Release();
        }

        try
        {
            await ready.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Closes the connection and stops reconnecting. Calls still waiting for a connection fail with
    /// <see cref="InvalidOperationException"/>. The rooms are kept: a later <see cref="StartAsync"/> re-joins them and
    /// delivers what was missed in between.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the connection to close.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            CancellationTokenSource? stopping;
            Task? supervisor;
            lock (_lock)
            {
                stopping = _stopping;
                supervisor = _supervisor;
                _stopping = null;
                _supervisor = null;
                _ready.TrySetException(new InvalidOperationException("The chat client was stopped."));
            }

            if (stopping is null)
            {
                return;
            }

            await stopping.CancelAsync();
            await supervisor!.WaitAsync(cancellationToken);
            await _connection.StopAsync(cancellationToken);
            stopping.Dispose();
            lock (_lock)
            {
                SetState(ChatConnectionState.Disconnected, null);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Joins <paramref name="room"/> (creating it on first use). The client re-joins it after every reconnect.</summary>
    /// <param name="room">1–64 characters of a-z, 0-9, '_' and '-' (see <see cref="ChatRules.IsValidRoomName"/>).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Who is in the room and its latest messages; later messages arrive through <see cref="MessageReceived"/>.</returns>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.InvalidRoomName"/>.</exception>
    public async Task<JoinResult> JoinRoomAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        var name = ChatRules.NormalizeRoomName(room);
        RoomSequence? sequence;
        bool isNew;
        lock (_lock)
        {
            isNew = !_rooms.TryGetValue(name, out sequence);
            if (sequence is null)
            {
                // Tracked before the call: live messages that overtake the answer wait in the room's buffer.
                sequence = new RoomSequence(name);
                _rooms[name] = sequence;
            }
        }

        JoinResult result;
        try
        {
            result = await CallAsync((c, t) => c.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room, t), cancellationToken);
        }
        catch
        {
            if (isNew)
            {
                lock (_lock)
                {
                    if (_rooms.TryGetValue(name, out var current) && current == sequence && current.IsJoining)
                    {
                        _rooms.Remove(name);
                    }
                }
            }

            throw;
        }

        lock (_lock)
        {
            var deliverable = new List<ChatMessage>();
            if (sequence.IsJoining)
            {
                sequence.Joined(result.LastSequence, deliverable);
            }
            else
            {
                sequence.SawLastSequence(result.LastSequence);
                sequence.Offer(result.RecentMessages, deliverable);
            }

            Deliver(deliverable);
            ScheduleGapFill(sequence);
        }

        return result;
    }

    /// <summary>Leaves <paramref name="room"/>; the client stops delivering its messages and no longer re-joins it.</summary>
    /// <param name="room">A room name.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChatRequestException">The server refused.</exception>
    public async Task LeaveRoomAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        lock (_lock)
        {
            _rooms.Remove(ChatRules.NormalizeRoomName(room));
            if (_state != ChatConnectionState.Connected)
            {
                // Without a connection the server holds no membership, and the room is no longer re-joined.
                return;
            }
        }

        try
        {
            await _connection.InvokeAsync(nameof(IChatHub.LeaveRoom), room, cancellationToken);
        }
        catch (HubException exception)
        {
            throw ChatRequestException.From(exception);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && _connection.State != HubConnectionState.Connected)
        {
            // The connection went, and the membership with it.
        }
    }

    /// <summary>
    /// Sends a message and returns it as stored (with its sequence). When the connection is lost on the way, the
    /// send waits for the reconnect and is repeated with the same <paramref name="clientMessageId"/>: the server
    /// stores it once.
    /// </summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="content">1–4000 characters after trimming.</param>
    /// <param name="clientMessageId">The idempotency id; a new one is made when null.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still have been stored).</param>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.RateLimited"/>.</exception>
    public Task<ChatMessage> SendMessageAsync(string room, string content, string? clientMessageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentNullException.ThrowIfNull(content);
        var id = string.IsNullOrEmpty(clientMessageId) ? Guid.NewGuid().ToString("N") : clientMessageId;
        return CallAsync((c, t) => c.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, content, id, t), cancellationToken);
    }

    /// <summary>Starts or stops this user's typing state in a joined room. <see cref="CreateTypingIndicator"/> does the timing for you.</summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="isTyping">Whether the user is typing.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChatRequestException">The server refused.</exception>
    public Task SetTypingAsync(string room, bool isTyping, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return CallAsync(async (c, t) =>
        {
            await c.InvokeAsync(nameof(IChatHub.SetTyping), room, isTyping, t);
            return true;
        }, cancellationToken);
    }

    /// <summary>Pages backwards through a room's history.</summary>
    /// <param name="room">Any room; joining is not needed.</param>
    /// <param name="beforeSequence">Messages before this sequence; null for the newest.</param>
    /// <param name="limit">1–200.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Messages oldest first.</returns>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.InvalidLimit"/>.</exception>
    public Task<ChatMessage[]> GetHistoryAsync(string room, long? beforeSequence = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return CallAsync((c, t) => c.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetHistory), room, beforeSequence, limit, t), cancellationToken);
    }

    /// <summary>A room's messages after <paramref name="afterSequence"/>. The client already does this by itself after reconnects.</summary>
    /// <param name="room">Any room; joining is not needed.</param>
    /// <param name="afterSequence">The last sequence already seen.</param>
    /// <param name="limit">1–500.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Messages oldest first.</returns>
    /// <exception cref="ChatRequestException">The server refused.</exception>
    public Task<ChatMessage[]> GetMessagesSinceAsync(string room, long afterSequence, int limit = ChatLimits.MaxMessagesSincePage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return CallAsync((c, t) => c.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetMessagesSince), room, afterSequence, limit, t), cancellationToken);
    }

    /// <summary>Rooms with at least one member or with history.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<RoomSummary[]> ListRoomsAsync(CancellationToken cancellationToken = default) =>
        CallAsync((c, t) => c.InvokeAsync<RoomSummary[]>(nameof(IChatHub.ListRooms), t), cancellationToken);

    /// <summary>Who is in a room now.</summary>
    /// <param name="room">Any room.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<UserPresence[]> GetPresenceAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return CallAsync((c, t) => c.InvokeAsync<UserPresence[]>(nameof(IChatHub.GetPresence), room, t), cancellationToken);
    }

    /// <summary>
    /// Routes every callback to <paramref name="handler"/> as well, after the events, in the same order. Dispose the
    /// result to stop.
    /// </summary>
    /// <param name="handler">An implementation of the server's callbacks.</param>
    public IDisposable Subscribe(IChatClient handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>A helper that turns keystrokes in <paramref name="room"/> into throttled typing notices.</summary>
    /// <param name="room">A room this client has joined.</param>
    public ChatTypingIndicator CreateTypingIndicator(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return new ChatTypingIndicator(this, room, _options.Typing, _time, _logger);
    }

    /// <summary>Stops the client and releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync();
        _disposed = true;
        _events.Writer.TryComplete();
        await _connection.DisposeAsync();
        _tokens.Dispose();
    }

    private static TaskCompletionSource<Session> NewReadySignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool IsUnauthorized(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: HttpStatusCode.Unauthorized } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnauthorized),
        _ => exception.InnerException is { } inner && IsUnauthorized(inner),
    };

    /// <summary>The reconnect loop: one connection at a time, for as long as the client is started.</summary>
    private async Task SuperviseAsync(CancellationTokenSource stopping)
    {
        var stop = stopping.Token;
        var retry = 0;
        var everConnected = false;
        var renewedAfterRefusal = false;
        while (!stop.IsCancellationRequested)
        {
            TaskCompletionSource<Exception?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _closed = closed;
            }

            try
            {
                await _connection.StartAsync(stop);
                await RecoverAsync(stop);
                var session = new Session();
                lock (_lock)
                {
                    if (_stopping != stopping)
                    {
                        return;
                    }

                    SetState(ChatConnectionState.Connected, null);
                    _ready.TrySetResult(session);
                }

                ChatClientLog.Connected(_logger, _hubUrl);
                everConnected = true;
                renewedAfterRefusal = false;

                Exception reason;
                try
                {
                    reason = await closed.Task.WaitAsync(stop) ?? new IOException("The server closed the connection.");
                    lock (_lock)
                    {
                        if (_stopping != stopping)
                        {
                            return;
                        }

                        _ready = NewReadySignal();
                        SetState(ChatConnectionState.Reconnecting, reason);
                    }
                }
                finally
                {
                    // Calls cut by the loss retry once they see this, on whatever comes next.
                    session.Ended.TrySetResult();
                }

                ChatClientLog.ConnectionLost(_logger, reason);
                retry = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                await StopConnectionQuietlyAsync();
                if (IsUnauthorized(exception))
                {
                    ChatClientLog.TokenRejected(_logger);
                    if (_tokens.Current is { } refused)
                    {
                        _tokens.Invalidate(refused);
                    }

                    if (!renewedAfterRefusal)
                    {
                        // A renewed token usually fixes a 401 at once: retry without waiting, but only once in a row.
                        renewedAfterRefusal = true;
                        continue;
                    }
                }

                lock (_lock)
                {
                    if (_stopping != stopping)
                    {
                        return;
                    }

                    SetState(everConnected ? ChatConnectionState.Reconnecting : ChatConnectionState.Connecting, exception);
                }

                ChatClientLog.AttemptFailed(_logger, retry + 1, exception);
            }

            // Also before the first attempt after a loss: jitter spreads out the many clients one server restart cuts off.
            try
            {
                await Task.Delay(_options.Reconnect.GetDelay(retry++, Random.Shared.NextDouble()), _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopConnectionQuietlyAsync()
    {
        try
        {
            await _connection.StopAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ChatClientLog.ConnectionLost(_logger, exception);
        }
    }

    /// <summary>After (re)connecting: re-join every room, then fetch and deliver what was missed in each.</summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        RoomSequence[] rooms;
        lock (_lock)
        {
            // Rooms whose first join is still under way are joined by that call itself.
            rooms = [.. _rooms.Values.Where(r => !r.IsJoining)];
        }

        foreach (var room in rooms)
        {
            JoinResult result;
            try
            {
                result = await _connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room.Room, cancellationToken);
            }
            catch (HubException exception)
            {
                ChatClientLog.RejoinFailed(_logger, room.Room, exception);
                continue;
            }

            lock (_lock)
            {
                if (IsTracked(room))
                {
                    var deliverable = new List<ChatMessage>();
                    room.SawLastSequence(result.LastSequence);
                    room.Offer(result.RecentMessages, deliverable);
                    Deliver(deliverable);
                }
            }
        }

        foreach (var room in rooms)
        {
            await CatchUpAsync(room, cancellationToken);
        }
    }

    /// <summary>Fetches history after the room's cursor until nothing is missing, delivering in order.</summary>
    private async Task CatchUpAsync(RoomSequence room, CancellationToken cancellationToken)
    {
        await room.FetchGate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                long after;
                lock (_lock)
                {
                    room.FillScheduled = false;
                    if (!IsTracked(room) || !room.HasGap)
                    {
                        return;
                    }

                    after = room.Delivered;
                }

                ChatClientLog.CatchingUp(_logger, room.Room, after);
                var page = await _connection.InvokeAsync<ChatMessage[]>(
                    nameof(IChatHub.GetMessagesSince), room.Room, after, ChatLimits.MaxMessagesSincePage, cancellationToken);
                lock (_lock)
                {
                    if (!IsTracked(room))
                    {
                        return;
                    }

                    var deliverable = new List<ChatMessage>();
                    room.Offer(page, deliverable);
                    if (room.Delivered == after && room.HasGap)
                    {
                        var (from, to) = room.SkipHole(deliverable);
                        ChatClientLog.HistoryGap(_logger, room.Room, from, to);
                    }

                    Deliver(deliverable);
                }
            }
        }
        finally
        {
            room.FetchGate.Release();
        }
    }

    private void OnMessageReceived(ChatMessage message)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(message.Room, out var room))
            {
                return;
            }

            var deliverable = new List<ChatMessage>();
            room.Offer([message], deliverable);
            Deliver(deliverable);
            ScheduleGapFill(room);
        }
    }

    /// <summary>Live traffic skipped a sequence: fetch the hole from history in the background. Call under the lock.</summary>
    private void ScheduleGapFill(RoomSequence room)
    {
        if (!room.HasGap || room.FillScheduled || _stopping is not { } stopping)
        {
            return;
        }

        room.FillScheduled = true;
        var stop = stopping.Token;
        // Off the caller's thread: it holds the lock, and may be SignalR's receive loop, which must keep reading.
        _ = Task.Run(() => FillGapAsync(room, stop), CancellationToken.None);
    }

    private async Task FillGapAsync(RoomSequence room, CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(room, cancellationToken);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Most likely the connection went: the reconnect catches the room up.
            lock (_lock)
            {
                room.FillScheduled = false;
            }

            ChatClientLog.CatchUpFailed(_logger, room.Room, exception);
        }
    }

    /// <summary>Cancelled when the client stops, so that a hanging sign-in cannot hold up <see cref="StopAsync"/>.</summary>
    private CancellationToken StopToken
    {
        get
        {
            lock (_lock)
            {
                return _stopping?.Token ?? CancellationToken.None;
            }
        }
    }

    private bool IsTracked(RoomSequence room) => _rooms.TryGetValue(room.Room, out var current) && current == room;

    /// <summary>
    /// Runs a hub call on the current connection. A call cut by a lost connection waits for the reconnect and runs
    /// again; the server's answer to a refused call becomes a <see cref="ChatRequestException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<HubConnection, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<Session> ready;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_stopping is null)
                {
                    throw new InvalidOperationException("Start the chat client (StartAsync) before calling the server.");
                }

                ready = _ready.Task;
            }

            var session = await ready.WaitAsync(cancellationToken);
            ExceptionDispatchInfo failure;
            try
            {
                return await call(_connection, cancellationToken);
            }
            catch (HubException exception)
            {
                throw ChatRequestException.From(exception);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }

            // A call cut by a lost connection goes round and runs again on the next connection; anything else fails.
            if (!await EndsSoonAsync(session, cancellationToken))
            {
                failure.Throw();
            }
        }
    }

    private static async Task<bool> EndsSoonAsync(Session session, CancellationToken cancellationToken)
    {
        try
        {
            await session.Ended.Task.WaitAsync(LostConnectionGrace, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Queues messages for the event loop. Call under the lock, so that order is kept across sources.</summary>
    private void Deliver(List<ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            Enqueue(nameof(MessageReceived), () => MessageReceived?.Invoke(this, message), h => h.MessageReceived(message));
        }
    }

    /// <summary>Call under the lock.</summary>
    private void SetState(ChatConnectionState state, Exception? reason)
    {
        var previous = _state;
        if (previous == state && reason is null)
        {
            return;
        }

        _state = state;
        var change = new ChatConnectionStateChangedEventArgs(previous, state, reason);
        Enqueue(nameof(StateChanged), () => StateChanged?.Invoke(this, change), null);
    }

    private void Enqueue(string name, Action raise, Func<IChatClient, Task>? callback) =>
        _events.Writer.TryWrite(async () =>
        {
            try
            {
                raise();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                ChatClientLog.HandlerFailed(_logger, name, exception);
            }

            if (callback is null)
            {
                return;
            }

            IChatClient[] handlers;
            lock (_lock)
            {
                handlers = [.. _handlers];
            }

            foreach (var handler in handlers)
            {
                try
                {
                    await callback(handler);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    ChatClientLog.HandlerFailed(_logger, name, exception);
                }
            }
        });

    private async Task RaiseEventsAsync()
    {
        await foreach (var raise in _events.Reader.ReadAllAsync())
        {
            await raise();
        }
    }

    private void Unsubscribe(IChatClient handler)
    {
        lock (_lock)
        {
            _handlers.Remove(handler);
        }
    }

    private sealed class Session
    {
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Subscription(ChatClient client, IChatClient handler) : IDisposable
    {
        public void Dispose() => client.Unsubscribe(handler);
    }
}
