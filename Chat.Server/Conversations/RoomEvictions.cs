using System.Collections.Concurrent;
using Chat.Server.Cluster;
using Chat.Server.Observability;
using Chat.Server.Presence;
using Chat.Server.Rooms;
using StackExchange.Redis;

namespace Chat.Server.Conversations;

/// <summary>
/// Ends a removed user's subscriptions to a room on every node, before the removal is answered: SignalR groups are per
/// connection, and only the node that holds a connection can end it. Once this returns, nothing more of the room
/// reaches the user's connections, and they can no longer change anything in it.
/// </summary>
public interface IRoomEvictions
{
    Task EvictAsync(string room, string userId, CancellationToken cancellationToken = default);
}

/// <summary>One node: the connections are all here.</summary>
internal sealed class LocalRoomEvictions(RoomSubscriptions subscriptions) : IRoomEvictions
{
    public Task EvictAsync(string room, string userId, CancellationToken cancellationToken = default) =>
        subscriptions.EvictAsync(RoomName.Trusted(room), userId, cancellationToken);
}

/// <summary>
/// A cluster: this node's connections at once; the other nodes' through a Redis channel, waiting for an answer from
/// every node Redis says holds a connection of the user in the room (for at most <see cref="AckTimeout"/>). A node
/// that misses the message (Redis away at that moment) keeps that user's connections subscribed until they leave or
/// reconnect; every new join or read is still refused by the store.
/// </summary>
internal sealed class RedisRoomEvictions(
    RedisConnection redis, RedisPresenceTracker presence, RoomSubscriptions subscriptions, ILogger<RedisRoomEvictions> logger)
    : IRoomEvictions, IHostedService
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);
    private static readonly RedisChannel Requests = RedisChannel.Literal("evictions");

    private readonly ConcurrentDictionary<string, PendingEviction> _pending = new(StringComparer.Ordinal);

    private RedisChannel Acks => RedisChannel.Literal("evictions:ack:" + presence.NodeId);

    public async Task EvictAsync(string room, string userId, CancellationToken cancellationToken = default)
    {
        await subscriptions.EvictAsync(RoomName.Trusted(room), userId, cancellationToken);
        var id = Guid.NewGuid().ToString("N");
        try
        {
            var others = (await presence.GetNodesOfUserInRoomAsync(room, userId)).Where(n => n != presence.NodeId).ToHashSet(StringComparer.Ordinal);
            var pending = new PendingEviction(others);
            _pending[id] = pending;
            // Published even when Redis knows no other node: a node whose entries Redis lost still hears it.
            await redis.Multiplexer.GetSubscriber().PublishAsync(Requests, string.Join('\n', id, presence.NodeId, room, userId));
            if (others.Count > 0)
            {
                await pending.Done.Task.WaitAsync(AckTimeout, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            ChatLog.EvictionNotPublished(logger, room, exception);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var subscriber = redis.Multiplexer.GetSubscriber();
            await subscriber.SubscribeAsync(Requests, (channel, value) => _ = OnRequestAsync(value));
            await subscriber.SubscribeAsync(Acks, (_, value) => OnAck(value));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The multiplexer subscribes again by itself once Redis is back.
            ChatLog.EvictionNotPublished(logger, "*", exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task OnRequestAsync(RedisValue value)
    {
        var parts = ((string?)value)?.Split('\n');
        if (parts is not [var id, var origin, var room, var userId])
        {
            return;
        }

        if (origin == presence.NodeId)
        {
            return;
        }

        try
        {
            await subscriptions.EvictAsync(RoomName.Trusted(room), userId);
            await redis.Multiplexer.GetSubscriber().PublishAsync(
                RedisChannel.Literal("evictions:ack:" + origin), id + "\n" + presence.NodeId);
        }
        catch (Exception exception)
        {
            ChatLog.EvictionFailed(logger, room, exception);
        }
    }

    private void OnAck(RedisValue value)
    {
        var parts = ((string?)value)?.Split('\n');
        if (parts is [var id, var node] && _pending.TryGetValue(id, out var pending))
        {
            pending.Acknowledge(node);
        }
    }

    /// <summary>An eviction waiting for the nodes that hold the user's connections.</summary>
    private sealed class PendingEviction(HashSet<string> nodes)
    {
        private readonly Lock _lock = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Acknowledge(string node)
        {
            lock (_lock)
            {
                if (nodes.Remove(node) && nodes.Count == 0)
                {
                    Done.TrySetResult();
                }
            }
        }
    }
}
