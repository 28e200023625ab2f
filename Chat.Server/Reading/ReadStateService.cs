using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.Reading;

/// <summary>
/// <c>MarkRead</c> and read receipts. A moved pointer is announced to every connection of its user (every node) and,
/// in rooms small enough for receipts, to the room; what a post does to its sender's pointer is the change pipeline's.
/// </summary>
public sealed class ReadStateService(
    ConnectionRegistry connections,
    RoomPolicy policy,
    ReadPointerWriter writer,
    IDbContextFactory<ChatDbContext> contexts,
    IHubContext<ChatHub, IChatClient> hub,
    IOptions<ReadStateOptions> options,
    ILogger<ReadStateService> logger)
{
    public async Task<ReadState> MarkReadAsync(string connectionId, RoomName room, long sequence, CancellationToken cancellationToken = default)
    {
        if (sequence < 0)
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, "sequence is 0 or more");
        }

        var user = connections.Get(connectionId).User;
        var facts = await policy.AuthorizeAsync(user, room, RoomAction.Read, cancellationToken: cancellationToken);
        if (facts?.Member is null)
        {
            throw new ChatException(ChatErrorCodes.NotAMember, "only the room's members have a read pointer in it: join it first");
        }

        var moved = sequence > facts.Member.LastReadSequence && await writer.MoveAsync(room, user.Id, sequence, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var state = await ReadStateAsync(db, user.Id, room, cancellationToken);
        if (moved)
        {
            await AnnounceAsync(db, state, facts.Member, cancellationToken);
        }

        return state.State;
    }

    public async Task<ReadReceipt[]> GetReadReceiptsAsync(string connectionId, RoomName room, CancellationToken cancellationToken = default)
    {
        var connection = connections.Get(connectionId);
        await policy.AuthorizeAsync(connection.User, room, RoomAction.Read, connection, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var max = options.Value.ReceiptsMaxMembers;
        var members = await db.Members.AsNoTracking()
            .Where(m => m.Room == room)
            .OrderBy(m => m.UserId)
            .Take(max + 1)
            .ToListAsync(cancellationToken);
        return members.Count > max ? [] : [.. members.Select(ToReceipt)];
    }

    private static async Task<RoomReadState> ReadStateAsync(ChatDbContext db, string userId, string room, CancellationToken cancellationToken)
    {
        var states = await ReadStateQueries.ReadStatesAsync(db, userId, room, cancellationToken);
        return states.TryGetValue(room, out var state)
            ? state
            : throw new ChatException(ChatErrorCodes.NotAMember, "only the room's members have a read pointer in it: join it first");
    }

    /// <summary>Sent without waiting for the clients: a slow connection must not hold up the mark.</summary>
    private async Task AnnounceAsync(ChatDbContext db, RoomReadState read, MemberRecord member, CancellationToken cancellationToken)
    {
        var state = read.State;
        Observe(hub.Clients.User(member.UserId).ReadStateChanged(state), state.Room);
        if (await HasReceiptsAsync(db, state.Room, cancellationToken))
        {
            var receipt = new ReadReceipt(state.Room, member.UserId, member.UserName, state.LastReadSequence, read.LastReadAt ?? member.JoinedAt);
            Observe(hub.Clients.Group(state.Room).ReadReceiptChanged(receipt), state.Room);
        }
    }

    private async Task<bool> HasReceiptsAsync(ChatDbContext db, string room, CancellationToken cancellationToken)
    {
        var max = options.Value.ReceiptsMaxMembers;
        return await db.Members.AsNoTracking().Where(m => m.Room == room).Take(max + 1).CountAsync(cancellationToken) <= max;
    }

    private static ReadReceipt ToReceipt(MemberRecord member) =>
        new(member.Room, member.UserId, member.UserName, member.LastReadSequence, member.LastReadAt ?? member.JoinedAt);

    private void Observe(Task sending, string room) =>
        Sends.Observe(sending, exception => ChatLog.ReadStateBroadcastFailed(logger, room, exception));
}
