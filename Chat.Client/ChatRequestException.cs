using System.Net;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Client;

/// <summary>
/// The server refused a call, e.g. <see cref="ChatErrorCodes.NotAMember"/>, or an HTTP request such as an upload
/// (then <see cref="StatusCode"/> is set). The connection stays usable.
/// </summary>
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

    /// <summary>Creates the exception for an HTTP request the server refused.</summary>
    /// <param name="code">The refusal's code (see <see cref="Code"/>).</param>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="message">A sentence for people: the server's, or one made up from the status.</param>
    public ChatRequestException(string? code, HttpStatusCode statusCode, string message)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
    }

    /// <summary>
    /// The stable code from <see cref="ChatErrorCodes"/> (or, for HTTP refusals that carry none, from
    /// <see cref="ChatClientErrorCodes"/>), or null when the server gave none.
    /// </summary>
    public string? Code { get; }

    /// <summary>The HTTP status when an HTTP request (an upload, a download) was refused; null for hub calls.</summary>
    public HttpStatusCode? StatusCode { get; }

    internal static ChatRequestException From(HubException exception) => new(exception.Message, exception);
}

/// <summary>
/// Codes the client gives an HTTP refusal whose answer names no code of <see cref="ChatErrorCodes"/>, so that every
/// <see cref="ChatRequestException"/> of an upload or download can be told apart by <see cref="ChatRequestException.Code"/>.
/// </summary>
public static class ChatClientErrorCodes
{
    /// <summary>401: the server refused the bearer token, also after the client renewed it once.</summary>
    public const string Unauthorized = "unauthorized";
}
