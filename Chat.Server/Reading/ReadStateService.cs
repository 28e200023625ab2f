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
    PreparedReads reads,
    StoreReadGate gate,
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

        // A connection that has joined the room was let in by the policy (a ban or removal ends its subscription), so
        // it marks without a store read of its rights; the pointer's own update finds whether it is a member, and a
        // mark that changes nothing is found there too.
        var connection = connections.Get(connectionId);
        var user = connection.User;
        if (await policy.AuthorizeAsync(user, room, RoomAction.Read, connection, cancellationToken) is { Member: null })
        {
            throw NotAMember();
        }

        var moved = await writer.MoveAsync(room, user.Id, sequence, cancellationToken);
        var state = await ReadStateAsync(user.Id, room, cancellationToken);
        if (moved)
        {
            Announce(state, user);
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

    private async Task<RoomReadState> ReadStateAsync(string userId, string room, CancellationToken cancellationToken)
    {
        using var turn = await gate.EnterAsync(cancellationToken);
        return await reads.ReadRowAsync<RoomReadState?>(ReadStateQueries.OneRoomSql, [("user", userId), ("room", room)], ReadStateQueries.Read, null, cancellationToken)
            ?? throw NotAMember();
    }

    /// <summary>Sent without waiting for the clients: a slow connection must not hold up the mark.</summary>
    private void Announce(RoomReadState read, ChatUser user)
    {
        var state = read.State;
        Observe(hub.Clients.User(user.Id).ReadStateChanged(state), state.Room);
        if (read.MemberCount <= options.Value.ReceiptsMaxMembers)
        {
            var receipt = new ReadReceipt(state.Room, user.Id, user.Name, state.LastReadSequence, read.LastReadAt!.Value);
            Observe(hub.Clients.Group(state.Room).ReadReceiptChanged(receipt), state.Room);
        }
    }

    private static ChatException NotAMember() =>
        new(ChatErrorCodes.NotAMember, "only the room's members have a read pointer in it: join it first");

    private static ReadReceipt ToReceipt(MemberRecord member) =>
        new(member.Room, member.UserId, member.UserName, member.LastReadSequence, member.LastReadAt ?? member.JoinedAt);

    private void Observe(Task sending, string room) =>
        Sends.Observe(sending, exception => ChatLog.ReadStateBroadcastFailed(logger, room, exception));
}
