using System.Collections.Concurrent;
using Chat.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Server.Hubs;

/// <summary>
/// SignalR's in-process lifetime manager, with the node's connections kept by connection id. The default one sends to
/// a user, or to a list of connections, by testing every connection of the node against it, so each
/// <c>ReadStateChanged</c>, notification or member event cost the node's whole connection count, and each slice of a
/// large room's <c>RoomActivity</c> (<see cref="ILocalRoomBroadcast"/>) that count times the slice. Here a send costs
/// the connections it reaches: a user's are the ones <see cref="ConnectionRegistry"/> holds for them. The Redis
/// backplane keeps its own per-user subscriptions; this is the single node's manager and the cluster's local fallback.
/// </summary>
public sealed class IndexedHubLifetimeManager<THub>(ConnectionRegistry registry, ILogger<DefaultHubLifetimeManager<THub>> logger)
    : DefaultHubLifetimeManager<THub>(logger)
    where THub : Hub
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _byId = new(StringComparer.Ordinal);

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await base.OnConnectedAsync(connection);
        _byId[connection.ConnectionId] = connection;
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _byId.TryRemove(connection.ConnectionId, out _);
        await base.OnDisconnectedAsync(connection);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendConnectionsAsync([.. registry.ConnectionsOf(userId).Select(c => c.ConnectionId)], methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendConnectionsAsync([.. userIds.SelectMany(registry.ConnectionsOf).Select(c => c.ConnectionId)], methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        SerializedHubMessage? message = null;
        List<Task>? pending = null;
        foreach (var id in connectionIds.Distinct(StringComparer.Ordinal))
        {
            if (!_byId.TryGetValue(id, out var connection))
            {
                continue;
            }

            // As the default manager does: serialized once per protocol, every write started at once.
            message ??= new SerializedHubMessage(new InvocationMessage(methodName, args));
            var write = connection.WriteAsync(message, cancellationToken);
            if (!write.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(write.AsTask());
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }
}
