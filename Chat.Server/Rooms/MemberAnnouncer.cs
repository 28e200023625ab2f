using Chat.Server.Hubs;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Rooms;

/// <summary>
/// The one sender of per-user room events: joins, leaves, presence and typing. A large room gets none of them
/// (<see cref="LargeRooms"/>); its members hear the counts from <see cref="RoomActivityLoop"/> instead.
/// </summary>
public sealed class MemberAnnouncer(LargeRooms large, IHubContext<ChatHub, IChatClient> hub, TimeProvider time)
{
    public Task UserJoinedAsync(string room, ChatUser user, string connectionId) =>
        large.IsLarge(room) ? Task.CompletedTask : hub.Clients.GroupExcept(room, connectionId).UserJoined(new RoomMemberEvent(room, user.Id, user.Name, Now));

    public Task UserLeftAsync(string room, ChatUser user) =>
        large.IsLarge(room) ? Task.CompletedTask : hub.Clients.Group(room).UserLeft(new RoomMemberEvent(room, user.Id, user.Name, Now));

    /// <summary>Tells the small ones of the rooms the user is in that the user came online or went offline.</summary>
    public Task PresenceChangedAsync(IReadOnlyList<string> rooms, ChatUser user, string status)
    {
        List<string> small = [.. rooms.Where(room => !large.IsLarge(room))];
        return small.Count == 0 ? Task.CompletedTask : hub.Clients.Groups(small).PresenceChanged(new PresenceChange(user.Id, user.Name, status, Now));
    }

    /// <summary>A typing state started (to everyone but the typing connection) or ended (to everyone).</summary>
    public Task TypingChangedAsync(string room, ChatUser user, bool isTyping, string? typingConnectionId = null)
    {
        if (large.IsLarge(room))
        {
            return Task.CompletedTask;
        }

        var notice = new TypingNotice(room, user.Id, user.Name, isTyping);
        return typingConnectionId is null ? hub.Clients.Group(room).TypingChanged(notice) : hub.Clients.GroupExcept(room, typingConnectionId).TypingChanged(notice);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
