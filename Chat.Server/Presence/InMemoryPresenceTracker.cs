using Chat.Server.Rooms;

namespace Chat.Server.Presence;

/// <summary>Presence for a single node: the node is the whole deployment, so its registry's verdicts are final.</summary>
internal sealed class InMemoryPresenceTracker(ConnectionRegistry connections) : IPresenceTracker
{
    public ValueTask<bool> ConnectAsync(ChatUser user, string connectionId, bool firstHere, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(firstHere);

    public ValueTask<DisconnectOutcome> DisconnectAsync(ConnectionRegistry.Departure departure, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new DisconnectOutcome(departure.WentOffline, departure.RoomsLeft));

    public ValueTask<bool> JoinAsync(string room, ChatUser user, string connectionId, bool firstHere, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(firstHere);

    public ValueTask<bool> LeaveAsync(string room, ChatUser user, string connectionId, bool lastHere, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(lastHere);

    public ValueTask<RoomPresence> GetMembersAsync(string room, int limit, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(connections.UsersIn(room, limit));

    public ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, int>>(connections.UserCountsByRoom());

    public ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(IReadOnlyCollection<string> rooms, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(connections.UserCountsIn(rooms));

    public ValueTask<IReadOnlyDictionary<string, int>> ShareTypingCountsAsync(IReadOnlyDictionary<string, int> typingHere, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(typingHere);

    public ValueTask<IReadOnlyList<string>> GetRoomsOfUserAsync(string userId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(connections.RoomsOfUser(userId));
}
