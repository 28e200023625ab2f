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

    /// <summary>Rooms with at least one member or with history.</summary>
    Task<RoomSummary[]> ListRooms();

    /// <summary>Who is in <paramref name="room"/> now.</summary>
    Task<UserPresence[]> GetPresence(string room);
}
