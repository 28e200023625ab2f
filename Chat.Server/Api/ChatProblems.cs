using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.Api;

/// <summary>
/// The one mapping of the contract's error codes to HTTP: problem details whose <c>title</c> and <c>code</c> member
/// hold the code, with the status the contract gives it.
/// </summary>
public static class ChatProblems
{
    public static int StatusOf(string code) => code switch
    {
        ChatErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ChatErrorCodes.Forbidden or ChatErrorCodes.Banned or ChatErrorCodes.Muted or ChatErrorCodes.NotAMember
            or ChatErrorCodes.OriginNotAllowed => StatusCodes.Status403Forbidden,
        ChatErrorCodes.NotFound or ChatErrorCodes.CallNotFound => StatusCodes.Status404NotFound,
        ChatErrorCodes.RoomExists => StatusCodes.Status409Conflict,
        ChatErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ChatErrorCodes.RateLimited or ChatErrorCodes.SlowMode or ChatErrorCodes.TooManyConnections => StatusCodes.Status429TooManyRequests,
        ChatErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        // invalid_*, empty_message, message_too_long, edit_window_expired, too_many_reactions, too_many_rooms: the
        // request itself is wrong.
        _ => StatusCodes.Status400BadRequest,
    };

    /// <param name="code">One of <see cref="ChatErrorCodes"/>.</param>
    /// <param name="detail">A sentence for people.</param>
    /// <param name="extensions">Further members for clients, besides <c>code</c>.</param>
    public static IResult Problem(string code, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var members = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return Results.Problem(statusCode: StatusOf(code), title: code, detail: detail, extensions: members);
    }

    public static IResult From(ChatException exception) => Problem(exception.Code, exception.Message);
}
