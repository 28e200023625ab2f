using Chat.Server.Cluster;
using Chat.Server.Hubs;
using Chat.Server.Presence;
using Chat.Shared;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Server.Calls;

/// <summary>
/// A cluster: each call is one small Redis hash under a TTL (the ring timeout, then <see cref="CallsOptions.MaxCallDuration"/>),
/// ringing calls also in a sorted set by deadline so any node can end an overdue one. Every transition is one Lua
/// script, so the first answer wins across nodes. A node is alive while it holds its presence lease.
/// </summary>
internal sealed class RedisCallStore(
    RedisConnection redis, RedisPresenceTracker presence, IOptions<CallsOptions> options, IOptions<RedisClusterOptions> cluster)
    : ICallStore
{
    private const string Create = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'room', ARGV[1], 'caller', ARGV[2], 'callerName', ARGV[3], 'callee', ARGV[4],
          'callerConnection', ARGV[5], 'callerNode', ARGV[6])
        redis.call('PEXPIRE', KEYS[1], ARGV[8])
        redis.call('ZADD', KEYS[2], ARGV[7], ARGV[9])
        return 1
        """;

    private const string Answer = """
        if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ended') == 1
          or redis.call('HEXISTS', KEYS[1], 'answerConnection') == 1 then return false end
        redis.call('HSET', KEYS[1], 'answerConnection', ARGV[1], 'answerNode', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        redis.call('ZREM', KEYS[2], ARGV[4])
        return redis.call('HGETALL', KEYS[1])
        """;

    private const string End = """
        if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ended') == 1 then return false end
        if ARGV[1] == '1' and redis.call('HEXISTS', KEYS[1], 'answerConnection') == 1 then return false end
        local call = redis.call('HGETALL', KEYS[1])
        redis.call('HSET', KEYS[1], 'ended', '1')
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[3])
        return call
        """;

    // The call keys share the ringing set's hash tag, so reading them unnamed stays on one cluster slot.
    private const string RingingCallers = """
        local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        local result = {}
        for _, id in ipairs(ids) do
          local node = redis.call('HGET', ARGV[1] .. id, 'callerNode')
          if node then
            result[#result + 1] = id
            result[#result + 1] = node
          end
        end
        return result
        """;

    // Calls ring for a minute at most, so a sweep's look at a thousand of them covers any real load.
    private const int MostRingingPerSweep = 1000;

    private const string Alive = """
        local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not lease then return 0 end
        local t = redis.call('TIME')
        return tonumber(lease) >= tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) and 1 or 0
        """;

    private readonly string _prefix = "{" + cluster.Value.ChannelPrefix + "}:calls:";

    private RedisKey Ringing => _prefix + "ringing";

    public string NodeId => presence.NodeId;

    public async Task<bool> TryCreateAsync(CallState call, DateTimeOffset ringsUntil, CancellationToken cancellationToken = default)
    {
        var lifetime = ringsUntil - DateTimeOffset.UtcNow + CallStores.RingGrace;
        var created = await Guarded(() => redis.Database.ScriptEvaluateAsync(Create, [Key(call.CallId), Ringing],
            [call.Room, call.CallerId, call.CallerName, call.CalleeId, call.CallerConnection, call.CallerNode,
             ringsUntil.ToUnixTimeMilliseconds(), (long)lifetime.TotalMilliseconds, call.CallId]));
        return (int)created == 1;
    }

    public async Task<CallState?> GetAsync(string callId, CancellationToken cancellationToken = default)
    {
        var fields = await Guarded(() => redis.Database.HashGetAllAsync(Key(callId)));
        return fields.Any(f => f.Name == "ended") ? null : Read(callId, fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value));
    }

    public async Task<CallState?> TryAnswerAsync(string callId, string connectionId, CancellationToken cancellationToken = default) =>
        Read(callId, await Guarded(() => redis.Database.ScriptEvaluateAsync(Answer, [Key(callId), Ringing],
            [connectionId, NodeId, (long)options.Value.MaxCallDuration.TotalMilliseconds, callId])));

    public async Task<CallState?> TryEndAsync(string callId, bool onlyIfRinging, CancellationToken cancellationToken = default) =>
        Read(callId, await Guarded(() => redis.Database.ScriptEvaluateAsync(End, [Key(callId), Ringing],
            [onlyIfRinging ? "1" : "0", (long)CallStores.EndedCallMemory.TotalMilliseconds, callId])));

    public async Task<IReadOnlyList<string>> OverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        [.. (await redis.Database.SortedSetRangeByScoreAsync(Ringing, stop: now.ToUnixTimeMilliseconds(), take: 100)).Select(v => (string)v!)];

    public async Task<IReadOnlyList<RingingCall>> RingingAsync(CancellationToken cancellationToken = default)
    {
        var pairs = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(RingingCallers, [Ringing], [_prefix, MostRingingPerSweep]))!;
        var ringing = new List<RingingCall>(pairs.Length / 2);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            ringing.Add(new RingingCall((string)pairs[i]!, (string)pairs[i + 1]!));
        }

        return ringing;
    }

    public async Task<bool> IsNodeAliveAsync(string nodeId, CancellationToken cancellationToken = default) =>
        (int)await redis.Database.ScriptEvaluateAsync(Alive, [cluster.Value.PresenceKeyPrefix + "nodes"], [nodeId]) == 1;

    private RedisKey Key(string callId) => _prefix + callId;

    /// <summary>Calls live in Redis alone: while it is away they are refused with a code, not failed without one.</summary>
    private static async Task<T> Guarded<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw new ChatException(ChatErrorCodes.Unavailable, "calls are unavailable until the cluster's Redis is back");
        }
    }

    private static CallState? Read(string callId, RedisResult result)
    {
        if (result.IsNull || result.Resp2Type != ResultType.Array)
        {
            return null;
        }

        var values = (RedisResult[])result!;
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            fields[(string)values[i]!] = (string?)values[i + 1];
        }

        return Read(callId, fields);
    }

    private static CallState? Read(string callId, Dictionary<string, string?> fields) =>
        fields.TryGetValue("caller", out var caller) && caller is not null
            ? new CallState(callId, fields["room"]!, caller, fields["callerName"]!, fields["callee"]!, fields["callerConnection"]!,
                fields["callerNode"]!, fields.GetValueOrDefault("answerConnection"), fields.GetValueOrDefault("answerNode"))
            : null;
}
