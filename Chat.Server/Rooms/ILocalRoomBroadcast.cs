using Chat.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Rooms;

/// <summary>
/// Sends to connections of this node, never through the backplane: for what every node tells its own members itself,
/// such as a large room's counts.
/// </summary>
public interface ILocalRoomBroadcast
{
    Task SendAsync(IReadOnlyList<string> connectionIds, string method, object?[] arguments, CancellationToken cancellationToken = default);
}

/// <summary>A node alone: SignalR's in-process connections are this node's.</summary>
internal sealed class InProcessRoomBroadcast(HubLifetimeManager<ChatHub> hubs) : ILocalRoomBroadcast
{
    public Task SendAsync(IReadOnlyList<string> connectionIds, string method, object?[] arguments, CancellationToken cancellationToken = default) =>
        hubs.SendConnectionsAsync(connectionIds, method, arguments, cancellationToken);
}
