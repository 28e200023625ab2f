using Chat.Server.Hubs;
using Chat.Server.Presence;
using Chat.Server.Typing;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Rooms;

/// <summary>Ends a connection's live subscription to a room: by its own <c>LeaveRoom</c>, or because its user was removed.</summary>
public sealed class RoomSubscriptions(
    ConnectionRegistry connections,
    IPresenceTracker presence,
    TypingService typing,
    MemberAnnouncer announcer,
    IHubContext<ChatHub, IChatClient> hub)
{
    public async Task LeaveAsync(string connectionId, ConnectionRegistry.ConnectionState state, RoomName room, CancellationToken cancellationToken = default)
    {
        var (left, lastHere) = state.Leave(room);
        if (!left)
        {
            return;
        }

        await hub.Groups.RemoveFromGroupAsync(connectionId, room, cancellationToken);
        await typing.EndAsync(room, state.User, cancellationToken);
        if (await presence.LeaveAsync(room, state.User, connectionId, lastHere, cancellationToken))
        {
            await announcer.UserLeftAsync(room, state.User);
        }
    }

    /// <summary>Every connection of the user on this node stops receiving the room at once.</summary>
    public async Task EvictAsync(RoomName room, string userId, CancellationToken cancellationToken = default)
    {
        foreach (var state in connections.ConnectionsOf(userId))
        {
            await LeaveAsync(state.ConnectionId, state, room, cancellationToken);
        }
    }
}
