using Chat.Shared;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Client;

/// <summary>
/// A typed, self-healing connection to a Chat server. It signs in, connects, and from then on keeps itself connected:
/// after any loss it reconnects (exponential backoff with jitter, without end), re-joins its rooms, fetches the
/// changes it missed from the room's change log and delivers every change of a joined room (new messages, edits,
/// deletes, reactions, …) exactly once, in order. Sends and changes cut by a lost connection, or refused with
/// <see cref="ChatErrorCodes.Unavailable"/>, are retried (sends with the same client message id), so they are
/// neither lost nor doubled.
/// </summary>
/// <remarks>
/// Events are raised one at a time, in order, on a background task of their own: a slow handler delays later events
/// but never the connection. Calls made while the client is (re)connecting wait until it is connected again.
/// </remarks>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ChatClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly EventDispatcher _events;
    private readonly ConnectionSupervisor _supervisor;
    private readonly RoomDelivery _rooms;
    private bool _disposed;

    /// <summary>Creates a client. Nothing happens on the network until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Where to connect and how to sign in.</param>
    /// <param name="loggerFactory">Where the client and SignalR log; nowhere when null.</param>
    /// <param name="timeProvider">The clock of every delay, timeout and token expiry; <see cref="TimeProvider.System"/> when null.</param>
    public ChatClient(ChatClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ChatClient>();
        _time = timeProvider ?? TimeProvider.System;
        _events = new EventDispatcher(_logger);
        _supervisor = new ConnectionSupervisor(options, loggerFactory, _time, _logger, RecoverAsync, OnStateChanged);
        _rooms = new RoomDelivery(_supervisor, _logger, OnRoomEvent, OnRoomReset);

        var connection = _supervisor.Connection;
        connection.On<RoomMemberEvent>(nameof(IChatClient.UserJoined), e =>
            _events.Enqueue(nameof(UserJoined), () => UserJoined?.Invoke(this, e), h => h.UserJoined(e)));
        connection.On<RoomMemberEvent>(nameof(IChatClient.UserLeft), e =>
            _events.Enqueue(nameof(UserLeft), () => UserLeft?.Invoke(this, e), h => h.UserLeft(e)));
        connection.On<TypingNotice>(nameof(IChatClient.TypingChanged), e =>
            _events.Enqueue(nameof(TypingChanged), () => TypingChanged?.Invoke(this, e), h => h.TypingChanged(e)));
        connection.On<PresenceChange>(nameof(IChatClient.PresenceChanged), e =>
            _events.Enqueue(nameof(PresenceChanged), () => PresenceChanged?.Invoke(this, e), h => h.PresenceChanged(e)));
    }

    /// <summary>A new message in a joined room: each exactly once, in order per room, also across reconnects.</summary>
    /// <remarks>
    /// Messages already returned in <see cref="JoinResult.RecentMessages"/> are not raised again. A message fetched
    /// after a reconnect arrives as it is now: it may already be edited, or a tombstone (its edit or delete follows).
    /// </remarks>
    public event EventHandler<ChatMessage>? MessageReceived;

    /// <summary>A message of a joined room was edited: the message with its new content (<see cref="ChatMessage.EditedAt"/> set).</summary>
    public event EventHandler<ChatMessage>? MessageEdited;

    /// <summary>A message of a joined room was deleted: its tombstone (empty content, <see cref="ChatMessage.DeletedAt"/> set).</summary>
    public event EventHandler<ChatMessage>? MessageDeleted;

    /// <summary>
    /// A reaction was added (<see cref="RoomEventTypes.ReactionAdded"/>) or removed
    /// (<see cref="RoomEventTypes.ReactionRemoved"/>) in a joined room: the change carries who
    /// (<see cref="RoomEvent.ActorId"/>), which <see cref="RoomEvent.Reaction"/>, and the message with its reactions.
    /// </summary>
    public event EventHandler<RoomEvent>? ReactionChanged;

    /// <summary>
    /// Every change of a joined room other than a new message, raw, as the server's <c>RoomChanged</c> callback: after
    /// the typed event of the same change (<see cref="MessageEdited"/>, <see cref="MessageDeleted"/>,
    /// <see cref="ReactionChanged"/>), and alone for changes without one (members, room settings).
    /// </summary>
    public event EventHandler<RoomEvent>? RoomChanged;

    /// <summary>
    /// Too many changes of a room were missed to replay them (the server answered <c>resetRequired</c>): the client
    /// joined the room again, and everything you hold of it must be reloaded from
    /// <see cref="ChatRoomResetEventArgs.Rejoined"/> (and <see cref="GetHistoryAsync"/>). Changes after that state
    /// follow as usual.
    /// </summary>
    public event EventHandler<ChatRoomResetEventArgs>? RoomReset;

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
    public ChatConnectionState State => _supervisor.State;

    /// <summary>The user id of the guest sign-in (e.g. <c>guest:alice</c>); null with an external token provider.</summary>
    public string? UserId => _supervisor.GuestUserId;

    /// <summary>The rooms this client is in (lower case); they are re-joined after every reconnect.</summary>
    public IReadOnlyCollection<string> Rooms => _rooms.Rooms;

    /// <summary>
    /// Starts connecting and completes once connected. A server that is not up yet is retried until it answers.
    /// Cancelling <paramref name="cancellationToken"/> gives up the start and stops the client.
    /// </summary>
    /// <param name="cancellationToken">Gives up the start.</param>
    public Task StartAsync(CancellationToken cancellationToken = default) => _supervisor.StartAsync(cancellationToken);

    /// <summary>
    /// Closes the connection and stops reconnecting. Calls still waiting for a connection fail with
    /// <see cref="InvalidOperationException"/>. The rooms are kept: a later <see cref="StartAsync"/> re-joins them and
    /// delivers what was missed in between.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the connection to close.</param>
    public Task StopAsync(CancellationToken cancellationToken = default) => _supervisor.StopAsync(cancellationToken);

    /// <summary>Joins <paramref name="room"/> (creating it on first use). The client re-joins it after every reconnect.</summary>
    /// <param name="room">1–64 characters of a-z, 0-9, '_' and '-' (see <see cref="ChatRules.IsValidRoomName"/>).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>
    /// Who is in the room and its latest messages, as of <see cref="JoinResult.LastEventSequence"/>; later changes
    /// arrive through the events.
    /// </returns>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.InvalidRoomName"/>.</exception>
    public Task<JoinResult> JoinRoomAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _rooms.JoinAsync(room, cancellationToken);
    }

    /// <summary>Leaves <paramref name="room"/>; the client stops delivering its changes and no longer re-joins it.</summary>
    /// <param name="room">A room name.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChatRequestException">The server refused.</exception>
    public Task LeaveRoomAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _rooms.LeaveAsync(room, cancellationToken);
    }

    /// <summary>
    /// Sends a message and returns it as stored (with its sequence). When the connection is lost on the way, or the
    /// server answers <see cref="ChatErrorCodes.Unavailable"/>, the send is repeated with the same
    /// <paramref name="clientMessageId"/>: the server stores it once.
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
        var id = string.IsNullOrEmpty(clientMessageId) ? NewClientMessageId() : clientMessageId;
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, content, id, t), cancellationToken);
    }

    /// <summary>
    /// Posts a message with more than text: a reply (<see cref="PostMessageRequest.ReplyToId"/>), intentional
    /// mentions, attachments. Returns it as stored. Retried like <see cref="SendMessageAsync"/>, with the request's
    /// <see cref="PostMessageRequest.ClientMessageId"/> (a new one is made when it has none).
    /// </summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="request">What to post.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still have been stored).</param>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.NotFound"/> for a reply to an unknown message.</exception>
    public Task<ChatMessage> PostMessageAsync(string room, PostMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentNullException.ThrowIfNull(request);
        var withId = string.IsNullOrEmpty(request.ClientMessageId) ? request with { ClientMessageId = NewClientMessageId() } : request;
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage>(nameof(IChatHub.PostMessage), room, withId, t), cancellationToken);
    }

    /// <summary>Replaces the content of one of this user's messages. Repeating an edit is harmless, so it is retried like a send.</summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="messageId">The message's <see cref="ChatMessage.Id"/>.</param>
    /// <param name="content">1–4000 characters after trimming.</param>
    /// <param name="cancellationToken">Stops waiting (the edit may still have been stored).</param>
    /// <returns>The message as it is now.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/> (not the sender), <see cref="ChatErrorCodes.NotFound"/>,
    /// <see cref="ChatErrorCodes.EditWindowExpired"/>, …
    /// </exception>
    public Task<ChatMessage> EditMessageAsync(string room, string messageId, string content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentNullException.ThrowIfNull(content);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage>(nameof(IChatHub.EditMessage), room, messageId, content, t), cancellationToken);
    }

    /// <summary>Deletes a message for good; it stays as a tombstone. Deleting twice is harmless, so it is retried like a send.</summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="messageId">The message's <see cref="ChatMessage.Id"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the delete may still have been stored).</param>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.Forbidden"/>.</exception>
    public Task DeleteMessageAsync(string room, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        return _supervisor.CallAsync(async (c, t) =>
        {
            await c.InvokeAsync(nameof(IChatHub.DeleteMessage), room, messageId, t);
            return true;
        }, cancellationToken);
    }

    /// <summary>Adds this user's <paramref name="reaction"/> to a message (adding it twice is harmless).</summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="messageId">The message's <see cref="ChatMessage.Id"/>.</param>
    /// <param name="reaction">An emoji or a <c>:short_name:</c> (see <see cref="ChatRules.IsValidReaction"/>).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message as it is now, with its reactions.</returns>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.InvalidReaction"/> or <see cref="ChatErrorCodes.TooManyReactions"/>.</exception>
    public Task<ChatMessage> AddReactionAsync(string room, string messageId, string reaction, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentNullException.ThrowIfNull(reaction);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage>(nameof(IChatHub.AddReaction), room, messageId, reaction, t), cancellationToken);
    }

    /// <summary>Removes this user's <paramref name="reaction"/> from a message (removing one that is not there is harmless).</summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="messageId">The message's <see cref="ChatMessage.Id"/>.</param>
    /// <param name="reaction">The reaction to remove.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message as it is now, with its reactions.</returns>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.NotFound"/>.</exception>
    public Task<ChatMessage> RemoveReactionAsync(string room, string messageId, string reaction, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentNullException.ThrowIfNull(reaction);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage>(nameof(IChatHub.RemoveReaction), room, messageId, reaction, t), cancellationToken);
    }

    /// <summary>Starts or stops this user's typing state in a joined room. <see cref="CreateTypingIndicator"/> does the timing for you.</summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="isTyping">Whether the user is typing.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChatRequestException">The server refused.</exception>
    public Task SetTypingAsync(string room, bool isTyping, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _supervisor.CallAsync(async (c, t) =>
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
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetHistory), room, beforeSequence, limit, t), cancellationToken);
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
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetMessagesSince), room, afterSequence, limit, t), cancellationToken);
    }

    /// <summary>Rooms with at least one member or with history.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<RoomSummary[]> ListRoomsAsync(CancellationToken cancellationToken = default) =>
        _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomSummary[]>(nameof(IChatHub.ListRooms), t), cancellationToken);

    /// <summary>Who is in a room now.</summary>
    /// <param name="room">Any room.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<UserPresence[]> GetPresenceAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<UserPresence[]>(nameof(IChatHub.GetPresence), room, t), cancellationToken);
    }

    /// <summary>
    /// A room's changes after <paramref name="afterEventSequence"/>, oldest first. The client already does this by
    /// itself after reconnects and jumps, and raises the changes as events.
    /// </summary>
    /// <param name="room">Any room you may read; joining is not needed.</param>
    /// <param name="afterEventSequence">The last change already seen (0 for the start).</param>
    /// <param name="limit">1–500.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A page of changes, or <see cref="EventsPage.ResetRequired"/> when too many are missing to replay.</returns>
    /// <exception cref="ChatRequestException">The server refused, e.g. <see cref="ChatErrorCodes.InvalidLimit"/>.</exception>
    public Task<EventsPage> GetEventsSinceAsync(string room, long afterEventSequence, int limit = ChatLimits.MaxEventsSincePage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<EventsPage>(nameof(IChatHub.GetEventsSince), room, afterEventSequence, limit, t), cancellationToken);
    }

    /// <summary>
    /// Routes every callback to <paramref name="handler"/> as well, after the events, in the same order. Dispose the
    /// result to stop. <see cref="IChatClient.RoomChanged"/> gets every change <see cref="RoomChanged"/> gets.
    /// </summary>
    /// <param name="handler">An implementation of the server's callbacks.</param>
    public IDisposable Subscribe(IChatClient handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _events.Subscribe(handler);
    }

    /// <summary>A helper that turns keystrokes in <paramref name="room"/> into throttled typing notices.</summary>
    /// <param name="room">A room this client has joined.</param>
    public ChatTypingIndicator CreateTypingIndicator(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return new ChatTypingIndicator(this, room, _options.Typing, _time, _logger);
    }

    /// <summary>
    /// Stops the client, raises the events still queued, and releases the connection. (Called from an event handler,
    /// it does not wait for the handlers queued after that one.)
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync();
        _disposed = true;
        await _supervisor.DisposeAsync();
        await _events.CompleteAsync();
    }

    private static string NewClientMessageId() => Guid.NewGuid().ToString("N");

    private Task RecoverAsync(CancellationToken cancellationToken) => _rooms.RecoverAsync(cancellationToken);

    private void OnStateChanged(ChatConnectionStateChangedEventArgs change) =>
        _events.Enqueue(nameof(StateChanged), () => StateChanged?.Invoke(this, change), null);

    private void OnRoomReset(JoinResult rejoined)
    {
        var reset = new ChatRoomResetEventArgs(rejoined.Room, rejoined);
        _events.Enqueue(nameof(RoomReset), () => RoomReset?.Invoke(this, reset), null);
    }

    /// <summary>Raises one change of a joined room: its typed event, then the raw one.</summary>
    private void OnRoomEvent(RoomEvent change)
    {
        switch (change)
        {
            case { Type: RoomEventTypes.MessagePosted, Message: { } posted }:
                _events.Enqueue(nameof(MessageReceived), () => MessageReceived?.Invoke(this, posted), h => h.MessageReceived(posted));
                return;
            case { Type: RoomEventTypes.MessageEdited, Message: { } edited }:
                _events.Enqueue(nameof(MessageEdited), () => MessageEdited?.Invoke(this, edited), null);
                break;
            case { Type: RoomEventTypes.MessageDeleted, Message: { } tombstone }:
                _events.Enqueue(nameof(MessageDeleted), () => MessageDeleted?.Invoke(this, tombstone), null);
                break;
            case { Type: RoomEventTypes.ReactionAdded or RoomEventTypes.ReactionRemoved }:
                _events.Enqueue(nameof(ReactionChanged), () => ReactionChanged?.Invoke(this, change), null);
                break;
        }

        _events.Enqueue(nameof(RoomChanged), () => RoomChanged?.Invoke(this, change), h => h.RoomChanged(change));
    }
}
