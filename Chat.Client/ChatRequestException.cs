using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Client;

/// <summary>The server refused a call, e.g. <see cref="ChatErrorCodes.NotAMember"/>. The connection stays usable.</summary>
public sealed class ChatRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChatRequestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The server's message.</param>
    public ChatRequestException(string message)
        : base(message)
    {
        Code = ChatErrorCodes.FromErrorMessage(message);
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The server's message.</param>
    /// <param name="innerException">The SignalR error it came as.</param>
    public ChatRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ChatErrorCodes.FromErrorMessage(message);
    }

    /// <summary>The stable code from <see cref="ChatErrorCodes"/>, or null when the server gave none.</summary>
    public string? Code { get; }

    internal static ChatRequestException From(HubException exception) => new(exception.Message, exception);
}
