using Chat.Server.Cluster;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using StackExchange.Redis;

namespace Chat.Server.Conversations;

/// <summary>
/// Tells every node that a user was removed from a room, so that each ends the user's connections' subscriptions
/// there at once: SignalR groups are per connection, and only the node that holds a connection can end it.
/// </summary>
public interface IRoomEvictions
{
    Task EvictAsync(string room, string userId);
}

/// <summary>One node: the connections are all here.</summary>
internal sealed class LocalRoomEvictions(RoomSubscriptions subscriptions) : IRoomEvictions
{
    public Task EvictAsync(string room, string userId) => subscriptions.EvictAsync(RoomName.Trusted(room), userId);
}

/// <summary>
/// A cluster: this node's connections at once, the other nodes' through a Redis channel. A node that misses the
/// message (Redis away at that moment) still refuses the removed user everything the store decides — posting,
/// joining, reading a private room — but its connections stay subscribed until they leave or reconnect.
/// </summary>
internal sealed class RedisRoomEvictions(RedisConnection redis, RoomSubscriptions subscriptions, ILogger<RedisRoomEvictions> logger)
    : IRoomEvictions, IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("evictions");

    public async Task EvictAsync(string room, string userId)
    {
        await subscriptions.EvictAsync(RoomName.Trusted(room), userId);
        try
        {
            await redis.Multiplexer.GetSubscriber().PublishAsync(Channel, room + "\n" + userId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            ChatLog.EvictionNotPublished(logger, room, exception);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.Multiplexer.GetSubscriber().SubscribeAsync(Channel, (channel, value) => _ = OnEvictionAsync(value));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The multiplexer subscribes again by itself once Redis is back.
            ChatLog.EvictionNotPublished(logger, "*", exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task OnEvictionAsync(RedisValue value)
    {
        var text = (string?)value;
        var split = text?.IndexOf('\n') ?? -1;
        if (split <= 0)
        {
            return;
        }

        try
        {
            await subscriptions.EvictAsync(RoomName.Trusted(text![..split]), text[(split + 1)..]);
        }
        catch (Exception exception)
        {
            ChatLog.EvictionFailed(logger, text![..split], exception);
        }
    }
}
