using Chat.Server.Auth;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Security;

/// <summary>
/// The exact per-user connection limit. <see cref="SecurityExtensions"/> already answers 429 to a negotiate or
/// connect of a user at the limit; this catches the connections that raced past that check together, and closes them
/// before the hub sees them.
/// </summary>
internal sealed class ConnectionLimitFilter(ConnectionLimiter limiter, ChatMetrics metrics, ILogger<ConnectionLimitFilter> logger) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var user = context.Context.User!.ToChatUser();
        if (!limiter.TryAcquire(context.Context.ConnectionId, user.Id))
        {
            metrics.SecurityRefusal(ChatErrorCodes.TooManyConnections);
            ChatLog.ConnectionLimitReached(logger, user.Id, limiter.MaxConnectionsPerUser);
            context.Context.Abort();
            return;
        }

        try
        {
            await next(context);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync after a failed OnConnectedAsync.
            limiter.Release(context.Context.ConnectionId);
            throw;
        }
    }

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next) =>
        limiter.IsCounted(invocationContext.Context.ConnectionId)
            ? next(invocationContext)
            : throw new HubException($"{ChatErrorCodes.TooManyConnections}: this user has {limiter.MaxConnectionsPerUser} connections open already; close one first");

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (!limiter.IsCounted(context.Context.ConnectionId))
        {
            // Refused in OnConnectedAsync: the hub never saw this connection, so it has nothing to clean up.
            return;
        }

        try
        {
            await next(context, exception);
        }
        finally
        {
            limiter.Release(context.Context.ConnectionId);
        }
    }
}
