namespace Chat.Shared;

/// <summary>
/// The methods a client may invoke on the hub at <see cref="ChatRoutes.Hub"/>.
/// Method and parameter names are the wire contract: keep them exactly.
/// </summary>
public interface IChatHub
{
    /// <summary>Joins this connection to <paramref name="room"/>, creating the room on first use.</summary>
    Task<JoinResult> JoinRoom(string room);

    /// <summary>Removes this connection from <paramref name="room"/>.</summary>
    Task LeaveRoom(string room);

    /// <summary>Stores a message and broadcasts it to the room. Returns the message as stored.</summary>
    /// <param name="room">A room this connection has joined.</param>
    /// <param name="content">1–4000 characters after trimming.</param>
    /// <param name="clientMessageId">Optional id that makes a retry idempotent for this user.</param>
    Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId);

    /// <summary>Starts or stops this user's typing state in <paramref name="room"/>.</summary>
    Task SetTyping(string room, bool isTyping);

    /// <summary>Pages backwards through history, oldest first. <paramref name="beforeSequence"/> null means the newest.</summary>
    Task<ChatMessage[]> GetHistory(string room, long? beforeSequence, int limit);

    /// <summary>Everything after <paramref name="afterSequence"/>, oldest first: for recovery after a reconnect.</summary>
    Task<ChatMessage[]> GetMessagesSince(string room, long afterSequence, int limit);

    /// <summary>
    /// The room's changes after <paramref name="afterEventSequence"/>, oldest first (limit 1–500): recovery of every
    /// change after a reconnect or a jump. Too many missing changes answer <see cref="EventsPage.ResetRequired"/>.
    /// </summary>
    Task<EventsPage> GetEventsSince(string room, long afterEventSequence, int limit);

    /// <summary>
    /// <see cref="SendMessage"/> with more: a reply, intentional mentions, attachments. Idempotent by
    /// <see cref="PostMessageRequest.ClientMessageId"/>. Returns the message as stored.
    /// </summary>
    Task<ChatMessage> PostMessage(string room, PostMessageRequest request);

    /// <summary>Replaces the content of the caller's own message. Returns the message as it is now.</summary>
    Task<ChatMessage> EditMessage(string room, string messageId, string content);

    /// <summary>Deletes a message for good: it stays as a tombstone (id, sequence, deletedAt) with nothing else.</summary>
    Task DeleteMessage(string room, string messageId);

    /// <summary>Adds the caller's <paramref name="reaction"/> to a message. Returns the message as it is now.</summary>
    Task<ChatMessage> AddReaction(string room, string messageId, string reaction);

    /// <summary>Removes the caller's <paramref name="reaction"/> from a message. Returns the message as it is now.</summary>
    Task<ChatMessage> RemoveReaction(string room, string messageId, string reaction);

    /// <summary>Rooms with at least one member or with history.</summary>
    Task<RoomSummary[]> ListRooms();

    /// <summary>Who is in <paramref name="room"/> now: at most <see cref="ChatLimits.MaxPresenceListed"/> users.</summary>
    Task<UserPresence[]> GetPresence(string room);

    /// <summary>Creates a public or private room; the caller becomes its owner (<c>room_exists</c> if the name is taken).</summary>
    Task<RoomInfo> CreateRoom(CreateRoomRequest request);

    /// <summary>The direct room of the caller and <paramref name="userId"/>: the same room every time, from either side, on any node.</summary>
    Task<RoomInfo> OpenDirect(string userId);

    /// <summary>Changes the room's title, topic or slow mode (owner or moderator).</summary>
    Task<RoomInfo> UpdateRoom(string room, UpdateRoomRequest request);

    /// <summary>The caller's rooms, newest activity first: the same list on every device.</summary>
    Task<MyRoom[]> ListMyRooms();

    /// <summary>The room's lasting members ordered by user id, after <paramref name="afterUserId"/> (limit 1–200).</summary>
    Task<RoomMember[]> GetMembers(string room, string? afterUserId, int limit);

    /// <summary>Makes <paramref name="userId"/> a member (owner or moderator).</summary>
    Task<RoomMember> AddMember(string room, string userId);

    /// <summary>The caller leaves for good (not a direct room), or an owner or moderator removes another member.</summary>
    Task RemoveMember(string room, string userId);

    /// <summary>Gives a member a role (owner only; a room always keeps an owner).</summary>
    Task<RoomMember> SetMemberRole(string room, string userId, string role);

    /// <summary>Removes the user and keeps them out until <paramref name="until"/> (null: for good). Owner or moderator.</summary>
    Task BanMember(string room, string userId, DateTime? until, string? reason);

    /// <summary>Ends a ban (owner or moderator).</summary>
    Task UnbanMember(string room, string userId);

    /// <summary>Stops a member posting, editing, reacting and typing until <paramref name="until"/> (null or past: unmute). Owner or moderator.</summary>
    Task<RoomMember> MuteMember(string room, string userId, DateTime? until);

    /// <summary>
    /// Moves the caller's read pointer in <paramref name="room"/> forward to <paramref name="sequence"/> (never back).
    /// Every connection of the caller, on every node, gets <see cref="IChatClient.ReadStateChanged"/>.
    /// </summary>
    Task<ReadState> MarkRead(string room, long sequence);

    /// <summary>How far each member has read ("seen by"); empty in rooms of more than <c>ReadState:ReceiptsMaxMembers</c> members.</summary>
    Task<ReadReceipt[]> GetReadReceipts(string room);

    /// <summary>The caller's notifications, newest first, older than <paramref name="beforeId"/> (limit 1–100).</summary>
    Task<Notification[]> GetNotifications(string? beforeId, int limit);

    /// <summary>
    /// Full-text search over the current text of the rooms the caller may read, newest first: deleted messages never,
    /// an edited message by its new words only. Without <see cref="SearchRequest.Room"/> it searches the public rooms
    /// and the caller's own rooms.
    /// </summary>
    Task<SearchResult> SearchMessages(SearchRequest request);

    /// <summary>
    /// Rings every connection of the other member of the direct room <paramref name="room"/> (<see cref="IChatClient.CallOffered"/>).
    /// Direct rooms of the caller only (<c>forbidden</c> elsewhere); a call id in use answers <c>invalid_request</c>.
    /// </summary>
    Task StartCall(string room, CallOffer offer);

    /// <summary>Takes a call ringing on this connection: the first answer wins, the callee's other connections stop ringing.</summary>
    Task AnswerCall(string callId, string sdp);

    /// <summary>Relays this party's ICE candidates to the other party (at most <see cref="ChatLimits.IceCandidatesPerSecond"/>).</summary>
    Task SendIceCandidates(string callId, IceCandidate[] candidates);

    /// <summary>Ends (or declines) a call with one of <see cref="CallEndReasons.ByClient"/>: the other side gets <see cref="IChatClient.CallEnded"/>.</summary>
    Task EndCall(string callId, string reason);

    /// <summary>The STUN and TURN servers to give <c>RTCPeerConnection</c>, with short-lived TURN credentials for this user.</summary>
    Task<IceServer[]> GetIceServers();
}
