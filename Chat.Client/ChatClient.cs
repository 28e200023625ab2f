using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
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
    private readonly ReadMarkCoalescer _readMarks;
    private readonly ReadPointers _readPointers = new();
    private readonly AttachmentTransfer _attachments;
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
        _rooms = new RoomDelivery(_supervisor, _logger, OnRoomEvent, OnRoomReset, OnAddedToRoom, OnRemovedFromRoom);
        _readMarks = new ReadMarkCoalescer(SendReadMarkAsync);
        _attachments = new AttachmentTransfer(_supervisor.BaseUrl, _supervisor.Tokens, _logger);

        var connection = _supervisor.Connection;
        connection.On<RoomMemberEvent>(nameof(IChatClient.UserJoined), e =>
            _events.Enqueue(nameof(UserJoined), () => UserJoined?.Invoke(this, e), h => h.UserJoined(e)));
        connection.On<RoomMemberEvent>(nameof(IChatClient.UserLeft), e =>
            _events.Enqueue(nameof(UserLeft), () => UserLeft?.Invoke(this, e), h => h.UserLeft(e)));
        connection.On<TypingNotice>(nameof(IChatClient.TypingChanged), e =>
            _events.Enqueue(nameof(TypingChanged), () => TypingChanged?.Invoke(this, e), h => h.TypingChanged(e)));
        connection.On<PresenceChange>(nameof(IChatClient.PresenceChanged), e =>
            _events.Enqueue(nameof(PresenceChanged), () => PresenceChanged?.Invoke(this, e), h => h.PresenceChanged(e)));
        connection.On<RoomActivity>(nameof(IChatClient.RoomActivity), e =>
            _events.Enqueue(nameof(RoomActivity), () => RoomActivity?.Invoke(this, e), h => h.RoomActivity(e)));
        connection.On<ReadState>(nameof(IChatClient.ReadStateChanged), OnReadStateChanged);
        connection.On<ReadReceipt>(nameof(IChatClient.ReadReceiptChanged), e =>
            _events.Enqueue(nameof(ReadReceiptChanged), () => ReadReceiptChanged?.Invoke(this, e), h => h.ReadReceiptChanged(e)));
        connection.On<Notification>(nameof(IChatClient.NotificationReceived), e =>
            _events.Enqueue(nameof(NotificationReceived), () => NotificationReceived?.Invoke(this, e), h => h.NotificationReceived(e)));
        connection.On<IncomingCall>(nameof(IChatClient.CallOffered), e =>
            _events.Enqueue(nameof(CallOffered), () => CallOffered?.Invoke(this, e), h => h.CallOffered(e)));
        connection.On<CallAnswer>(nameof(IChatClient.CallAnswered), e =>
            _events.Enqueue(nameof(CallAnswered), () => CallAnswered?.Invoke(this, e), h => h.CallAnswered(e)));
        connection.On<IceCandidates>(nameof(IChatClient.IceCandidatesReceived), e =>
            _events.Enqueue(nameof(IceCandidatesReceived), () => IceCandidatesReceived?.Invoke(this, e), h => h.IceCandidatesReceived(e)));
        connection.On<CallEnd>(nameof(IChatClient.CallEnded), e =>
            _events.Enqueue(nameof(CallEnded), () => CallEnded?.Invoke(this, e), h => h.CallEnded(e)));
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
    /// A user became a lasting member of a joined room (<see cref="RoomEventTypes.MemberAdded"/>):
    /// <see cref="RoomEvent.Member"/> is the new member with their role, <see cref="RoomEvent.ActorId"/> who added them.
    /// </summary>
    public event EventHandler<RoomEvent>? MemberAdded;

    /// <summary>
    /// A member of a joined room left for good, was removed or was banned (<see cref="RoomEventTypes.MemberRemoved"/>):
    /// <see cref="RoomEvent.Member"/> is the member as they were (<see cref="RoomMember.Banned"/> for a ban),
    /// <see cref="RoomEvent.ActorId"/> who did it (the member themselves when they left). When the member is this user,
    /// <see cref="RemovedFromRoom"/> follows and the room's changes end here.
    /// </summary>
    public event EventHandler<RoomEvent>? MemberRemoved;

    /// <summary>
    /// A member's role, mute or ban changed in a joined room (<see cref="RoomEventTypes.MemberUpdated"/>):
    /// <see cref="RoomEvent.Member"/> as they are now (<see cref="RoomMember.Role"/>, <see cref="RoomMember.MutedUntil"/>;
    /// <see cref="RoomMember.Banned"/> for a ban of a non-member, false again for an unban).
    /// </summary>
    public event EventHandler<RoomEvent>? MemberUpdated;

    /// <summary>A joined room's title, topic or slow mode changed (<see cref="RoomEventTypes.RoomUpdated"/>): <see cref="RoomEvent.RoomInfo"/> is the room now.</summary>
    public event EventHandler<RoomEvent>? RoomUpdated;

    /// <summary>
    /// Every change of a joined room other than a new message, raw, as the server's <c>RoomChanged</c> callback: after
    /// the typed event of the same change (<see cref="MessageEdited"/>, <see cref="MessageDeleted"/>,
    /// <see cref="ReactionChanged"/>, <see cref="MemberAdded"/>, <see cref="MemberRemoved"/>, <see cref="MemberUpdated"/>,
    /// <see cref="RoomUpdated"/>), and alone for kinds of change this client does not know yet.
    /// </summary>
    public event EventHandler<RoomEvent>? RoomChanged;

    /// <summary>
    /// This user became a member of a room (the <see cref="RoomEventTypes.MemberAdded"/> change about them): someone
    /// added them, created a room with them, opened a direct conversation with them, or they did so on another device.
    /// Raised once per change, for joined rooms (after <see cref="MemberAdded"/>) and for rooms this client has not joined
    /// alike, since the server tells every connection of the user. The client does not join the room by itself: call
    /// <see cref="JoinRoomAsync"/> to follow it. Additions while the client was disconnected are not raised (the client
    /// cannot know the room): refresh the list with <see cref="ListMyRoomsAsync"/> after a reconnect.
    /// </summary>
    public event EventHandler<RoomEvent>? AddedToRoom;

    /// <summary>
    /// This user is no longer a member of a room: kicked, banned, or left for good (here or on another device). If the
    /// client had joined the room, it has dropped it: nothing of the room is raised after this, and it is not re-joined.
    /// Raised once per removal: after <see cref="MemberRemoved"/> in a joined room, alone for a room not joined, and also
    /// when the removal happened while the client was disconnected (then from the change fetched after the reconnect, or,
    /// when the room can no longer be read, from the server's refusal: <see cref="ChatRoomRemovedEventArgs.RefusedWith"/>).
    /// </summary>
    public event EventHandler<ChatRoomRemovedEventArgs>? RemovedFromRoom;

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

    /// <summary>
    /// How many users are online and typing in a large room this client is in (<c>Rooms:LargeRoomThreshold</c> on the
    /// server, 1,000 by default): at most once a second, in place of <see cref="UserJoined"/>, <see cref="UserLeft"/>,
    /// <see cref="PresenceChanged"/> and <see cref="TypingChanged"/> for that room. A per-user event there afterwards
    /// means the room is small again: <see cref="GetPresenceAsync"/> tells who is in it.
    /// </summary>
    public event EventHandler<RoomActivity>? RoomActivity;

    /// <summary>
    /// This user's read pointer moved in a room, on this client or on another device: the room's read state now, with
    /// exact <see cref="ReadState.UnreadCount"/> and <see cref="ReadState.MentionCount"/>. Also for rooms this client has
    /// not joined. News older than what the client heard since (a pointer further on, e.g. from this user's own post,
    /// which moves the pointer without this event) is not raised.
    /// </summary>
    public event EventHandler<ReadState>? ReadStateChanged;

    /// <summary>
    /// A member of a joined room read further ("seen by"): only in rooms small enough to have receipts
    /// (<c>ReadState:ReceiptsMaxMembers</c> on the server, 100 by default). See <see cref="GetReadReceiptsAsync"/>.
    /// </summary>
    public event EventHandler<ReadReceipt>? ReadReceiptChanged;

    /// <summary>
    /// Someone mentioned this user, replied to their message, wrote to them in a direct room, or added them to a room
    /// (<see cref="Notification.Kind"/>, one of <see cref="NotificationKinds"/>): on every client of the user, joined to
    /// the room or not. Notifications missed while disconnected are in <see cref="GetNotificationsAsync"/>.
    /// </summary>
    public event EventHandler<Notification>? NotificationReceived;

    /// <summary>Someone calls this user in a direct room: every client of the user rings. Answer with <see cref="AnswerCallAsync"/>.</summary>
    public event EventHandler<IncomingCall>? CallOffered;

    /// <summary>The callee answered a call this client placed: give <see cref="CallAnswer.Sdp"/> to the peer connection.</summary>
    public event EventHandler<CallAnswer>? CallAnswered;

    /// <summary>The other party's ICE candidates for a call of this client.</summary>
    public event EventHandler<IceCandidates>? IceCandidatesReceived;

    /// <summary>A call of this client (placed, ringing or taken) is over; <see cref="CallEnd.Reason"/> is one of <see cref="CallEndReasons"/>.</summary>
    public event EventHandler<CallEnd>? CallEnded;

    /// <summary>The connection state changed; <see cref="ChatConnectionStateChangedEventArgs.Reason"/> says why.</summary>
    public event EventHandler<ChatConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>Where the connection stands now.</summary>
    public ChatConnectionState State => _supervisor.State;

    /// <summary>
    /// The signed-in user's id: the guest sign-in's (e.g. <c>guest:alice</c>), or the <c>sub</c> claim of the token from
    /// <see cref="ChatClientOptions.AccessTokenProvider"/>. Null before the first sign-in, or when such a token is not a JWT
    /// (then the client cannot tell which membership changes are this user's: see <see cref="RemovedFromRoom"/>).
    /// </summary>
    public string? UserId => _supervisor.UserId;

    /// <summary>
    /// The rooms this client is in (lower case); they are re-joined after every reconnect, except those this user is
    /// removed from (<see cref="RemovedFromRoom"/>).
    /// </summary>
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

    /// <summary>
    /// Leaves <paramref name="room"/> on this client: it stops delivering the room's changes and no longer re-joins it.
    /// The user stays a member of the room (on every device); <see cref="LeaveRoomForGoodAsync"/> ends that too.
    /// </summary>
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
    /// <see cref="PostMessageRequest.ClientMessageId"/> (a new one is made when it has none) and the same attachments:
    /// a repeat of a post that was stored answers the stored message, so an attachment is never claimed twice.
    /// </summary>
    /// <param name="room">A room this client has joined.</param>
    /// <param name="request">
    /// What to post. With <see cref="PostMessageRequest.AttachmentIds"/> (at most 10 ids of this user's uploads from
    /// <see cref="UploadAttachmentAsync"/> that no message holds yet) the content may be empty.
    /// </param>
    /// <param name="cancellationToken">Stops waiting (the message may still have been stored).</param>
    /// <exception cref="ChatRequestException">
    /// The server refused, e.g. <see cref="ChatErrorCodes.NotFound"/> for a reply to an unknown message,
    /// <see cref="ChatErrorCodes.InvalidAttachment"/> for an attachment that is unknown, not this user's or posted already.
    /// </exception>
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
    /// Creates a public or private room with this user as its owner, and optionally its first members. The client does
    /// not join it: call <see cref="JoinRoomAsync"/> to follow it (<see cref="AddedToRoom"/> is raised for it too). A
    /// create whose answer a lost connection cut off is repeated; should the repeat find the room taken, the client
    /// checks whether it is this user's own room of that kind, and if so answers it.
    /// </summary>
    /// <param name="request">The room's name (room name rules; not starting with <c>dm-</c>), kind, title, topic and first members.</param>
    /// <param name="cancellationToken">Stops waiting (the room may still have been created).</param>
    /// <returns>The new room.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.RoomExists"/>, <see cref="ChatErrorCodes.NotFound"/> (an unknown
    /// member id), <see cref="ChatErrorCodes.Forbidden"/> (a <c>dm-</c> name), <see cref="ChatErrorCodes.InvalidRequest"/>,
    /// <see cref="ChatErrorCodes.InvalidRoomName"/>.
    /// </exception>
    public Task<RoomInfo> CreateRoomAsync(CreateRoomRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Room);
        return CallSettlingRepeatsAsync(
            (c, t) => c.InvokeAsync<RoomInfo>(nameof(IChatHub.CreateRoom), request, t),
            async (c, code, t) =>
            {
                if (code != ChatErrorCodes.RoomExists)
                {
                    return (false, null!);
                }

                var name = ChatRules.NormalizeRoomName(request.Room);
                var mine = await c.InvokeAsync<MyRoom[]>(nameof(IChatHub.ListMyRooms), t);
                var created = mine.FirstOrDefault(m => m.Room.Room == name && m.Role == MemberRoles.Owner && m.Room.Kind == request.Kind);
                return (created is not null, created?.Room!);
            },
            cancellationToken);
    }

    /// <summary>
    /// The direct conversation of this user and <paramref name="userId"/>: the same room every time, from either side.
    /// The first open makes both members (each gets <see cref="AddedToRoom"/>). The client does not join it: call
    /// <see cref="JoinRoomAsync"/> with <see cref="RoomInfo.Room"/> to talk there.
    /// </summary>
    /// <param name="userId">The other user's id (e.g. <c>guest:bob</c>); they must have signed in at least once.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The direct room, with both members in <see cref="RoomInfo.Members"/>.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.NotFound"/> (an unknown user), <see cref="ChatErrorCodes.InvalidRequest"/> (oneself).
    /// </exception>
    public Task<RoomInfo> OpenDirectAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomInfo>(nameof(IChatHub.OpenDirect), userId, t), cancellationToken);
    }

    /// <summary>
    /// Changes a room's title, topic or slow mode (owner or moderator). A field left null stays as it is; an empty title
    /// or topic clears it. Every joined client gets <see cref="RoomUpdated"/>.
    /// </summary>
    /// <param name="room">A room this user moderates; joining it is not needed.</param>
    /// <param name="request">The new settings; <see cref="UpdateRoomRequest.SlowModeSeconds"/> 0–3600 (0: off).</param>
    /// <param name="cancellationToken">Stops waiting (the change may still have been stored).</param>
    /// <returns>The room as it is now.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/> (not a moderator), <see cref="ChatErrorCodes.InvalidRequest"/>
    /// (too long, slow mode out of range), <see cref="ChatErrorCodes.NotFound"/>.
    /// </exception>
    public Task<RoomInfo> UpdateRoomAsync(string room, UpdateRoomRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentNullException.ThrowIfNull(request);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomInfo>(nameof(IChatHub.UpdateRoom), room, request, t), cancellationToken);
    }

    /// <summary>This user's rooms (public ones they joined, private and direct), newest activity first: the same list on every device.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>
    /// Each room with this user's role in it, its newest message, and this user's read state there
    /// (<see cref="MyRoom.LastReadSequence"/>, <see cref="MyRoom.UnreadCount"/>, <see cref="MyRoom.MentionCount"/>).
    /// </returns>
    public Task<MyRoom[]> ListMyRoomsAsync(CancellationToken cancellationToken = default) =>
        _supervisor.CallAsync(
            async (c, t) =>
            {
                var mine = await c.InvokeAsync<MyRoom[]>(nameof(IChatHub.ListMyRooms), t);
                foreach (var room in mine)
                {
                    _readPointers.Advance(room.Room.Room, room.LastReadSequence);
                }

                return mine;
            },
            cancellationToken);

    /// <summary>A page of a room's lasting members, ordered by user id.</summary>
    /// <param name="room">A room this user may read; joining it is not needed.</param>
    /// <param name="afterUserId">The last user id of the previous page; null for the first page.</param>
    /// <param name="limit">1–200.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Up to <paramref name="limit"/> members; fewer means the last page.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/> (a private room of others), <see cref="ChatErrorCodes.InvalidLimit"/>.
    /// </exception>
    public Task<RoomMember[]> GetMembersAsync(string room, string? afterUserId = null, int limit = ChatLimits.MaxMembersPage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomMember[]>(nameof(IChatHub.GetMembers), room, afterUserId, limit, t), cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="userId"/> a member of the room (owner or moderator). Adding a member again changes nothing
    /// and answers the member as they are, so it is retried like a send. The user's clients get <see cref="AddedToRoom"/>,
    /// joined clients <see cref="MemberAdded"/>.
    /// </summary>
    /// <param name="room">A room this user moderates.</param>
    /// <param name="userId">The user to add; they must have signed in at least once.</param>
    /// <param name="cancellationToken">Stops waiting (the member may still have been added).</param>
    /// <returns>The member.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/>, <see cref="ChatErrorCodes.NotFound"/> (an unknown user),
    /// <see cref="ChatErrorCodes.Banned"/> (the user is banned from the room).
    /// </exception>
    public Task<RoomMember> AddMemberAsync(string room, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomMember>(nameof(IChatHub.AddMember), room, userId, t), cancellationToken);
    }

    /// <summary>
    /// Removes a member from the room (owner or moderator, of a member of lower rank), or, given this user's own id,
    /// leaves it for good (<see cref="LeaveRoomForGoodAsync"/>). Every connection of the removed user leaves the room;
    /// their clients get <see cref="RemovedFromRoom"/>. A removal whose answer a lost connection cut off is repeated; a
    /// repeat that finds the member gone already counts as done.
    /// </summary>
    /// <param name="room">The room.</param>
    /// <param name="userId">The member to remove.</param>
    /// <param name="cancellationToken">Stops waiting (the member may still have been removed).</param>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/> (no right to, a direct room, or the last owner leaving),
    /// <see cref="ChatErrorCodes.NotFound"/> (not a member).
    /// </exception>
    public async Task RemoveMemberAsync(string room, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var self = userId == UserId;
        await CallSettlingRepeatsAsync(
            async (c, t) =>
            {
                await c.InvokeAsync(nameof(IChatHub.RemoveMember), room, userId, t);
                return true;
            },
            async (c, code, t) =>
            {
                if (code == ChatErrorCodes.NotFound)
                {
                    return (true, true);
                }

                // Once out of a private room, the user may not even ask about it: whether it is still among theirs tells.
                if (self && code == ChatErrorCodes.Forbidden)
                {
                    var name = ChatRules.NormalizeRoomName(room);
                    var mine = await c.InvokeAsync<MyRoom[]>(nameof(IChatHub.ListMyRooms), t);
                    return (mine.All(m => m.Room.Room != name), true);
                }

                return (false, false);
            },
            cancellationToken);
        if (self)
        {
            _rooms.Forget(room);
        }
    }

    /// <summary>
    /// This user leaves <paramref name="room"/> for good: they stop being a member (on every device), the client stops
    /// following the room, and <see cref="RemovedFromRoom"/> is raised when the server's change arrives. Unlike
    /// <see cref="LeaveRoomAsync"/>, which only ends this client's live subscription. Not possible in a direct room, nor
    /// for a room's last owner (hand the role on first with <see cref="SetMemberRoleAsync"/>).
    /// </summary>
    /// <param name="room">A room this user is a member of.</param>
    /// <param name="cancellationToken">Stops waiting (the user may still have left).</param>
    /// <exception cref="ChatRequestException">The server refused: <see cref="ChatErrorCodes.Forbidden"/>, <see cref="ChatErrorCodes.NotFound"/>.</exception>
    /// <exception cref="InvalidOperationException">The user's id is not known (see <see cref="UserId"/>).</exception>
    public Task LeaveRoomForGoodAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        var userId = UserId ?? throw new InvalidOperationException(
            "This user's id is not known yet: start the client first (with an AccessTokenProvider, its tokens must be JWTs with a 'sub' claim).");
        return RemoveMemberAsync(room, userId, cancellationToken);
    }

    /// <summary>
    /// Gives a member a role (owner only). A room always keeps an owner: the last one cannot step down. Setting the role
    /// a member has changes nothing, so it is retried like a send. Joined clients get <see cref="MemberUpdated"/>.
    /// </summary>
    /// <param name="room">A room this user owns.</param>
    /// <param name="userId">A member of the room.</param>
    /// <param name="role">One of <see cref="MemberRoles"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the role may still have been set).</param>
    /// <returns>The member as they are now.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/> (not the owner, or demoting the last owner),
    /// <see cref="ChatErrorCodes.NotFound"/> (not a member), <see cref="ChatErrorCodes.InvalidRequest"/> (an unknown role).
    /// </exception>
    public Task<RoomMember> SetMemberRoleAsync(string room, string userId, string role, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(role);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomMember>(nameof(IChatHub.SetMemberRole), room, userId, role, t), cancellationToken);
    }

    /// <summary>
    /// Bans a user from the room (owner or moderator) until <paramref name="until"/>, or for good: a member is removed as
    /// by <see cref="RemoveMemberAsync"/> (their clients get <see cref="RemovedFromRoom"/> with
    /// <see cref="ChatRoomRemovedEventArgs.IsBanned"/>); anyone else is kept out. Until then every call of theirs on the
    /// room answers <see cref="ChatErrorCodes.Banned"/>.
    /// </summary>
    /// <param name="room">A room this user moderates.</param>
    /// <param name="userId">The user to ban.</param>
    /// <param name="until">When the ban ends (UTC; a local time is converted); null for good. Not in the past.</param>
    /// <param name="reason">Why, for the banned user to read (at most 200 characters).</param>
    /// <param name="cancellationToken">Stops waiting (the ban may still have been stored).</param>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/>, <see cref="ChatErrorCodes.NotFound"/>,
    /// <see cref="ChatErrorCodes.InvalidRequest"/> (a time in the past, a reason too long).
    /// </exception>
    public Task BanMemberAsync(string room, string userId, DateTime? until = null, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var utcUntil = ToUtc(until);
        return _supervisor.CallAsync(async (c, t) =>
        {
            await c.InvokeAsync(nameof(IChatHub.BanMember), room, userId, utcUntil, reason, t);
            return true;
        }, cancellationToken);
    }

    /// <summary>Ends a user's ban from the room (owner or moderator): they may join or be added again. Joined clients get <see cref="MemberUpdated"/>.</summary>
    /// <param name="room">A room this user moderates.</param>
    /// <param name="userId">The banned user.</param>
    /// <param name="cancellationToken">Stops waiting (the ban may still have ended).</param>
    /// <exception cref="ChatRequestException">The server refused: <see cref="ChatErrorCodes.Forbidden"/>, <see cref="ChatErrorCodes.NotFound"/>.</exception>
    public Task UnbanMemberAsync(string room, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return _supervisor.CallAsync(async (c, t) =>
        {
            await c.InvokeAsync(nameof(IChatHub.UnbanMember), room, userId, t);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Mutes a member (owner or moderator) until <paramref name="until"/>: they get <see cref="ChatErrorCodes.Muted"/> when
    /// posting, editing, reacting or starting to type in the room. Null or a past time unmutes
    /// (<see cref="UnmuteMemberAsync"/>). Joined clients get <see cref="MemberUpdated"/>.
    /// </summary>
    /// <param name="room">A room this user moderates.</param>
    /// <param name="userId">A member of the room.</param>
    /// <param name="until">When the mute ends (UTC; a local time is converted); null to unmute.</param>
    /// <param name="cancellationToken">Stops waiting (the mute may still have been stored).</param>
    /// <returns>The member as they are now (<see cref="RoomMember.MutedUntil"/>).</returns>
    /// <exception cref="ChatRequestException">The server refused: <see cref="ChatErrorCodes.Forbidden"/>, <see cref="ChatErrorCodes.NotFound"/>.</exception>
    public Task<RoomMember> MuteMemberAsync(string room, string userId, DateTime? until, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var utcUntil = ToUtc(until);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<RoomMember>(nameof(IChatHub.MuteMember), room, userId, utcUntil, t), cancellationToken);
    }

    /// <summary>Ends a member's mute: <see cref="MuteMemberAsync"/> without an end.</summary>
    /// <param name="room">A room this user moderates.</param>
    /// <param name="userId">A member of the room.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The member as they are now.</returns>
    /// <exception cref="ChatRequestException">The server refused: <see cref="ChatErrorCodes.Forbidden"/>, <see cref="ChatErrorCodes.NotFound"/>.</exception>
    public Task<RoomMember> UnmuteMemberAsync(string room, string userId, CancellationToken cancellationToken = default) =>
        MuteMemberAsync(room, userId, null, cancellationToken);

    /// <summary>
    /// Marks <paramref name="room"/> read up to <paramref name="sequence"/>: moves this user's read pointer there, never
    /// back (a lower sequence changes nothing and answers the state as it is; one beyond the room's newest message marks
    /// up to that message). Every client of the user, this one included, gets <see cref="ReadStateChanged"/> when the
    /// pointer moved. No join is needed, only membership.
    /// </summary>
    /// <remarks>
    /// Coalesced per room: at most one <c>MarkRead</c> of a room is on its way at a time. A call made meanwhile only
    /// raises the sequence the next one sends, and completes when a <c>MarkRead</c> for its sequence or a higher one is
    /// answered; the highest sequence asked for is always sent. So marking on every message shown, however fast, costs
    /// about one hub call per round trip. A <c>MarkRead</c> cut by a lost connection is sent again once reconnected
    /// (marking read is harmless to repeat), like a send.
    /// </remarks>
    /// <param name="room">A room this user is a member of.</param>
    /// <param name="sequence">The <see cref="ChatMessage.Sequence"/> of the newest message read.</param>
    /// <param name="cancellationToken">Stops waiting (the mark still goes out).</param>
    /// <returns>The room's read state after the call that covered this one (its pointer may be further on).</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.NotAMember"/> (a public room never joined), <see cref="ChatErrorCodes.Forbidden"/>
    /// (a private room of others), <see cref="ChatErrorCodes.Banned"/>.
    /// </exception>
    public Task<ReadState> MarkReadAsync(string room, long sequence, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return _readMarks.MarkAsync(ChatRules.NormalizeRoomName(room), sequence).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The app has shown <paramref name="message"/> to the user: marks its room read up to it, unless the room is known
    /// to be read that far already (by an earlier mark, another device's, or this user's own post), in which case
    /// nothing is sent. Call it for every message as it comes into view, in any order: the pointer never moves back,
    /// and calls go through <see cref="MarkReadAsync"/>'s coalescing, so a screenful costs one or two hub calls.
    /// </summary>
    /// <param name="message">A message the user has seen.</param>
    /// <param name="cancellationToken">Stops waiting (the mark still goes out).</param>
    /// <exception cref="ChatRequestException">The server refused, as for <see cref="MarkReadAsync"/>.</exception>
    public Task MarkShownAsync(ChatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _readPointers.Covers(ChatRules.NormalizeRoomName(message.Room), message.Sequence)
            ? Task.CompletedTask
            : MarkReadAsync(message.Room, message.Sequence, cancellationToken);
    }

    /// <summary>
    /// This user's read pointer in <paramref name="room"/> as far as this client has heard (from <see cref="MarkReadAsync"/>,
    /// <see cref="ReadStateChanged"/>, <see cref="ListMyRoomsAsync"/> and this user's own messages); null when it has
    /// heard nothing of it. The server's may be further on (another device read on while this one was offline).
    /// </summary>
    /// <param name="room">A room name.</param>
    public long? GetLastReadSequence(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _readPointers.Get(ChatRules.NormalizeRoomName(room));
    }

    /// <summary>
    /// How far each lasting member of <paramref name="room"/> has read ("seen by"), ordered by user id; empty in rooms of
    /// more members than the server's <c>ReadState:ReceiptsMaxMembers</c> (100 by default). Joined clients then follow
    /// changes through <see cref="ReadReceiptChanged"/>.
    /// </summary>
    /// <param name="room">A room this user may read; joining it is not needed.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChatRequestException">The server refused: <see cref="ChatErrorCodes.Forbidden"/> (a private room of others).</exception>
    public Task<ReadReceipt[]> GetReadReceiptsAsync(string room, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<ReadReceipt[]>(nameof(IChatHub.GetReadReceipts), room, t), cancellationToken);
    }

    /// <summary>
    /// Calls the other member of the direct room <paramref name="room"/> with a WebRTC offer: every client of theirs
    /// rings until one answers (<see cref="CallAnswered"/>), they decline or the server's ring timeout passes
    /// (<see cref="CallEnded"/>). Use a fresh <see cref="CallOffer.CallId"/> per call. The call belongs to this connection:
    /// a reconnect ends it. The media is the app's business: the server relays signaling only.
    /// </summary>
    public Task StartCallAsync(string room, CallOffer offer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        ArgumentNullException.ThrowIfNull(offer);
        return InvokeCallMethodAsync(nameof(IChatHub.StartCall), [room, offer], cancellationToken);
    }

    /// <summary>Takes a ringing call on this client with its SDP answer; the user's other clients stop ringing.</summary>
    public Task AnswerCallAsync(string callId, string sdp, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentException.ThrowIfNullOrEmpty(sdp);
        return InvokeCallMethodAsync(nameof(IChatHub.AnswerCall), [callId, sdp], cancellationToken);
    }

    /// <summary>Relays this side's ICE candidates to the other party (at most <see cref="ChatLimits.MaxIceCandidatesPerSend"/> at once).</summary>
    public Task SendIceCandidatesAsync(string callId, IReadOnlyList<IceCandidate> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentNullException.ThrowIfNull(candidates);
        IceCandidate[] sent = [.. candidates];
        return InvokeCallMethodAsync(nameof(IChatHub.SendIceCandidates), [callId, sent], cancellationToken);
    }

    /// <summary>Hangs up, declines (<see cref="CallEndReasons.Declined"/>) or refuses as busy: the other side gets <see cref="CallEnded"/>.</summary>
    public Task EndCallAsync(string callId, string reason = CallEndReasons.Hangup, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return InvokeCallMethodAsync(nameof(IChatHub.EndCall), [callId, reason], cancellationToken);
    }

    private Task InvokeCallMethodAsync(string method, object?[] arguments, CancellationToken cancellationToken) =>
        _supervisor.CallAsync(async (c, t) =>
        {
            await c.InvokeCoreAsync(method, arguments, t);
            return true;
        }, cancellationToken);

    /// <summary>The STUN and TURN servers to configure the peer connection with (TURN credentials are short-lived: ask per call).</summary>
    public Task<IceServer[]> GetIceServersAsync(CancellationToken cancellationToken = default) =>
        _supervisor.CallAsync((c, t) => c.InvokeAsync<IceServer[]>(nameof(IChatHub.GetIceServers), t), cancellationToken);

    /// <summary>
    /// A page of this user's notifications, newest first: those older than <paramref name="beforeId"/>. Pass the last
    /// <see cref="Notification.Id"/> of a page to get the next. A deleted message's notifications are gone.
    /// </summary>
    /// <param name="beforeId">The id of the oldest notification already seen; null for the newest.</param>
    /// <param name="limit">1–100.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Up to <paramref name="limit"/> notifications; fewer means the last page.</returns>
    /// <exception cref="ChatRequestException">The server refused: <see cref="ChatErrorCodes.InvalidLimit"/>.</exception>
    public Task<Notification[]> GetNotificationsAsync(string? beforeId = null, int limit = ChatLimits.MaxNotificationsPage, CancellationToken cancellationToken = default) =>
        _supervisor.CallAsync((c, t) => c.InvokeAsync<Notification[]>(nameof(IChatHub.GetNotifications), beforeId, limit, t), cancellationToken);

    /// <summary>
    /// Searches the text of the messages this user may read, newest first: a page of hits, each the message as it is
    /// now and an HTML snippet with the matched words in <c>&lt;mark&gt;</c>. All words must match (whole words, case and
    /// accents aside); <c>"a phrase"</c> matches word by word, <c>prefix*</c> any word starting so. Deleted messages are
    /// never found, an edited one only by its new words. Without <see cref="SearchRequest.Room"/>: the public rooms
    /// this user is not banned from and this user's own rooms. Harmless to repeat, so retried across reconnects.
    /// </summary>
    /// <param name="request">
    /// The query and filters; <see cref="SearchRequest.Limit"/> 1–50; <see cref="SearchRequest.Cursor"/> the previous
    /// page's <see cref="SearchResult.NextCursor"/> (or use <see cref="EnumerateSearchHitsAsync"/>). Times are UTC (a
    /// local time is converted).
    /// </param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Up to <see cref="SearchRequest.Limit"/> hits, and a cursor when there are more.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.InvalidQuery"/> (nothing searchable, an unterminated quote, a
    /// misplaced <c>*</c>, too long), <see cref="ChatErrorCodes.InvalidLimit"/>, <see cref="ChatErrorCodes.InvalidRequest"/>
    /// (a cursor of another search), <see cref="ChatErrorCodes.Forbidden"/> or <see cref="ChatErrorCodes.Banned"/> (a
    /// <see cref="SearchRequest.Room"/> this user may not read).
    /// </exception>
    public Task<SearchResult> SearchMessagesAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var utc = request with { After = ToUtc(request.After), Before = ToUtc(request.Before) };
        return _supervisor.CallAsync((c, t) => c.InvokeAsync<SearchResult>(nameof(IChatHub.SearchMessages), utc, t), cancellationToken);
    }

    /// <summary>The first page of a search for <paramref name="query"/>: <see cref="SearchMessagesAsync(SearchRequest, CancellationToken)"/> without the other filters.</summary>
    /// <param name="query">Words, <c>"phrases"</c> and <c>prefixes*</c> that must all match.</param>
    /// <param name="room">Only this room; null for every room this user may read.</param>
    /// <param name="limit">Hits per page, 1–50.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChatRequestException">The server refused, as for <see cref="SearchMessagesAsync(SearchRequest, CancellationToken)"/>.</exception>
    public Task<SearchResult> SearchMessagesAsync(string query, string? room = null, int limit = ChatLimits.DefaultSearchPage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return SearchMessagesAsync(new SearchRequest(query, room, Limit: limit), cancellationToken);
    }

    /// <summary>
    /// Every hit of a search, newest first, fetched a page (<see cref="SearchRequest.Limit"/> hits) at a time as the
    /// enumeration goes on. Stop enumerating to stop fetching.
    /// </summary>
    /// <param name="request">The query and filters, as for <see cref="SearchMessagesAsync(SearchRequest, CancellationToken)"/>; a cursor starts further on.</param>
    /// <param name="cancellationToken">Stops fetching.</param>
    /// <exception cref="ChatRequestException">The server refused a page, as for <see cref="SearchMessagesAsync(SearchRequest, CancellationToken)"/>.</exception>
    public async IAsyncEnumerable<SearchHit> EnumerateSearchHitsAsync(SearchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var page = request;
        while (true)
        {
            var result = await SearchMessagesAsync(page, cancellationToken);
            foreach (var hit in result.Hits)
            {
                yield return hit;
            }

            if (result.NextCursor is null || result.Hits.Length == 0)
            {
                yield break;
            }

            page = page with { Cursor = result.NextCursor };
        }
    }

    /// <summary>
    /// Uploads a file to attach to a message: <c>POST /api/attachments</c> with this user's token, the stream sent as it
    /// is read. Post it within 24 hours with <see cref="PostMessageAsync"/> (<see cref="PostMessageRequest.AttachmentIds"/>
    /// holding <see cref="Attachment.Id"/>), or the server removes it. Needs no connection, only a sign-in.
    /// </summary>
    /// <remarks>
    /// The server decides the type from the bytes (an image gets its <see cref="Attachment.Width"/> and
    /// <see cref="Attachment.Height"/>), not from <paramref name="contentType"/>. Unlike hub calls, an upload is not
    /// repeated when it fails on the way (it may have been stored, and a repeat would store the file twice): catch the
    /// error and upload again if you like. The one exception is a token the server refuses (401): the client renews
    /// it and sends once more, which it can as long as the stream can seek or nothing of it was sent (the client asks
    /// the server before it sends the file, so usually nothing was). Not bounded by a timeout of its own: a large file
    /// over a slow link takes its time, so pass a <paramref name="cancellationToken"/> that gives up when you want to.
    /// </remarks>
    /// <param name="content">The file, read from where it stands to its end; not closed.</param>
    /// <param name="fileName">The name to show (the server shortens it to 255 characters).</param>
    /// <param name="contentType">What the caller believes the type is; <c>application/octet-stream</c> when null.</param>
    /// <param name="progress">Told the bytes of the file sent so far, after each chunk, up to the whole size.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>The stored attachment, with a signed <see cref="Attachment.Url"/> (see <see cref="GetAttachmentUri"/>).</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused (<see cref="ChatRequestException.StatusCode"/> is set): <see cref="ChatErrorCodes.TooLarge"/>
    /// (413: larger than the server's <c>Attachments:MaxBytes</c>, 10 MiB by default; nothing was stored),
    /// <see cref="ChatErrorCodes.InvalidRequest"/> (400), <see cref="ChatClientErrorCodes.Unauthorized"/> (401 also with a
    /// renewed token), <see cref="ChatErrorCodes.RateLimited"/>. The hub connection is not affected.
    /// </exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection broke during the upload.</exception>
    public Task<Attachment> UploadAttachmentAsync(
        Stream content, string fileName, string? contentType = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (!content.CanRead)
        {
            throw new ArgumentException("The upload's stream must be readable.", nameof(content));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        return _attachments.UploadAsync(content, fileName, contentType, progress, cancellationToken);
    }

    /// <summary>
    /// The absolute address of an attachment: its <see cref="Attachment.Url"/>, which the server gives relative to
    /// itself, resolved against <see cref="ChatClientOptions.ServerUrl"/>. It is signed and opens without a token until
    /// it expires (at least an hour after the message was read; every read signs it again).
    /// </summary>
    /// <param name="attachment">An attachment from an upload or a message.</param>
    public Uri GetAttachmentUri(Attachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        return _attachments.Resolve(attachment.Url);
    }

    /// <summary>
    /// Downloads an attachment: the body of its signed URL (<see cref="GetAttachmentUri"/>), as a stream to read and
    /// dispose. When the signature has expired, the client asks again with this user's token, which opens the
    /// attachments of rooms the user may read (and the user's own unposted uploads).
    /// </summary>
    /// <param name="attachment">An attachment from an upload or a message.</param>
    /// <param name="cancellationToken">Stops waiting for the answer (reading the stream takes a token of its own).</param>
    /// <returns>The file's bytes; dispose the stream when done.</returns>
    /// <exception cref="ChatRequestException">
    /// The server refused: <see cref="ChatErrorCodes.Forbidden"/> (403: the URL expired and this user may not read the
    /// room), <see cref="ChatErrorCodes.NotFound"/> (404: the message was deleted, or the upload was never posted).
    /// </exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public Task<Stream> OpenAttachmentAsync(Attachment attachment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _attachments.OpenAsync(attachment.Url, cancellationToken);
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
        _attachments.Dispose();
        await _supervisor.DisposeAsync();
        await _events.CompleteAsync();
    }

    private static string NewClientMessageId() => Guid.NewGuid().ToString("N");

    // The wire carries UTC; an unspecified kind is taken as UTC already, as RoomMember's times are.
    private static DateTime? ToUtc(DateTime? time) => time?.Kind switch
    {
        DateTimeKind.Local => time.Value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time.Value, DateTimeKind.Utc),
        _ => time,
    };

    /// <summary>
    /// Runs a call whose repeat is not harmless: an attempt cut by a lost connection may have gone through, and the
    /// repeat is then refused as if it had not (<c>room_exists</c>, <c>not_found</c>, …). When a repeat is refused,
    /// <paramref name="settle"/> gets the code and asks the server whether what the call wanted holds now: if so its
    /// answer stands for the call's, else the refusal does.
    /// </summary>
    private Task<T> CallSettlingRepeatsAsync<T>(
        Func<HubConnection, CancellationToken, Task<T>> call,
        Func<HubConnection, string?, CancellationToken, Task<(bool Holds, T Answer)>> settle,
        CancellationToken cancellationToken)
    {
        var attempts = 0;
        return _supervisor.CallAsync(async (connection, token) =>
        {
            var repeat = ++attempts > 1;
            HubException refused;
            try
            {
                return await call(connection, token);
            }
            catch (HubException exception) when (repeat)
            {
                refused = exception;
            }

            var (holds, answer) = await settle(connection, ChatErrorCodes.FromErrorMessage(refused.Message), token);
            if (!holds)
            {
                ExceptionDispatchInfo.Throw(refused);
            }

            return answer;
        }, cancellationToken);
    }

    private Task RecoverAsync(CancellationToken cancellationToken) => _rooms.RecoverAsync(cancellationToken);

    /// <summary>The one <c>MarkRead</c> of a room on its way (see <see cref="ReadMarkCoalescer"/>); retried across reconnects like any call.</summary>
    private async Task<ReadState> SendReadMarkAsync(string room, long sequence)
    {
        var state = await _supervisor.CallAsync(
            (c, t) =>
            {
                ChatClientLog.MarkingRead(_logger, room, sequence);
                return c.InvokeAsync<ReadState>(nameof(IChatHub.MarkRead), room, sequence, t);
            },
            CancellationToken.None);
        _readPointers.Advance(state.Room, state.LastReadSequence);
        return state;
    }

    private void OnReadStateChanged(ReadState state)
    {
        if (_readPointers.Advance(state.Room, state.LastReadSequence))
        {
            _events.Enqueue(nameof(ReadStateChanged), () => ReadStateChanged?.Invoke(this, state), h => h.ReadStateChanged(state));
        }
    }

    private void OnStateChanged(ChatConnectionStateChangedEventArgs change) =>
        _events.Enqueue(nameof(StateChanged), () => StateChanged?.Invoke(this, change), null);

    private void OnRoomReset(JoinResult rejoined)
    {
        var reset = new ChatRoomResetEventArgs(rejoined.Room, rejoined);
        _events.Enqueue(nameof(RoomReset), () => RoomReset?.Invoke(this, reset), null);
    }

    private void OnAddedToRoom(RoomEvent change) =>
        _events.Enqueue(nameof(AddedToRoom), () => AddedToRoom?.Invoke(this, change), null);

    private void OnRemovedFromRoom(ChatRoomRemovedEventArgs removal) =>
        _events.Enqueue(nameof(RemovedFromRoom), () => RemovedFromRoom?.Invoke(this, removal), null);

    /// <summary>Raises one change of a joined room: its typed event, then the raw one.</summary>
    private void OnRoomEvent(RoomEvent change)
    {
        switch (change)
        {
            case { Type: RoomEventTypes.MessagePosted, Message: { } posted }:
                if (posted.SenderId == UserId)
                {
                    _readPointers.Advance(posted.Room, posted.Sequence);
                }

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
            case { Type: RoomEventTypes.MemberAdded }:
                _events.Enqueue(nameof(MemberAdded), () => MemberAdded?.Invoke(this, change), null);
                break;
            case { Type: RoomEventTypes.MemberRemoved }:
                _events.Enqueue(nameof(MemberRemoved), () => MemberRemoved?.Invoke(this, change), null);
                break;
            case { Type: RoomEventTypes.MemberUpdated }:
                _events.Enqueue(nameof(MemberUpdated), () => MemberUpdated?.Invoke(this, change), null);
                break;
            case { Type: RoomEventTypes.RoomUpdated }:
                _events.Enqueue(nameof(RoomUpdated), () => RoomUpdated?.Invoke(this, change), null);
                break;
        }

        _events.Enqueue(nameof(RoomChanged), () => RoomChanged?.Invoke(this, change), h => h.RoomChanged(change));
    }
}
