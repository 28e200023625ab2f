using System.Threading.RateLimiting;
using Chat.Server.Auth;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Server.Security;

public static class SecurityExtensions
{
    /// <summary>The rate-limiter policy of the guest-token endpoint.</summary>
    public const string TokenIssuancePolicy = "token-issuance";

    /// <summary>The <c>reason</c> of a refused token request in the security-refusals metric.</summary>
    public const string TokenRequestsRateLimited = "token_rate_limited";

    /// <summary>ASP.NET Core's own request logs: they write the full URL, query string (and so <c>access_token</c>) included.</summary>
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string HubDispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public static WebApplicationBuilder AddChatSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<OriginPolicy>();
        services.AddCors();
        services.AddOptions<CorsOptions>()
            .Configure<OriginPolicy>((cors, origins) => cors.AddPolicy(OriginPolicy.CorsPolicyName, policy => policy
                .WithOrigins([.. origins.AllowedOrigins])
                .AllowAnyHeader()
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .AllowCredentials()));

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((limiter, security) =>
        {
            var perMinute = security.Value.TokenRequestsPerMinute;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(TokenIssuancePolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = (context, cancellationToken) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ChatMetrics>().SecurityRefusal(TokenRequestsRateLimited);
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return new ValueTask(Results.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: ChatErrorCodes.RateLimited,
                        detail: "Too many token requests from this address; retry in a minute.",
                        extensions: new Dictionary<string, object?> { ["code"] = ChatErrorCodes.RateLimited })
                    .ExecuteAsync(context.HttpContext));
            };
        });

        services.AddSingleton<ConnectionLimiter>();
        services.AddSingleton<ConnectionLimitFilter>();
        services.Configure<HubOptions>(hub => hub.AddFilter<ConnectionLimitFilter>());

        services.AddSingleton<StalledWriteWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<StalledWriteWatchdog>());
        services.AddOptions<KestrelServerOptions>().Configure<StalledWriteWatchdog>((kestrel, watchdog) =>
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(watchdog.Watch)));

        AddRedactedRequestLogging(builder);
        return builder;
    }

    /// <summary>Before static files and authentication: request logging, the origin check, CORS and rate limits.</summary>
    public static WebApplication UseChatSecurity(this WebApplication app)
    {
        app.UseHttpLogging();
        var origins = app.Services.GetRequiredService<OriginPolicy>();
        app.Use((context, next) => origins.InvokeAsync(context, next));
        app.UseCors();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>After authentication: a user at the connection limit gets 429 before a connection is set up.</summary>
    public static WebApplication UseChatConnectionLimit(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<ConnectionLimiter>();
        var metrics = app.Services.GetRequiredService<ChatMetrics>();
        // Not async on the way through: a WebSocket request stays in this middleware for the life of its connection.
        app.Use((context, next) =>
        {
            if (StartsConnection(context.Request)
                && context.User.FindFirst(ChatClaims.UserId)?.Value is { } userId
                && limiter.IsAtLimit(userId))
            {
                metrics.SecurityRefusal(ChatErrorCodes.TooManyConnections);
                return Results.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: ChatErrorCodes.TooManyConnections,
                        detail: $"This user has {limiter.MaxConnectionsPerUser} connections open already; close one first.",
                        extensions: new Dictionary<string, object?> { ["code"] = ChatErrorCodes.TooManyConnections })
                    .ExecuteAsync(context);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>A negotiate, or a connect without a negotiated id (WebSockets with skipNegotiation); not the later polls of a connection.</summary>
    private static bool StartsConnection(HttpRequest request) =>
        request.Path.StartsWithSegments(ChatRoutes.Hub, out var rest)
        && (rest.Equals("/negotiate", StringComparison.OrdinalIgnoreCase) || (!rest.HasValue && !request.Query.ContainsKey("id")));

    /// <summary>
    /// <c>access_token</c> travels in the query string (browsers cannot set headers on WebSockets), so no log may
    /// carry a request's query string. ASP.NET Core's hosting diagnostics log the full URL at Information and Debug:
    /// they are held at Warning whatever the configuration says, and HTTP logging (method, path without the query,
    /// status, duration; no headers) takes their place for operators who want request logs.
    /// </summary>
    private static void AddRedactedRequestLogging(WebApplicationBuilder builder)
    {
        builder.Services.AddHttpLogging(logging =>
        {
            logging.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.RequestProtocol
                | HttpLoggingFields.RequestScheme | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            logging.CombineLogs = true;
        });
        builder.Services.PostConfigure<LoggerFilterOptions>(filters =>
        {
            HoldAtLeast(filters, HostingDiagnosticsCategory, LogLevel.Warning);
            // SignalR logs every exception out of a hub method at Error with its stack trace, HubException included:
            // each rejected call (rate_limited, invalid_room_name, ...) would write an error, so a client flooding bad
            // calls would flood the logs. ChatHubFilter already logs rejections at Debug and real failures at Error.
            HoldAtLeast(filters, HubDispatcherCategory, LogLevel.Critical);
        });
    }

    /// <summary>A rule for every provider named in the configuration too, so a provider-specific level cannot outrank it.</summary>
    private static void HoldAtLeast(LoggerFilterOptions filters, string category, LogLevel level)
    {
        foreach (var provider in filters.Rules.Select(rule => rule.ProviderName).Prepend(null).Distinct().ToList())
        {
            filters.Rules.Add(new LoggerFilterRule(provider, category, level, filter: null));
        }
    }
}
