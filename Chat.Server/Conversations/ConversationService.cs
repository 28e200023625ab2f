using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Reading;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Conversations;

/// <summary>
/// Rooms as conversations: creating them, direct rooms, settings, members, roles and moderation. Checks the form of
/// each request here; who may do it is decided by <see cref="RoomRules"/> in the change pipeline, on what is stored.
/// </summary>
public sealed class ConversationService(
    ConnectionRegistry connections,
    ChangePipeline pipeline,
    SendRateLimiter rateLimiter,
    RoomPolicy policy,
    IRoomEvictions evictions,
    IMessageStore store,
    IDbContextFactory<ChatDbContext> contexts,
    StoreReadGate gate,
    TimeProvider time)
{
    public async Task<RoomInfo> CreateRoomAsync(string connectionId, CreateRoomRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw Invalid("CreateRoom needs a request");
        }

        var room = RoomName.Parse(request.Room);
        if (room.IsDirectName)
        {
            throw new ChatException(ChatErrorCodes.Forbidden, $"room names starting with '{ChatLimits.DirectRoomPrefix}' are kept for direct conversations");
        }

        if (request.Kind is not (RoomKinds.Public or RoomKinds.Private))
        {
            throw Invalid("kind is 'public' or 'private' (direct rooms are opened with OpenDirect)");
        }

        var user = connections.Get(connectionId).User;
        var members = ValidUserIds(request.MemberIds).Where(id => id != user.Id).ToArray();
        var change = new NewRoomRequest(room, user, request.Kind, ValidTitle(request.Title), ValidTopic(request.Topic), members);
        return (await SubmitAsync(change, cancellationToken)).Room!;
    }

    public async Task<RoomInfo> OpenDirectAsync(string connectionId, string? userId, CancellationToken cancellationToken = default)
    {
        var user = connections.Get(connectionId).User;
        var other = ValidUserId(userId);
        if (other == user.Id)
        {
            throw Invalid("a direct conversation is between two different users");
        }

        var change = new DirectRoomRequest(DirectRooms.NameFor(user.Id, other), user, other);
        return (await SubmitAsync(change, cancellationToken)).Room!;
    }

    public async Task<RoomInfo> UpdateRoomAsync(string connectionId, RoomName room, UpdateRoomRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null)
        {
            throw Invalid("UpdateRoom needs a request");
        }

        if (request.SlowModeSeconds is < 0 or > ChatLimits.MaxSlowModeSeconds)
        {
            throw Invalid($"slowModeSeconds is 0-{ChatLimits.MaxSlowModeSeconds}");
        }

        var change = new RoomSettingsRequest(
            room, connections.Get(connectionId).User, ValidTitle(request.Title), ValidTopic(request.Topic), request.SlowModeSeconds);
        return (await SubmitAsync(change, cancellationToken)).Room!;
    }

    public async Task<RoomMember> AddMemberAsync(string connectionId, RoomName room, string? userId, CancellationToken cancellationToken = default) =>
        (await ChangeMemberAsync(connectionId, room, MemberChange.Add, userId, cancellationToken: cancellationToken)).Member!;

    public async Task RemoveMemberAsync(string connectionId, RoomName room, string? userId, CancellationToken cancellationToken = default) =>
        await ChangeMemberAsync(connectionId, room, MemberChange.Remove, userId, cancellationToken: cancellationToken);

    public async Task<RoomMember> SetMemberRoleAsync(string connectionId, RoomName room, string? userId, string? role, CancellationToken cancellationToken = default)
    {
        if (!RoomRules.IsValidRole(role))
        {
            throw Invalid("role is 'owner', 'moderator' or 'member'");
        }

        return (await ChangeMemberAsync(connectionId, room, MemberChange.Role, userId, c => c with { Role = role }, cancellationToken)).Member!;
    }

    public async Task BanMemberAsync(string connectionId, RoomName room, string? userId, DateTime? until, string? reason, CancellationToken cancellationToken = default)
    {
        var end = until?.ToUniversalTime();
        if (end <= time.GetUtcNow().UtcDateTime)
        {
            throw Invalid("a ban ends in the future (or never: leave 'until' empty)");
        }

        if (reason is { Length: > ChatLimits.MaxBanReasonLength } || !ChatRules.IsStorableText(reason))
        {
            throw Invalid($"a ban's reason is at most {ChatLimits.MaxBanReasonLength} characters of well-formed text");
        }

        await ChangeMemberAsync(
            connectionId, room, MemberChange.Ban, userId, c => c with { Until = end, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim() }, cancellationToken);
    }

    public async Task UnbanMemberAsync(string connectionId, RoomName room, string? userId, CancellationToken cancellationToken = default) =>
        await ChangeMemberAsync(connectionId, room, MemberChange.Unban, userId, cancellationToken: cancellationToken);

    public async Task<RoomMember> MuteMemberAsync(string connectionId, RoomName room, string? userId, DateTime? until, CancellationToken cancellationToken = default) =>
        (await ChangeMemberAsync(connectionId, room, MemberChange.Mute, userId, c => c with { Until = until?.ToUniversalTime() }, cancellationToken)).Member!;

    public async Task<RoomMember[]> GetMembersAsync(string connectionId, RoomName room, string? afterUserId, int limit, CancellationToken cancellationToken = default)
    {
        if (limit < 1 || limit > ChatLimits.MaxMembersPage)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {ChatLimits.MaxMembersPage}");
        }

        var state = connections.Get(connectionId);
        await policy.AuthorizeAsync(state.User, room, RoomAction.Read, state, cancellationToken);
        using var turn = await gate.EnterAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Members.AsNoTracking().Where(m => m.Room == room.Value);
        if (!string.IsNullOrEmpty(afterUserId))
        {
            query = query.Where(m => string.Compare(m.UserId, afterUserId) > 0);
        }

        var page = await query.OrderBy(m => m.UserId).Take(limit).ToListAsync(cancellationToken);
        return [.. page.Select(m => m.ToMember())];
    }

    /// <summary>The caller's rooms, newest activity first (the last message, or when they became a member).</summary>
    public async Task<MyRoom[]> ListMyRoomsAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        var userId = connections.Get(connectionId).User.Id;
        var (mine, directMembers, readStates) = await gate.ReadAsync(
            async () =>
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var mine = await db.Members.AsNoTracking()
                    .Where(m => m.UserId == userId)
                    .Join(db.Rooms.AsNoTracking(), m => m.Room, r => r.Name, (m, r) => new { Member = m, Room = r })
                    .ToListAsync(cancellationToken);
                var directNames = mine.Where(x => x.Room.Kind == RoomKinds.Direct).Select(x => x.Room.Name).ToList();
                var directMembers = (directNames.Count == 0
                    ? []
                    : await db.Members.AsNoTracking().Where(m => directNames.Contains(m.Room)).ToListAsync(cancellationToken)).ToLookup(m => m.Room);
                var readStates = await ReadStateQueries.ReadStatesAsync(db, userId, cancellationToken);
                return (mine, directMembers, readStates);
            },
            cancellationToken);
        // Out of the turn above: the store takes its own (one holder never waits for a second turn).
        var lastMessages = await store.GetMessagesAtAsync(
            mine.Where(x => x.Room.LastSequence > 0).ToDictionary(x => x.Room.Name, x => x.Room.LastSequence), cancellationToken);

        return [.. mine
            .Select(x =>
            {
                var members = x.Room.Kind == RoomKinds.Direct
                    ? directMembers[x.Room.Name].OrderBy(m => m.UserId, StringComparer.Ordinal).Select(m => m.ToMember()).ToArray()
                    : null;
                var info = ToInfo(x.Room, members);
                var lastMessage = lastMessages.GetValueOrDefault(x.Room.Name);
                var read = readStates.TryGetValue(x.Room.Name, out var known) ? known.State : new ReadState(x.Room.Name, x.Member.LastReadSequence, 0, 0);
                var room = new MyRoom(info, x.Member.Role, read.LastReadSequence, read.UnreadCount, read.MentionCount, lastMessage);
                return (Room: room, Activity: lastMessage?.SentAt ?? x.Member.JoinedAt);
            })
            .OrderByDescending(r => r.Activity)
            .ThenBy(r => r.Room.Room.Room, StringComparer.Ordinal)
            .Select(r => r.Room)];
    }

    /// <summary>The private and direct rooms the user may not see (none for administrators).</summary>
    public async Task<IReadOnlySet<string>> HiddenRoomsAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (policy.IsAdmin(userId))
        {
            return new HashSet<string>();
        }

        using var turn = await gate.EnterAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hidden = await db.Rooms.AsNoTracking()
            .Where(r => r.Kind != RoomKinds.Public && !db.Members.Any(m => m.Room == r.Name && m.UserId == userId))
            .Select(r => r.Name)
            .ToListAsync(cancellationToken);
        return hidden.ToHashSet(StringComparer.Ordinal);
    }

    private static RoomInfo ToInfo(RoomRecord room, RoomMember[]? members) =>
        new(room.Name, room.Kind, room.Title, room.Topic, room.MemberCount, room.SlowModeSeconds, room.LastSequence, room.LastEventSequence, room.CreatedAt, members);

    /// <summary>A removal is answered once the removed user's connections, on every node, have left the room.</summary>
    private async Task<ChangeResult> ChangeMemberAsync(
        string connectionId, RoomName room, MemberChange kind, string? userId, Func<MemberRequest, MemberRequest>? details = null, CancellationToken cancellationToken = default)
    {
        var change = new MemberRequest(room, connections.Get(connectionId).User, kind, ValidUserId(userId));
        var result = await SubmitAsync(details is null ? change : details(change), cancellationToken);
        foreach (var removed in result.Events.Where(e => e.Type == RoomEventTypes.MemberRemoved))
        {
            // Not the caller's token: the change is stored, and its removal must finish even if the caller goes.
            await evictions.EvictAsync(removed.Room, removed.Member!.UserId, CancellationToken.None);
        }

        return result;
    }

    /// <summary>Membership changes share the sender's rate: a flood of them costs what a flood of messages costs.</summary>
    private Task<ChangeResult> SubmitAsync(ChangeRequest change, CancellationToken cancellationToken) =>
        rateLimiter.TryAcquire(change.Actor.Id)
            ? pipeline.SubmitAsync(change, cancellationToken)
            : throw new ChatException(ChatErrorCodes.RateLimited, "you are making changes too fast; wait a moment and retry");

    /// <summary>An id no user can have is simply unknown.</summary>
    private static string ValidUserId(string? userId) =>
        userId is { Length: > 0 and <= ChatLimits.MaxUserIdLength } && ChatRules.IsStorableText(userId)
            ? userId
            : throw new ChatException(ChatErrorCodes.NotFound, "no such user");

    private static IEnumerable<string> ValidUserIds(string[]? userIds)
    {
        if (userIds is null)
        {
            return [];
        }

        if (userIds.Length > ChatLimits.MaxMembersOnCreate)
        {
            throw Invalid($"a room starts with at most {ChatLimits.MaxMembersOnCreate} members");
        }

        return userIds.Select(ValidUserId).Distinct(StringComparer.Ordinal);
    }

    private static string? ValidTitle(string? title) => title is { Length: > ChatLimits.MaxRoomTitleLength } || !ChatRules.IsStorableText(title)
        ? throw Invalid($"a title is at most {ChatLimits.MaxRoomTitleLength} characters of well-formed text")
        : title;

    private static string? ValidTopic(string? topic) => topic is { Length: > ChatLimits.MaxRoomTopicLength } || !ChatRules.IsStorableText(topic)
        ? throw Invalid($"a topic is at most {ChatLimits.MaxRoomTopicLength} characters of well-formed text")
        : topic;

    private static ChatException Invalid(string message) => new(ChatErrorCodes.InvalidRequest, message);
}
