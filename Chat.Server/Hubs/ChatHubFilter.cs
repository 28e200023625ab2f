using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Hubs;

/// <summary>
/// Checks every <c>room</c> argument, and turns a <see cref="ChatException"/> into the contract's
/// <c>HubException("code: sentence")</c>. A rejected call never closes the connection. Times every invocation.
/// </summary>
internal sealed class ChatHubFilter(ChatMetrics metrics, ILogger<ChatHubFilter> logger) : IHubFilter
{
    private const string RoomParameter = "room";
    private const string InternalError = "internal_error";
    private static readonly TimeSpan SlowInvocation = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<MethodInfo, int[]> RoomArguments = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var index in RoomArguments.GetOrAdd(invocationContext.HubMethod, FindRoomArguments))
            {
                if (!ChatRules.IsValidRoomName(invocationContext.HubMethodArguments[index] as string))
                {
                    throw new ChatException(ChatErrorCodes.InvalidRoomName, "room names are 1-64 characters of a-z, 0-9, _ and -, starting with a letter or digit");
                }
            }

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

    private static int[] FindRoomArguments(MethodInfo method) =>
        [.. method.GetParameters().Where(p => p.Name == RoomParameter).Select(p => p.Position)];
}
