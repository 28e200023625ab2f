using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.Conversations;

/// <summary>
/// The authorization point of every call that reads or enters a room (hub and HTTP alike): reads what the store
/// says of the caller in the room and applies <see cref="RoomRules"/>. Changes are decided again by the change
/// pipeline on the rows its transaction holds.
/// </summary>
public sealed class RoomPolicy(PreparedReads reads, StoreReadGate gate, IOptions<AdminOptions> admins, TimeProvider time)
{
    /// <summary>
    /// Returns what is known of the caller in the room, or throws the refusal (<c>forbidden</c>, <c>banned</c>,
    /// <c>muted</c>). A connection that has joined the room may read it without a store read: it was let in by this
    /// policy, and a removal ends its subscription on every node.
    /// </summary>
    public async Task<RoomFacts?> AuthorizeAsync(ChatUser user, RoomName room, RoomAction action, ConnectionRegistry.ConnectionState? connection = null, CancellationToken cancellationToken = default)
    {
        if (action == RoomAction.Read && connection?.IsIn(room) == true)
        {
            return null;
        }

        var facts = await ReadFactsAsync(user.Id, room, cancellationToken);
        if (RoomRules.Check(facts, action, time.GetUtcNow().UtcDateTime) is { } refused)
        {
            throw refused;
        }

        return facts;
    }

    /// <summary>
    /// Returns the user when the caller may change things in the room: a connection that has joined it (no store read:
    /// it was let in by this policy, and a removal ends its subscription), or a caller without a connection who is a
    /// lasting member. Anyone else learns why not: the refusal first (a private room, a ban), else that they must join.
    /// </summary>
    public async ValueTask<ChatUser> AuthorizeMemberAsync(ChatCaller caller, RoomName room, CancellationToken cancellationToken = default)
    {
        if (caller.Connection?.IsIn(room) == true)
        {
            return caller.User;
        }

        var facts = await AuthorizeAsync(caller.User, room, RoomAction.Read, cancellationToken: cancellationToken);
        return caller.Connection is null && facts?.Member is not null
            ? caller.User
            : throw new ChatException(ChatErrorCodes.NotAMember, $"join '{room}' before changing anything in it");
    }

    public bool IsAdmin(string userId) => admins.Value.IsAdmin(userId);

    private async Task<RoomFacts> ReadFactsAsync(string userId, string room, CancellationToken cancellationToken)
    {
        var isAdmin = admins.Value.IsAdmin(userId);
        using var turn = await gate.EnterAsync(cancellationToken);
        var facts = await reads.ReadFactsAsync(room, userId, cancellationToken);
        return new RoomFacts(facts.Kind, facts.Member, facts.Ban, isAdmin);
    }
}
