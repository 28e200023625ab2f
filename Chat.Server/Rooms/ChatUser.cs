namespace Chat.Server.Rooms;

/// <summary>The signed-in user behind a connection.</summary>
public sealed record ChatUser(string Id, string Name);
