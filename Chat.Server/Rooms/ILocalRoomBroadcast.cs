using Chat.Server.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Rooms;

/// <summary>
/// Sends to this node's own connections in a room, never through the backplane: for what every node tells its own
/// members itself, such as a large room's counts.
/// </summary>
public interface ILocalRoomBroadcast
{
    Task SendAsync(string room, string method, object?[] arguments, CancellationToken cancellationToken = default);
}

/// <summary>A node alone: SignalR's in-process groups are this node's connections.</summary>
internal sealed class InProcessRoomBroadcast(HubLifetimeManager<ChatHub> hubs) : ILocalRoomBroadcast
{
    public Task SendAsync(string room, string method, object?[] arguments, CancellationToken cancellationToken = default) =>
        hubs.SendGroupAsync(room, method, arguments, cancellationToken);
}
