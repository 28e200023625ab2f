using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Server.Hubs;

/// <summary>
/// SignalR's in-process lifetime manager, with the node's connections kept by connection id and by user id. The
/// default one sends to a user, or to a list of connections, by testing every connection of the node against it, so
/// each <c>ReadStateChanged</c>, notification or member event cost the node's whole connection count, and each slice
/// of a large room's <c>RoomActivity</c> (<see cref="Rooms.ILocalRoomBroadcast"/>) that count times the slice. Here a
/// send costs the connections it reaches. The Redis backplane keeps its own per-user subscriptions; this is the single
/// node's manager and the cluster's local fallback.
/// </summary>
public sealed class IndexedHubLifetimeManager<THub>(ILogger<DefaultHubLifetimeManager<THub>> logger) : DefaultHubLifetimeManager<THub>(logger)
    where THub : Hub
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _byId = new(StringComparer.Ordinal);
    private readonly Lock _usersLock = new();

    // Replaced, never changed in place, under the lock: a send reads a user's connections without taking it.
    private readonly ConcurrentDictionary<string, HubConnectionContext[]> _byUser = new(StringComparer.Ordinal);

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await base.OnConnectedAsync(connection);
        _byId[connection.ConnectionId] = connection;
        if (connection.UserIdentifier is { } user)
        {
            lock (_usersLock)
            {
                _byUser[user] = _byUser.TryGetValue(user, out var others) ? [.. others, connection] : [connection];
            }
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _byId.TryRemove(connection.ConnectionId, out _);
        if (connection.UserIdentifier is { } user)
        {
            lock (_usersLock)
            {
                if (_byUser.TryGetValue(user, out var connections))
                {
                    var rest = Array.FindAll(connections, c => c != connection);
                    if (rest.Length == 0)
                    {
                        _byUser.TryRemove(user, out _);
                    }
                    else
                    {
                        _byUser[user] = rest;
                    }
                }
            }
        }

        await base.OnDisconnectedAsync(connection);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _byUser.TryGetValue(userId, out var connections) ? SendAsync(connections, methodName, args, cancellationToken) : Task.CompletedTask;

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync([.. userIds.Distinct(StringComparer.Ordinal).SelectMany(user => _byUser.TryGetValue(user, out var ofUser) ? ofUser : [])], methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var connections = new List<HubConnectionContext>(connectionIds.Count);
        foreach (var id in connectionIds.Distinct(StringComparer.Ordinal))
        {
            if (_byId.TryGetValue(id, out var connection))
            {
                connections.Add(connection);
            }
        }

        return SendAsync(connections, methodName, args, cancellationToken);
    }

    /// <summary>As the default manager writes to many connections: the message serialized once per protocol, every write started at once.</summary>
    private static Task SendAsync(IReadOnlyList<HubConnectionContext> connections, string methodName, object?[] args, CancellationToken cancellationToken)
    {
        if (connections.Count == 0)
        {
            return Task.CompletedTask;
        }

        var message = new SerializedHubMessage(new InvocationMessage(methodName, args));
        List<Task>? pending = null;
        foreach (var connection in connections)
        {
            var write = connection.WriteAsync(message, cancellationToken);
            if (!write.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(write.AsTask());
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }
}
