using System.Security.Claims;
using System.Text.Encodings.Web;
using Chat.Server.Auth;
using Chat.Server.History;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Chat.Server.Api;

/// <summary>
/// <c>Authorization: Bot &lt;apiKey&gt;</c>: the bot acts as its own user. Any other header is not this scheme's; a
/// malformed, wrong or revoked key fails, and the API answers 401 <c>unauthorized</c>.
/// </summary>
internal sealed class BotAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, BotDirectory bots)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    /// <summary>Set in the request's items when the key could not be checked.</summary>
    public static readonly object StoreUnavailable = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BotKeys.FromAuthorization(Request.Headers.Authorization) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        BotRecord? bot;
        try
        {
            bot = await bots.FindAsync(key, Context.RequestAborted);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The store did not answer, and the key may well be good: the API answers 503 unavailable rather than 401,
            // so that the bot retries instead of taking its key for revoked.
            ChatLog.BotKeyNotChecked(Logger, exception);
            Context.Items[StoreUnavailable] = true;
            return AuthenticateResult.Fail("The API key could not be checked: the store did not answer.");
        }

        if (bot is null)
        {
            return AuthenticateResult.Fail("The API key is malformed, wrong or revoked.");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ChatClaims.UserId, bot.UserId), new Claim(ChatClaims.UserName, bot.Name)], Scheme.Name, ChatClaims.UserName, roleType: null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, ChatApiRoutes.BotScheme);
        return Task.CompletedTask;
    }
}
