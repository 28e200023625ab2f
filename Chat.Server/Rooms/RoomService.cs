using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Presence;
using Chat.Server.Typing;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Rooms;

/// <summary>Connection lifecycle and live subscriptions: joins and leaves are per connection, announced per user.</summary>
public sealed class RoomService(
    ConnectionRegistry connections,
    IPresenceTracker presence,
    IMessageStore store,
    TypingService typing,
    RoomSubscriptions subscriptions,
    RoomPolicy policy,
    ChangePipeline pipeline,
    UserDirectory users,
    ConversationService conversations,
    MemberAnnouncer announcer,
    IHubContext<ChatHub, IChatClient> hub)
{
    public async Task ConnectedAsync(string connectionId, ChatUser user, CancellationToken cancellationToken = default)
    {
        connections.Add(connectionId, user, out var firstHere);
        await users.SeenAsync(user, cancellationToken);
        if (await presence.ConnectAsync(user, connectionId, firstHere, cancellationToken))
        {
            await announcer.PresenceChangedAsync(await presence.GetRoomsOfUserAsync(user.Id, cancellationToken), user, PresenceStatus.Online);
        }
    }

    public async Task DisconnectedAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        if (connections.Remove(connectionId) is not { } departure)
        {
            return;
        }

        var user = departure.State.User;
        foreach (var room in departure.Rooms)
        {
            await typing.EndAsync(room, user, cancellationToken);
        }

        var outcome = await presence.DisconnectAsync(departure, cancellationToken);
        foreach (var room in outcome.RoomsLeft)
        {
            await announcer.UserLeftAsync(room, user);
        }

        if (outcome.WentOffline)
        {
            await announcer.PresenceChangedAsync(outcome.RoomsLeft, user, PresenceStatus.Offline);
        }
    }

    /// <summary>
    /// Subscribes the connection, after the policy lets the user in. Joining a public room makes the user a lasting
    /// member (its owner, when the join creates the room) through the change pipeline, without an event of the log.
    /// </summary>
    public async Task<JoinResult> JoinAsync(string connectionId, RoomName room, CancellationToken cancellationToken = default)
    {
        var state = connections.Get(connectionId);
        if (!state.IsIn(room))
        {
            // Before anything is stored: a refused join leaves no trace. Only this connection's own calls (one at a
            // time) add rooms to it, so the check still holds when it joins below.
            if (state.Rooms.Count >= ChatLimits.MaxRoomsPerConnection)
            {
                throw TooManyRooms();
            }

            await AdmitAsync(state.User, room, cancellationToken);
        }

        var (outcome, firstHere) = state.TryJoin(room, ChatLimits.MaxRoomsPerConnection);
        if (outcome == ConnectionRegistry.JoinOutcome.TooManyRooms)
        {
            throw TooManyRooms();
        }

        if (outcome == ConnectionRegistry.JoinOutcome.Joined)
        {
            // Into the group before reading history: a message committed from now on arrives live, possibly also in
            // recentMessages; clients de-duplicate by sequence.
            try
            {
                await hub.Groups.AddToGroupAsync(connectionId, room, cancellationToken);
            }
            catch
            {
                // Not in the group (e.g. the Redis backplane is unreachable): not joined either, so a retry can succeed.
                state.Leave(room);
                throw;
            }

            if (await presence.JoinAsync(room, state.User, connectionId, firstHere, cancellationToken))
            {
                await announcer.UserJoinedAsync(room, state.User, connectionId);
            }
        }

        var present = await presence.GetMembersAsync(room, ChatLimits.MaxPresenceListed, cancellationToken);
        // The counters before the messages: a change in between shows in the messages and arrives again, never neither.
        var (counters, recent) = await store.GetJoinViewAsync(room, cancellationToken);
        return new JoinResult(
            room, CallerFirst(present.Members, state.User), recent, recent.Length > 0 ? recent[^1].Sequence : 0, counters.LastEventSequence,
            Math.Max(present.Count, 1));
    }

    /// <summary>
    /// Lets the user into the room for good, after the policy lets them in: a public room makes them a lasting member
    /// (its owner, when this creates it); a private or direct room admits only its members. Harmless when they are one.
    /// </summary>
    public async Task AdmitAsync(ChatUser user, RoomName room, CancellationToken cancellationToken = default)
    {
        var facts = (await policy.AuthorizeAsync(user, room, RoomAction.Join, cancellationToken: cancellationToken))!;
        if (facts.Kind is null && room.IsDirectName)
        {
            throw new ChatException(ChatErrorCodes.Forbidden, $"room names starting with '{ChatLimits.DirectRoomPrefix}' are kept for direct conversations");
        }

        if (facts.Kind is null or RoomKinds.Public && facts.Member is null)
        {
            await pipeline.SubmitAsync(new JoinRequest(room, user), cancellationToken);
        }
    }

    public Task LeaveAsync(string connectionId, RoomName room, CancellationToken cancellationToken = default) =>
        subscriptions.LeaveAsync(connectionId, connections.Get(connectionId), room, cancellationToken);

    /// <summary>Public rooms with members or history, and the private and direct rooms the caller is a member of.</summary>
    public async Task<RoomSummary[]> ListRoomsAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        var hidden = await conversations.HiddenRoomsAsync(connections.Get(connectionId).User.Id, cancellationToken);
        var counts = await presence.GetMemberCountsAsync(cancellationToken);
        var counters = await store.GetRoomCountersAsync(cancellationToken);
        return [.. counts.Keys.Union(counters.Keys)
            .Where(room => !hidden.Contains(room))
            .Order(StringComparer.Ordinal)
            .Select(room =>
            {
                var roomCounters = counters.GetValueOrDefault(room);
                return new RoomSummary(room, counts.GetValueOrDefault(room), roomCounters.LastSequence, roomCounters.LastEventSequence);
            })];
    }

    public async Task<UserPresence[]> GetPresenceAsync(string connectionId, RoomName room, CancellationToken cancellationToken = default)
    {
        var state = connections.Get(connectionId);
        await policy.AuthorizeAsync(state.User, room, RoomAction.Read, state, cancellationToken);
        return (await presence.GetMembersAsync(room, ChatLimits.MaxPresenceListed, cancellationToken)).Members;
    }

    /// <summary>The caller heads the list of a room they just joined, whichever users the store listed first.</summary>
    private static UserPresence[] CallerFirst(UserPresence[] members, ChatUser caller)
    {
        var others = members.Where(m => m.UserId != caller.Id);
        return [new UserPresence(caller.Id, caller.Name, PresenceStatus.Online), .. others.Take(ChatLimits.MaxPresenceListed - 1)];
    }

    private static ChatException TooManyRooms() =>
        new(ChatErrorCodes.TooManyRooms, $"a connection may be in at most {ChatLimits.MaxRoomsPerConnection} rooms; leave one first");
}
