using Chat.Server.Cluster;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Chat.Server.Calls;

/// <summary>
/// Tells every connection of a user, on every node, but one (the one that answered or declined) that a call ended.
/// SignalR's <c>Clients.User</c> cannot leave a connection out, and only the node that holds a connection knows it is
/// the user's, so each node sends to its own (<see cref="ConnectionRegistry"/>), as <c>RoomEvictions</c> does.
/// </summary>
public interface ICallSignals
{
    Task EndForUserAsync(string userId, string? exceptConnectionId, CallEnd end, CancellationToken cancellationToken = default);
}

/// <summary>One node: the user's connections are all here.</summary>
internal sealed class LocalCallSignals(ConnectionRegistry connections, IHubContext<ChatHub, IChatClient> hub) : ICallSignals
{
    public Task EndForUserAsync(string userId, string? exceptConnectionId, CallEnd end, CancellationToken cancellationToken = default) =>
        SendHereAsync(connections, hub, userId, exceptConnectionId, end);

    public static Task SendHereAsync(
        ConnectionRegistry connections, IHubContext<ChatHub, IChatClient> hub, string userId, string? exceptConnectionId, CallEnd end)
    {
        var targets = connections.ConnectionsOf(userId).Select(c => c.ConnectionId).Where(id => id != exceptConnectionId).ToList();
        return targets.Count == 0 ? Task.CompletedTask : hub.Clients.Clients(targets).CallEnded(end);
    }
}

/// <summary>A cluster: one Redis channel every node listens on, the publishing node included.</summary>
internal sealed class RedisCallSignals(
    RedisConnection redis, ConnectionRegistry connections, IHubContext<ChatHub, IChatClient> hub, ILogger<RedisCallSignals> logger)
    : ICallSignals, IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("calls:ended");

    // Unique per server instance: tells this node its own messages apart (two test servers share a process).
    private readonly string _origin = Guid.NewGuid().ToString("N");

    public async Task EndForUserAsync(string userId, string? exceptConnectionId, CallEnd end, CancellationToken cancellationToken = default)
    {
        // This node's connections at once: they do not wait on Redis, and the echo of the message skips them.
        await LocalCallSignals.SendHereAsync(connections, hub, userId, exceptConnectionId, end);
        try
        {
            await redis.Multiplexer.GetSubscriber().PublishAsync(
                Channel, string.Join('\n', _origin, userId, exceptConnectionId ?? "", end.CallId, end.Reason));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            ChatLog.CallSignalNotPublished(logger, end.CallId, exception);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.Multiplexer.GetSubscriber().SubscribeAsync(Channel, (channel, value) => _ = OnEndedAsync(value));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The multiplexer subscribes again by itself once Redis is back.
            ChatLog.CallSignalNotPublished(logger, "*", exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task OnEndedAsync(RedisValue value)
    {
        if (((string?)value)?.Split('\n') is not [var origin, var userId, var except, var callId, var reason] || origin == _origin)
        {
            return;
        }

        try
        {
            await LocalCallSignals.SendHereAsync(connections, hub, userId, except.Length == 0 ? null : except, new CallEnd(callId, reason));
        }
        catch (Exception exception)
        {
            ChatLog.CallSignalFailed(logger, callId, exception);
        }
    }
}
