using Chat.Server.History;
using Chat.Server.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.Conversations;

/// <summary>
/// The authorization point of every call that reads or enters a room (hub and HTTP alike): reads what the store
/// says of the caller in the room and applies <see cref="RoomRules"/>. Changes are decided again by the change
/// pipeline on the rows its transaction holds.
/// </summary>
public sealed class RoomPolicy(IDbContextFactory<ChatDbContext> contexts, IOptions<AdminOptions> admins, TimeProvider time)
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

    public bool IsAdmin(string userId) => admins.Value.IsAdmin(userId);

    private async Task<RoomFacts> ReadFactsAsync(string userId, string room, CancellationToken cancellationToken)
    {
        var isAdmin = admins.Value.IsAdmin(userId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var kind = await db.Rooms.AsNoTracking().Where(r => r.Name == room).Select(r => r.Kind).FirstOrDefaultAsync(cancellationToken);
        if (kind is null)
        {
            return new RoomFacts(null, null, null, isAdmin);
        }

        var member = await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Room == room && m.UserId == userId, cancellationToken);
        // A ban removes the membership, and nobody banned can join or be added: a member has no ban to read.
        var ban = member is null
            ? await db.Bans.AsNoTracking().FirstOrDefaultAsync(b => b.Room == room && b.UserId == userId, cancellationToken)
            : null;
        return new RoomFacts(kind, member, ban, isAdmin);
    }
}
