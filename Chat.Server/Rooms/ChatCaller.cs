namespace Chat.Server.Rooms;

/// <summary>
/// Who makes a call: a hub connection, or a user acting over the HTTP API without one (a bot). For a connection,
/// "has joined the room" means it is subscribed to the room now; for an API caller, that the user is a lasting member.
/// <see cref="Conversations.RoomPolicy"/> decides both.
/// </summary>
public readonly record struct ChatCaller(ChatUser User, ConnectionRegistry.ConnectionState? Connection)
{
    public static ChatCaller Of(ConnectionRegistry.ConnectionState connection) => new(connection.User, connection);

    public static ChatCaller WithoutConnection(ChatUser user) => new(user, null);
}
