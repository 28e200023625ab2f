using Chat.Server.Auth;
using Chat.Shared;

namespace Chat.Server.Api;

/// <summary><c>POST</c> and <c>GET /api/bots</c>, <c>DELETE /api/bots/{botId}</c>: administrators only.</summary>
internal static class BotEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext context, BotDirectory bots, CancellationToken cancellationToken)
    {
        var request = await ApiBodies.ReadAsync<CreateBotRequest>(context.Request, cancellationToken);
        var created = await bots.CreateAsync(request.Name, context.User.ToChatUser(), cancellationToken);
        return TypedResults.Created((string?)null, created);
    }

    public static async Task<IResult> ListAsync(BotDirectory bots, CancellationToken cancellationToken) =>
        TypedResults.Ok(await bots.ListAsync(cancellationToken));

    public static async Task<IResult> RevokeAsync(string botId, HttpContext context, BotDirectory bots, CancellationToken cancellationToken)
    {
        await bots.RevokeAsync(botId, context.User.ToChatUser(), cancellationToken);
        return TypedResults.NoContent();
    }
}
