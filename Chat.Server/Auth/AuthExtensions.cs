using Chat.Server.Api;
using Chat.Server.Security;
using Chat.Server.Conversations;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Server.Auth;

public static class AuthExtensions
{
    /// <summary>A token request is a user name: a larger body is refused before it is read.</summary>
    private const int MaxTokenRequestBytes = 4096;

    /// <summary>Where SignalR's browser clients put the token, since browsers cannot set headers on WebSockets.</summary>
    private const string AccessTokenParameter = "access_token";

    public static WebApplicationBuilder AddChatAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<GuestTokens>();
        services.AddProblemDetails();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IServiceProvider>((jwt, auth, sp) => Configure(jwt, auth.Value, sp));
        services.AddSingleton<IAuthorizationHandler, AdminAuthorization>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminAuthorization.PolicyName, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new AdminAuthorization.Requirement()));
        return builder;
    }

    public static WebApplication MapChatAuth(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.GuestTokensEnabled)
        {
            // Load or generate the key now: a bad key stops the start, and a new one is written before anyone asks.
            app.Services.GetRequiredService<SigningKeyProvider>();
            app.MapPost(ChatRoutes.GuestToken, IssueGuestToken)
                .AllowAnonymous()
                .RequireCors(OriginPolicy.CorsPolicyName)
                .RequireRateLimiting(SecurityExtensions.TokenIssuancePolicy)
                .WithMetadata(new RequestSizeLimitAttribute(MaxTokenRequestBytes));
        }

        return app;
    }

    /// <summary>Signing in makes the user known: rooms can name them (a direct room, an added member) before they connect.</summary>
    private static async Task<Results<Ok<GuestTokenResponse>, ValidationProblem>> IssueGuestToken(
        GuestTokenRequest? request, GuestTokens tokens, UserDirectory users, CancellationToken cancellationToken)
    {
        if (request is null || !ChatRules.IsValidUserName(request.UserName))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["userName"] = ["User names are 1-32 characters of letters, digits, '_', '-' and '.'."],
            });
        }

        var token = tokens.Issue(request.UserName);
        await users.SeenAsync(new ChatUser(token.UserId, token.UserName), cancellationToken);
        return TypedResults.Ok(token);
    }

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, IServiceProvider services)
    {
        jwt.MapInboundClaims = false;
        // Nothing reads the token back from the authentication properties, which live as long as a WebSocket does.
        jwt.SaveToken = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAudience = auth.Audience,
            ClockSkew = auth.ClockSkew,
            NameClaimType = ChatClaims.UserName,
        };

        if (string.IsNullOrEmpty(auth.Authority))
        {
            jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
            jwt.TokenValidationParameters.IssuerSigningKey = services.GetRequiredService<SigningKeyProvider>().Key;
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            // Issuer and keys come from the authority's discovery document.
            jwt.Authority = auth.Authority;
            jwt.Audience = auth.Audience;
        }

        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                // Browsers cannot set headers on WebSockets or EventSource: SignalR sends the token in the query string.
                var accessToken = context.Request.Query[AccessTokenParameter];
                if (!string.IsNullOrEmpty(accessToken) && context.HttpContext.Request.Path.StartsWithSegments(ChatRoutes.Hub))
                {
                    context.Token = accessToken;
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                // Every connection is someone: a validly signed token without a subject (an external issuer's
                // client-credentials token, say) is refused here with 401, not by a failing hub.
                if (context.Principal is not { } principal || principal.FindFirst(ChatClaims.UserId)?.Value is not { Length: > 0 } subject)
                {
                    context.Fail("The token has no 'sub' claim.");
                    return Task.CompletedTask;
                }

                // Bots' user ids are theirs alone: no token may act as a bot, whatever its issuer puts in 'sub'.
                if (subject.StartsWith(BotKeys.UserIdPrefix, StringComparison.Ordinal))
                {
                    context.Fail("A token's 'sub' may not be a bot's user id.");
                    return Task.CompletedTask;
                }

                // A WebSocket request lives as long as its connection, and with it the principal: keep only who the
                // user is, not every claim nor the parsed token the validated identity refers to.
                context.Principal = ChatClaims.ToSlimPrincipal(principal, context.Scheme.Name);
                if (context.Request.Path.StartsWithSegments(ChatRoutes.Hub))
                {
                    ForgetAccessToken(context.Request);
                }

                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// Drops the validated token from the request's headers and query, which a WebSocket keeps for the life of its
    /// connection: one copy less per connection, and nothing later in the request reads it from there.
    /// </summary>
    private static void ForgetAccessToken(HttpRequest request)
    {
        request.Headers.Authorization = StringValues.Empty;
        if (request.Query.ContainsKey(AccessTokenParameter))
        {
            request.QueryString = QueryString.Create(
                request.Query.Where(parameter => !string.Equals(parameter.Key, AccessTokenParameter, StringComparison.OrdinalIgnoreCase)));
        }
    }
}
