using System.Collections.Concurrent;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Server.Cluster;

/// <summary>
/// SignalR's Redis backplane, made to survive Redis going away. <see cref="RedisHubLifetimeManager{THub}"/> routes
/// even a node's own group sends through Redis, so on its own a node without Redis delivers nothing, refuses joins
/// and closes new connections; and a subscribe that fails half-way leaves it deaf to that group for good.
/// <para>
/// This manager keeps every connection and group in SignalR's in-process manager as well; which rooms (groups) a
/// connection is in, to subscribe it to a new backplane, it reads from <see cref="ConnectionRegistry"/>, the node's truth. While the backplane is
/// up, sends go through Redis as usual (which also delivers them here). The moment Redis fails, the backplane
/// instance is dropped and sends go to this node's connections only. When Redis is back,
/// <see cref="BackplaneRecoveryLoop"/> builds a fresh backplane on a fresh connection, subscribes every open
/// connection and group to it, and only then switches sends back: no half-subscribed state survives an outage.
/// Clients on other nodes recover what they missed meanwhile from history.
/// </para>
/// </summary>
public sealed class ResilientRedisHubLifetimeManager<THub> : HubLifetimeManager<THub>, ILocalRoomBroadcast, IDisposable
    where THub : Hub
{
    private readonly IndexedHubLifetimeManager<THub> _local;
    private readonly ConcurrentDictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly RedisConnection _redis;
    private readonly ConnectionRegistry _registry;
    private readonly BackplaneStatus _status;
    private readonly ILogger<ResilientRedisHubLifetimeManager<THub>> _logger;
    private readonly ILogger<RedisHubLifetimeManager<THub>> _backplaneLogger;
    private readonly IHubProtocolResolver _protocols;
    private readonly IOptions<HubOptions> _globalHubOptions;
    private readonly IOptions<HubOptions<THub>> _hubOptions;
    private Backplane? _backplane;

    public ResilientRedisHubLifetimeManager(
        RedisConnection redis,
        ConnectionRegistry registry,
        BackplaneStatus status,
        IHubProtocolResolver protocols,
        IOptions<HubOptions> globalHubOptions,
        IOptions<HubOptions<THub>> hubOptions,
        ILoggerFactory loggerFactory)
    {
        _redis = redis;
        _registry = registry;
        _status = status;
        _protocols = protocols;
        _globalHubOptions = globalHubOptions;
        _hubOptions = hubOptions;
        _logger = loggerFactory.CreateLogger<ResilientRedisHubLifetimeManager<THub>>();
        _backplaneLogger = loggerFactory.CreateLogger<RedisHubLifetimeManager<THub>>();
        _local = new IndexedHubLifetimeManager<THub>(registry, loggerFactory.CreateLogger<DefaultHubLifetimeManager<THub>>());
    }

    /// <summary>Whether sends reach the other nodes now.</summary>
    public bool IsBackplaneActive => Volatile.Read(ref _backplane) is { Active: true };

    /// <summary>
    /// Builds a backplane on a new Redis connection and subscribes every open connection and its groups to it.
    /// Returns false when Redis cannot be reached yet; any failure on the way drops the new backplane again.
    /// </summary>
    public async Task<bool> TryConnectBackplaneAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _backplane) is not null)
        {
            return true;
        }

        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await _redis.ConnectBackplaneAsync();
        }
        catch (RedisException)
        {
            _status.Connected = false;
            return false;
        }

        var backplane = new Backplane(CreateManager(multiplexer), multiplexer);
        multiplexer.ConnectionFailed += (_, e) => Drop(backplane, e.Exception);
        if (!multiplexer.IsConnected || Interlocked.CompareExchange(ref _backplane, backplane, null) is not null)
        {
            backplane.Dispose();
            return false;
        }

        // From here on, every membership change applies to the new backplane too; connections that opened before it
        // are subscribed one by one, each under its own gate so that no change can slip in between.
        try
        {
            foreach (var connection in _connections.Values)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await connection.Gate.WaitAsync(cancellationToken);
                try
                {
                    await SubscribeAsync(connection, backplane, _registry);
                }
                finally
                {
                    connection.Gate.Release();
                }
            }
        }
        catch (Exception exception)
        {
            Drop(backplane, exception);
            if (exception is OperationCanceledException)
            {
                throw;
            }

            return false;
        }

        if (Volatile.Read(ref _backplane) != backplane)
        {
            return false;
        }

        backplane.Active = true;
        _status.Connected = true;
        ChatLog.BackplaneConnected(_logger, _connections.Count);
        return true;
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var local = new LocalConnection(connection);
        _connections[connection.ConnectionId] = local;
        await _local.OnConnectedAsync(connection);
        await local.Gate.WaitAsync();
        try
        {
            await ChangeMembershipAsync(local, _ => Task.CompletedTask);
        }
        finally
        {
            local.Gate.Release();
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out var local);
        await _local.OnDisconnectedAsync(connection);
        if (local is null)
        {
            return;
        }

        await local.Gate.WaitAsync();
        try
        {
            local.Closed = true;
            if (local.SubscribedTo is { } backplane && backplane == Volatile.Read(ref _backplane))
            {
                await OnBackplaneAsync(backplane, () => backplane.Manager.OnDisconnectedAsync(connection));
            }
        }
        finally
        {
            local.Gate.Release();
        }
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeGroupAsync(connectionId, groupName, join: true, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeGroupAsync(connectionId, groupName, join: false, cancellationToken);

    /// <summary>To this node's connections in the group only: SignalR's in-process manager holds them all.</summary>
    public Task SendAsync(IReadOnlyList<string> connectionIds, string method, object?[] arguments, CancellationToken cancellationToken = default) =>
        _local.SendConnectionsAsync(connectionIds, method, arguments, cancellationToken);

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendAllAsync(methodName, args, cancellationToken), m => m.SendAllAsync(methodName, args, cancellationToken));

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken), m => m.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendConnectionAsync(connectionId, methodName, args, cancellationToken), m => m.SendConnectionAsync(connectionId, methodName, args, cancellationToken));

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken), m => m.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken));

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendGroupAsync(groupName, methodName, args, cancellationToken), m => m.SendGroupAsync(groupName, methodName, args, cancellationToken));

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendGroupsAsync(groupNames, methodName, args, cancellationToken), m => m.SendGroupsAsync(groupNames, methodName, args, cancellationToken));

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken), m => m.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendUserAsync(userId, methodName, args, cancellationToken), m => m.SendUserAsync(userId, methodName, args, cancellationToken));

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(m => m.SendUsersAsync(userIds, methodName, args, cancellationToken), m => m.SendUsersAsync(userIds, methodName, args, cancellationToken));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _backplane, null) is { } backplane)
        {
            backplane.Dispose();
        }
    }

    private async Task ChangeGroupAsync(string connectionId, string groupName, bool join, CancellationToken cancellationToken)
    {
        Task Change(HubLifetimeManager<THub> manager) => join
            ? manager.AddToGroupAsync(connectionId, groupName, cancellationToken)
            : manager.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

        if (!_connections.TryGetValue(connectionId, out var local))
        {
            // Another node's connection: only the backplane can reach it.
            if (Volatile.Read(ref _backplane) is { } backplane)
            {
                await OnBackplaneAsync(backplane, () => Change(backplane.Manager));
            }

            return;
        }

        await local.Gate.WaitAsync(cancellationToken);
        try
        {
            await Change(_local);
            await ChangeMembershipAsync(local, Change);
        }
        finally
        {
            local.Gate.Release();
        }
    }

    private RedisHubLifetimeManager<THub> CreateManager(IConnectionMultiplexer multiplexer) =>
        new(_backplaneLogger,
            Options.Create(new RedisOptions { ConnectionFactory = _ => Task.FromResult(multiplexer) }),
            _protocols,
            _globalHubOptions,
            _hubOptions);

    /// <summary>
    /// Sends through Redis while the backplane is active; otherwise, or when Redis fails this very send, to this
    /// node's connections. The Redis send is started before anything is awaited, so sends keep their call order.
    /// </summary>
    private Task SendAsync(Func<HubLifetimeManager<THub>, Task> throughRedis, Func<HubLifetimeManager<THub>, Task> locally)
    {
        if (Volatile.Read(ref _backplane) is not { Active: true } backplane)
        {
            return locally(_local);
        }

        Task publishing;
        try
        {
            publishing = throughRedis(backplane.Manager);
        }
        catch (Exception exception) when (IsBackplaneFailure(exception))
        {
            Drop(backplane, exception);
            return locally(_local);
        }

        return publishing.IsCompletedSuccessfully ? Task.CompletedTask : FallBackAsync(publishing, backplane, locally);
    }

    private async Task FallBackAsync(Task publishing, Backplane backplane, Func<HubLifetimeManager<THub>, Task> locally)
    {
        try
        {
            await publishing;
        }
        catch (Exception exception) when (IsBackplaneFailure(exception))
        {
            Drop(backplane, exception);
            await locally(_local);
        }
    }

    /// <summary>Applies a change to the backplane, subscribing the connection first if it is new to this backplane. Call under the connection's gate.</summary>
    private Task ChangeMembershipAsync(LocalConnection local, Func<HubLifetimeManager<THub>, Task> change)
    {
        if (Volatile.Read(ref _backplane) is not { } backplane)
        {
            return Task.CompletedTask;
        }

        return OnBackplaneAsync(backplane, () => local.SubscribedTo == backplane ? change(backplane.Manager) : SubscribeAsync(local, backplane, _registry));
    }

    /// <summary>
    /// Registers the connection and all its rooms with the backplane. Call under the connection's gate. The registry
    /// records a join before its group is added and a leave before its group is removed, so a room read here either
    /// is subscribed now or has its own change waiting on the gate.
    /// </summary>
    private static async Task SubscribeAsync(LocalConnection local, Backplane backplane, ConnectionRegistry registry)
    {
        if (local.Closed || local.SubscribedTo == backplane)
        {
            return;
        }

        await backplane.Manager.OnConnectedAsync(local.Context);
        foreach (var group in registry.RoomsOf(local.Context.ConnectionId))
        {
            await backplane.Manager.AddToGroupAsync(local.Context.ConnectionId, group);
        }

        local.SubscribedTo = backplane;
    }

    /// <summary>A membership change the backplane fails is not the caller's failure: this node has it, and the next backplane gets it.</summary>
    private async Task OnBackplaneAsync(Backplane backplane, Func<Task> change)
    {
        try
        {
            await change();
        }
        catch (Exception exception) when (IsBackplaneFailure(exception))
        {
            Drop(backplane, exception);
        }
    }

    private void Drop(Backplane backplane, Exception? exception)
    {
        if (Interlocked.CompareExchange(ref _backplane, null, backplane) != backplane)
        {
            return;
        }

        _status.Connected = false;
        ChatLog.BackplaneDropped(_logger, exception);
        // Disposing waits on Redis; the caller may be a send or Redis's own event thread.
        _ = Task.Run(backplane.Dispose);
    }

    private static bool IsBackplaneFailure(Exception exception) =>
        exception is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>One backplane: a Redis hub lifetime manager on a connection of its own, used once and thrown away.</summary>
    private sealed class Backplane(RedisHubLifetimeManager<THub> manager, IConnectionMultiplexer multiplexer) : IDisposable
    {
        public RedisHubLifetimeManager<THub> Manager { get; } = manager;

        /// <summary>Every open connection is subscribed: sends may go through it.</summary>
        public volatile bool Active;

        public void Dispose()
        {
            try
            {
                Manager.Dispose();
            }
            catch (Exception exception) when (IsBackplaneFailure(exception))
            {
                // Unsubscribing needs Redis; closing the connection below drops the subscriptions all the same.
            }
            finally
            {
                multiplexer.Dispose();
            }
        }
    }

    /// <summary>A connection on this node and the backplane that knows about it.</summary>
    private sealed class LocalConnection(HubConnectionContext context)
    {
        public HubConnectionContext Context { get; } = context;

        /// <summary>Serialises membership changes of this connection with its subscription to a new backplane.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Backplane? SubscribedTo { get; set; }

        public bool Closed { get; set; }
    }
}
