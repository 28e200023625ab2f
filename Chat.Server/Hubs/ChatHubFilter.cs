using System.Diagnostics;
using Chat.Server.History;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Hubs;

/// <summary>
/// Turns a <see cref="ChatException"/> into the contract's <c>HubException("code: sentence")</c>. A rejected call never
/// closes the connection. Times every invocation, and puts its store reads in line by when its connection opened
/// (<see cref="StoreReadGate"/>).
/// </summary>
internal sealed class ChatHubFilter(ChatMetrics metrics, ConnectionRegistry connections, ILogger<ChatHubFilter> logger) : IHubFilter
{
    private const string InternalError = "internal_error";
    private static readonly TimeSpan SlowInvocation = TimeSpan.FromSeconds(1);

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        var started = Stopwatch.GetTimestamp();
        StoreReadGate.CallerOpenedAt = connections.OpenedAt(invocationContext.Context.ConnectionId);
        try
        {
            return await next(invocationContext);
        }
        catch (ChatException exception)
        {
            metrics.HubError(method, exception.Code);
            ChatLog.InvocationRejected(logger, method, exception.Code);
            throw new HubException($"{exception.Code}: {exception.Message}");
        }
        catch (Exception exception) when (exception is not HubException and not OperationCanceledException)
        {
            metrics.HubError(method, InternalError);
            ChatLog.InvocationFailed(logger, method, exception);
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.HubInvoked(method, elapsed);
            if (elapsed >= SlowInvocation)
            {
                ChatLog.SlowInvocation(logger, method, elapsed.TotalMilliseconds);
            }
        }
    }
}
