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

    /// <summary>Who is in <paramref name="room"/> now.</summary>
    Task<UserPresence[]> GetPresence(string room);
}
