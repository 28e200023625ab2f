namespace Chat.Server.Hubs;

/// <summary>A rejected call: the hub filter turns it into <c>HubException("{Code}: {Message}")</c>.</summary>
public sealed class ChatException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
