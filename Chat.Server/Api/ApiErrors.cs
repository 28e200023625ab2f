using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Chat.Server.Api;

/// <summary>Marks the server API's endpoints: their refusals, authentication's included, are <see cref="ChatProblems"/>.</summary>
internal sealed class ChatApiEndpoint
{
    public static readonly ChatApiEndpoint Instance = new();
}

/// <summary>A refused call of the API answers as the hub would refuse it, in problem details.</summary>
internal sealed class ChatProblemsFilter(ChatMetrics metrics, ILogger<ChatProblemsFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ChatException exception)
        {
            var http = context.HttpContext;
            metrics.ApiError(EndpointName(http), exception.Code);
            ChatLog.ApiRequestRejected(logger, http.Request.Method, http.Request.Path, exception.Code);
            if (exception.Code == ChatErrorCodes.RateLimited)
            {
                // The send rate refills every second: by then a retry has a token again.
                http.Response.Headers.RetryAfter = "1";
            }

            return ChatProblems.From(exception);
        }
    }

    /// <summary>The endpoint's name (<c>PostMessage</c>, …): a bounded set of values for a metric's tag, unlike paths.</summary>
    public static string EndpointName(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "other";
}

/// <summary>
/// Authentication's refusals on the API's endpoints: the schemes' own challenge (status, <c>WWW-Authenticate</c>), then
/// a body like every other refusal: 401 <c>unauthorized</c> for a missing, wrong or revoked key or token, 403
/// <c>forbidden</c> for a signed-in user who may not (not an administrator), 503 <c>unavailable</c> when a key could not
/// be checked. Other endpoints keep the default.
/// </summary>
internal sealed class ChatApiAuthorizationResultHandler(ChatMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || context.GetEndpoint()?.Metadata.GetMetadata<ChatApiEndpoint>() is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var storeUnavailable = context.Items.ContainsKey(BotAuthenticationHandler.StoreUnavailable);
        var code = storeUnavailable ? ChatErrorCodes.Unavailable : authorizeResult.Challenged ? ChatErrorCodes.Unauthorized : ChatErrorCodes.Forbidden;
        metrics.ApiError(ChatProblemsFilter.EndpointName(context), code);
        if (storeUnavailable)
        {
            await ChatProblems.Problem(code, "The API key could not be checked just now; retry in a moment.").ExecuteAsync(context);
        }
        else if (authorizeResult.Challenged)
        {
            foreach (var scheme in policy.AuthenticationSchemes)
            {
                await context.ChallengeAsync(scheme);
            }

            await ChatProblems.Problem(code, "Send 'Authorization: Bot <apiKey>', or a valid bearer token.").ExecuteAsync(context);
        }
        else
        {
            foreach (var scheme in policy.AuthenticationSchemes)
            {
                await context.ForbidAsync(scheme);
            }

            await ChatProblems.Problem(code, "Only the server's administrators may do this.").ExecuteAsync(context);
        }
    }
}
