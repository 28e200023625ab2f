using Chat.Server.Cluster;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Server.Presence;

/// <summary>
/// Presence for a cluster, in Redis: one entry per connection, owned by the node that holds it, under the node's
/// lease (<see cref="PresenceLeaseLoop"/>). Every decision (first connection, last connection, first in a room)
/// is one Lua script, so it is exact across nodes.
/// <para>
/// The node's own connections are the truth about the node (<see cref="ConnectionRegistry"/>): that is what it
/// answers from while Redis is unreachable, and what it writes back to Redis when Redis has lost or dropped them
/// (a restart, an outage longer than the lease).
/// </para>
/// </summary>
public sealed class RedisPresenceTracker : IPresenceTracker
{
    private const int ReapBatchSize = 500;

    // Three of RoomActivityLoop's rounds: a node's typists count until it has missed a few.
    private static readonly TimeSpan TypingShareLifetime = TimeSpan.FromSeconds(3);

    private readonly RedisConnection _redis;
    private readonly MemberAnnouncer _announcer;
    private readonly ILogger<RedisPresenceTracker> _logger;
    private readonly ConnectionRegistry _connections;
    private readonly string _prefix;
    private readonly long _leaseMilliseconds;
    private volatile bool _resyncNeeded;
    private volatile bool _draining;
    private int _outageReported;

    public RedisPresenceTracker(
        RedisConnection redis,
        ConnectionRegistry connections,
        IOptions<RedisClusterOptions> options,
        MemberAnnouncer announcer,
        ILogger<RedisPresenceTracker> logger)
    {
        _redis = redis;
        _connections = connections;
        _announcer = announcer;
        _logger = logger;
        _prefix = options.Value.PresenceKeyPrefix;
        _leaseMilliseconds = (long)options.Value.LeaseDuration.TotalMilliseconds;
        NodeId = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    }

    /// <summary>This node's name in Redis: unique per process start, so a restarted node never inherits a dead one's lease.</summary>
    public string NodeId { get; }

    public async ValueTask<bool> ConnectAsync(ChatUser user, string connectionId, bool firstHere, CancellationToken cancellationToken = default)
    {
        try
        {
            return (int)await EvaluateAsync(RedisPresenceScripts.Connect, NodeId, connectionId, user.Id, user.Name, _leaseMilliseconds) == 1;
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(ConnectAsync), exception);
            return firstHere;
        }
    }

    public async ValueTask<DisconnectOutcome> DisconnectAsync(ConnectionRegistry.Departure departure, CancellationToken cancellationToken = default)
    {
        if (_draining)
        {
            // The node is shutting down and its users are reconnecting to other nodes right now. Its entries stay
            // until its lease runs out, so a user back elsewhere by then is never seen leaving or going offline.
            return new DisconnectOutcome(false, []);
        }

        try
        {
            return ToOutcome(await EvaluateAsync(RedisPresenceScripts.Disconnect, departure.State.ConnectionId))?.Outcome ?? new DisconnectOutcome(false, []);
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(DisconnectAsync), exception);
            return new DisconnectOutcome(departure.WentOffline, departure.RoomsLeft);
        }
    }

    public async ValueTask<bool> JoinAsync(string room, ChatUser user, string connectionId, bool firstHere, CancellationToken cancellationToken = default)
    {
        try
        {
            return (int)await EvaluateAsync(RedisPresenceScripts.Join, NodeId, connectionId, user.Id, user.Name, _leaseMilliseconds, room) == 1;
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(JoinAsync), exception);
            return firstHere;
        }
    }

    public async ValueTask<bool> LeaveAsync(string room, ChatUser user, string connectionId, bool lastHere, CancellationToken cancellationToken = default)
    {
        try
        {
            return (int)await EvaluateAsync(RedisPresenceScripts.Leave, connectionId, user.Id, room) == 1;
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(LeaveAsync), exception);
            return lastHere;
        }
    }

    public async ValueTask<RoomPresence> GetMembersAsync(string room, int limit, CancellationToken cancellationToken = default)
    {
        try
        {
            var page = (RedisResult[])(await EvaluateAsync(RedisPresenceScripts.MembersPage, room, limit))!;
            var members = new UserPresence[(page.Length - 1) / 2];
            for (var i = 0; i < members.Length; i++)
            {
                members[i] = new UserPresence((string)page[1 + 2 * i]!, (string)page[2 + 2 * i]!, PresenceStatus.Online);
            }

            return new RoomPresence(members, (int)page[0]);
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(GetMembersAsync), exception);
            return _connections.UsersIn(room, limit);
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var counts = await _redis.Database.HashGetAllAsync(_prefix + "rooms");
            return counts.ToDictionary(c => (string)c.Name!, c => (int)c.Value);
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(GetMemberCountsAsync), exception);
            return _connections.UserCountsByRoom();
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, int>> GetMemberCountsAsync(IReadOnlyCollection<string> rooms, CancellationToken cancellationToken = default)
    {
        if (rooms.Count == 0)
        {
            return new Dictionary<string, int>();
        }

        try
        {
            var counts = await _redis.Database.HashGetAsync(_prefix + "rooms", [.. rooms.Select(room => (RedisValue)room)]);
            return rooms.Zip(counts)
                .Where(pair => pair.Second.HasValue && (int)pair.Second > 0)
                .ToDictionary(pair => pair.First, pair => (int)pair.Second, StringComparer.Ordinal);
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(GetMemberCountsAsync), exception);
            return _connections.UserCountsIn(rooms);
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, int>> ShareTypingCountsAsync(IReadOnlyDictionary<string, int> typingHere, CancellationToken cancellationToken = default)
    {
        if (typingHere.Count == 0)
        {
            return typingHere;
        }

        try
        {
            var rooms = typingHere.Keys.ToArray();
            var totals = (RedisResult[])(await EvaluateAsync(
                RedisPresenceScripts.ShareTyping,
                [NodeId, (long)TypingShareLifetime.TotalMilliseconds, .. rooms.SelectMany(room => new RedisValue[] { room, typingHere[room] })]))!;
            return rooms.Zip(totals).ToDictionary(pair => pair.First, pair => (int)pair.Second, StringComparer.Ordinal);
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(ShareTypingCountsAsync), exception);
            return typingHere;
        }
    }

    public async ValueTask<IReadOnlyList<string>> GetRoomsOfUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        try
        {
            var rooms = (RedisResult[])(await EvaluateAsync(RedisPresenceScripts.RoomsOfUser, userId))!;
            return [.. rooms.Select(r => (string)r!)];
        }
        catch (RedisException exception)
        {
            ReportOutage(nameof(GetRoomsOfUserAsync), exception);
            return _connections.RoomsOfUser(userId);
        }
    }

    /// <summary>The nodes that hold a connection of the user in the room (as Redis knows them).</summary>
    public async Task<IReadOnlyList<string>> GetNodesOfUserInRoomAsync(string room, string userId)
    {
        var nodes = (RedisResult[])(await EvaluateAsync(RedisPresenceScripts.NodesOfUserInRoom, room, userId))!;
        return [.. nodes.Select(n => (string)n!)];
    }

    /// <summary>
    /// Renews this node's lease. When the lease had lapsed (Redis restarted, or another node took this one for dead)
    /// or a write failed during an outage, writes the node's connections back and announces what that changes.
    /// </summary>
    public async Task HeartbeatAsync(CancellationToken cancellationToken = default)
    {
        var lapsed = (int)await EvaluateAsync(RedisPresenceScripts.Heartbeat, NodeId, _leaseMilliseconds) == 1;
        // While draining, connections closed on purpose stay in Redis for the hand-over: nothing to write back.
        if ((lapsed || _resyncNeeded) && !_draining)
        {
            await ResynchroniseAsync(cancellationToken);
        }

        Interlocked.Exchange(ref _outageReported, 0);
    }

    /// <summary>Takes over the connections of every node whose lease expired, announcing the leaves they cause.</summary>
    public async Task ReapExpiredNodesAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var result = (RedisResult[])(await EvaluateAsync(RedisPresenceScripts.ReapExpired, ReapBatchSize))!;
            if (result.Length == 0)
            {
                return;
            }

            ChatLog.NodeExpired(_logger, (string)result[0]!, result.Length - 1);
            foreach (var outcome in result.Skip(1).Select(ToOutcome).OfType<UserOutcome>())
            {
                await AnnounceDepartureAsync(outcome.User, outcome.Outcome);
            }
        }
    }

    /// <summary>From now on closing connections stay in Redis until the other nodes take over the expired lease.</summary>
    public void BeginDraining() => _draining = true;

    private async Task ResynchroniseAsync(CancellationToken cancellationToken)
    {
        _resyncNeeded = false;
        var inRedis = await _redis.Database.SetMembersAsync(_prefix + "node:" + NodeId);
        foreach (var stale in inRedis.Select(c => (string)c!).Where(c => !_connections.Contains(c)))
        {
            await RemoveAndAnnounceAsync(stale);
        }

        var local = _connections.All;
        foreach (var connection in local)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await RestoreAsync(connection);
        }

        ChatLog.PresenceResynchronised(_logger, NodeId, local.Count);
    }

    /// <summary>
    /// Writes one local connection back. The hub may close it or leave a room meanwhile; checking again after each
    /// write (closing and leaving update the local state first) means neither side can leave a ghost behind.
    /// </summary>
    private async Task RestoreAsync(ConnectionRegistry.ConnectionState local)
    {
        var connectionId = local.ConnectionId;
        var user = local.User;
        var cameOnline = (int)await EvaluateAsync(RedisPresenceScripts.Connect, NodeId, connectionId, user.Id, user.Name, _leaseMilliseconds) == 1;
        // Rooms left while Redis was unreachable are still there.
        var roomsInRedis = await _redis.Database.SetMembersAsync(_prefix + "conn:" + connectionId + ":rooms");
        foreach (var room in roomsInRedis.Select(r => (string)r!).Where(r => !local.IsIn(r)))
        {
            if ((int)await EvaluateAsync(RedisPresenceScripts.Leave, connectionId, user.Id, room) == 1)
            {
                await AnnounceAsync(room, () => _announcer.UserLeftAsync(room, user));
            }
        }

        foreach (var room in local.Rooms)
        {
            if ((int)await EvaluateAsync(RedisPresenceScripts.Join, NodeId, connectionId, user.Id, user.Name, _leaseMilliseconds, room) == 1)
            {
                await AnnounceAsync(room, () => _announcer.UserJoinedAsync(room, user, connectionId));
            }

            if (!local.IsIn(room) && (int)await EvaluateAsync(RedisPresenceScripts.Leave, connectionId, user.Id, room) == 1)
            {
                await AnnounceAsync(room, () => _announcer.UserLeftAsync(room, user));
            }
        }

        if (!_connections.Contains(connectionId))
        {
            await RemoveAndAnnounceAsync(connectionId);
            return;
        }

        if (cameOnline)
        {
            var rooms = await GetRoomsOfUserAsync(user.Id);
            if (rooms.Count > 0)
            {
                await AnnounceAsync(rooms[0], () => _announcer.PresenceChangedAsync(rooms, user, PresenceStatus.Online));
            }
        }
    }

    private async Task RemoveAndAnnounceAsync(string connectionId)
    {
        if (ToOutcome(await EvaluateAsync(RedisPresenceScripts.Disconnect, connectionId)) is { } outcome)
        {
            await AnnounceDepartureAsync(outcome.User, outcome.Outcome);
        }
    }

    private async Task AnnounceDepartureAsync(ChatUser user, DisconnectOutcome outcome)
    {
        foreach (var room in outcome.RoomsLeft)
        {
            await AnnounceAsync(room, () => _announcer.UserLeftAsync(room, user));
        }

        if (outcome.WentOffline && outcome.RoomsLeft.Count > 0)
        {
            await AnnounceAsync(outcome.RoomsLeft[0], () => _announcer.PresenceChangedAsync(outcome.RoomsLeft, user, PresenceStatus.Offline));
        }
    }

    private async Task AnnounceAsync(string room, Func<Task> announce)
    {
        try
        {
            await announce();
        }
        catch (Exception exception)
        {
            ChatLog.PresenceAnnouncementFailed(_logger, room, exception);
        }
    }

    private Task<RedisResult> EvaluateAsync(string script, params RedisValue[] arguments) =>
        _redis.Database.ScriptEvaluateAsync(script, values: [_prefix, .. arguments]);

    private void ReportOutage(string operation, RedisException exception)
    {
        _resyncNeeded = true;
        if (Interlocked.Exchange(ref _outageReported, 1) == 0)
        {
            ChatLog.PresenceStoreUnavailable(_logger, operation, exception);
        }
    }

    private static UserOutcome? ToOutcome(RedisResult result)
    {
        if (result.IsNull)
        {
            return null;
        }

        var fields = (RedisResult[])result!;
        var user = new ChatUser((string)fields[0]!, (string)fields[1]!);
        var rooms = fields.Skip(3).Select(r => (string)r!).ToList();
        return new UserOutcome(user, new DisconnectOutcome((int)fields[2] == 1, rooms));
    }

    private sealed record UserOutcome(ChatUser User, DisconnectOutcome Outcome);
}
