using System.Globalization;
using Chat.Server.Auth;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.Extensions.Primitives;

namespace Chat.Server.Api;

/// <summary>
/// The rooms of the server API: each call is the hub's, through the same services, for a caller without a
/// connection (a bot, or a user with a bearer token), for whom "has joined" means being a lasting member.
/// </summary>
internal static class RoomEndpoints
{
    /// <summary>What a page of events holds when the request names no limit.</summary>
    public const int DefaultEventsLimit = 100;

    public static async Task<IResult> PostMessageAsync(string room, HttpContext context, MessagingService messaging, CancellationToken cancellationToken)
    {
        var request = await ApiBodies.ReadAsync<PostMessageRequest>(context.Request, cancellationToken);
        var key = IdempotencyKey(context.Request.Headers[ChatApiRoutes.IdempotencyKeyHeader]);
        if (key is not null)
        {
            if (request.ClientMessageId is { Length: > 0 } bodyKey && bodyKey != key)
            {
                throw new ChatException(ChatErrorCodes.InvalidRequest, $"the {ChatApiRoutes.IdempotencyKeyHeader} header and the body's clientMessageId differ");
            }

            request = request with { ClientMessageId = key };
        }

        var posted = await messaging.PostAsync(Caller(context), RoomName.Parse(room), request, cancellationToken);
        if (!posted.Replayed)
        {
            return TypedResults.Created((string?)null, posted.Message);
        }

        return IdempotentReplay.Matches(request, posted.Message)
            ? TypedResults.Ok(posted.Message)
            : throw new ChatException(
                ChatErrorCodes.InvalidRequest, $"this {ChatApiRoutes.IdempotencyKeyHeader} was used for a different message; use a new key for a new message");
    }

    public static async Task<IResult> EditMessageAsync(string room, string id, HttpContext context, MessagingService messaging, CancellationToken cancellationToken)
    {
        var request = await ApiBodies.ReadAsync<EditMessageRequest>(context.Request, cancellationToken);
        return TypedResults.Ok(await messaging.EditAsync(Caller(context), RoomName.Parse(room), id, request.Content, cancellationToken));
    }

    public static async Task<IResult> DeleteMessageAsync(string room, string id, HttpContext context, MessagingService messaging, CancellationToken cancellationToken)
    {
        await messaging.DeleteAsync(Caller(context), RoomName.Parse(room), id, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> AddReactionAsync(
        string room, string id, string reaction, HttpContext context, MessagingService messaging, CancellationToken cancellationToken) =>
        TypedResults.Ok(await messaging.ReactAsync(Caller(context), RoomName.Parse(room), id, reaction, add: true, cancellationToken));

    public static async Task<IResult> RemoveReactionAsync(
        string room, string id, string reaction, HttpContext context, MessagingService messaging, CancellationToken cancellationToken) =>
        TypedResults.Ok(await messaging.ReactAsync(Caller(context), RoomName.Parse(room), id, reaction, add: false, cancellationToken));

    public static async Task<IResult> GetEventsAsync(
        string room, string? after, string? limit, HttpContext context, HistoryQueries history, CancellationToken cancellationToken)
    {
        var afterEventSequence = after is null ? 0 : long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            ? a
            : throw new ChatException(ChatErrorCodes.InvalidRequest, "after is an event sequence: a whole number, 0 or more");
        var pageLimit = limit is null ? DefaultEventsLimit : int.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {ChatLimits.MaxEventsSincePage}");
        return TypedResults.Ok(await history.GetEventsSinceAsync(Caller(context), RoomName.Parse(room), afterEventSequence, pageLimit, cancellationToken));
    }

    /// <summary>Joins for good, as the hub's <c>JoinRoom</c> does for the user (without a live subscription: the API has none).</summary>
    public static async Task<IResult> JoinAsync(string room, HttpContext context, RoomService rooms, CancellationToken cancellationToken)
    {
        await rooms.AdmitAsync(context.User.ToChatUser(), RoomName.Parse(room), cancellationToken);
        return TypedResults.NoContent();
    }

    private static ChatCaller Caller(HttpContext context) => ChatCaller.WithoutConnection(context.User.ToChatUser());

    /// <summary>An empty header is no key; more than one is a request that cannot be meant.</summary>
    private static string? IdempotencyKey(StringValues values) => values.Count switch
    {
        0 => null,
        1 when string.IsNullOrWhiteSpace(values[0]) => null,
        1 => values[0]!.Trim(),
        _ => throw new ChatException(ChatErrorCodes.InvalidRequest, $"send one {ChatApiRoutes.IdempotencyKeyHeader} header"),
    };
}
