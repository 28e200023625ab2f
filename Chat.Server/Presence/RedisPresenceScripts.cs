namespace Chat.Server.Presence;

/// <summary>
/// The cluster's presence operations as Lua scripts: each runs atomically in Redis, so the first/last connection
/// decisions are exact however many nodes race. ARGV[1] is always the key prefix. Keys (all under one hash tag):
/// <c>nodes</c> zset node → lease expiry (ms, Redis clock); <c>node:{node}</c> set of its connections;
/// <c>conn:{cid}</c> hash node/user/name; <c>conn:{cid}:rooms</c> set; <c>user:{uid}</c> set of connections;
/// <c>room:{room}</c> hash uid → name (the members); <c>room:{room}:{uid}</c> set of the user's connections there;
/// <c>rooms</c> hash room → member count.
/// </summary>
internal static class RedisPresenceScripts
{
    private const string Library = """
        local p = ARGV[1]
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function connect(node, cid, uid, name, lease)
          redis.call('ZADD', p .. 'nodes', 'NX', now_ms() + lease, node)
          redis.call('HSET', p .. 'conn:' .. cid, 'node', node, 'user', uid, 'name', name)
          redis.call('SADD', p .. 'node:' .. node, cid)
          local key = p .. 'user:' .. uid
          return redis.call('SADD', key, cid) == 1 and redis.call('SCARD', key) == 1
        end
        local function join(cid, uid, name, room)
          redis.call('SADD', p .. 'conn:' .. cid .. ':rooms', room)
          local key = p .. 'room:' .. room .. ':' .. uid
          if redis.call('SADD', key, cid) == 0 or redis.call('SCARD', key) > 1 then return false end
          redis.call('HSET', p .. 'room:' .. room, uid, name)
          redis.call('HINCRBY', p .. 'rooms', room, 1)
          return true
        end
        local function leave(cid, uid, room)
          redis.call('SREM', p .. 'conn:' .. cid .. ':rooms', room)
          local key = p .. 'room:' .. room .. ':' .. uid
          if redis.call('SREM', key, cid) == 0 or redis.call('SCARD', key) > 0 then return false end
          redis.call('HDEL', p .. 'room:' .. room, uid)
          if redis.call('HINCRBY', p .. 'rooms', room, -1) <= 0 then redis.call('HDEL', p .. 'rooms', room) end
          return true
        end
        -- {uid, name, wentOffline, roomsLeft...}, or false for a connection Redis does not know.
        local function disconnect(cid)
          local conn = p .. 'conn:' .. cid
          local info = redis.call('HMGET', conn, 'node', 'user', 'name')
          if not info[1] then return false end
          local uid = info[2]
          local result = {uid, info[3], 0}
          for _, room in ipairs(redis.call('SMEMBERS', conn .. ':rooms')) do
            if leave(cid, uid, room) then table.insert(result, room) end
          end
          redis.call('DEL', conn, conn .. ':rooms')
          redis.call('SREM', p .. 'node:' .. info[1], cid)
          local key = p .. 'user:' .. uid
          if redis.call('SREM', key, cid) == 1 and redis.call('SCARD', key) == 0 then result[3] = 1 end
          return result
        end

        """;

    /// <summary>ARGV: prefix, node, cid, uid, name, leaseMs. Returns 1 when the user came online.</summary>
    public const string Connect = Library + """
        return connect(ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])) and 1 or 0
        """;

    /// <summary>
    /// ARGV: prefix, node, cid, uid, name, leaseMs, room. Returns 1 when it is the user's first connection in the room.
    /// Registers the connection too (idempotent), so a join never leaves room entries that no disconnect could find.
    /// </summary>
    public const string Join = Library + """
        connect(ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]))
        return join(ARGV[3], ARGV[4], ARGV[5], ARGV[7]) and 1 or 0
        """;

    /// <summary>ARGV: prefix, cid, uid, room. Returns 1 when it was the user's last connection in the room.</summary>
    public const string Leave = Library + """
        return leave(ARGV[2], ARGV[3], ARGV[4]) and 1 or 0
        """;

    /// <summary>ARGV: prefix, cid. Returns {uid, name, wentOffline, roomsLeft...}, or nil for an unknown connection.</summary>
    public const string Disconnect = Library + """
        return disconnect(ARGV[2])
        """;

    /// <summary>ARGV: prefix, room, userId. The nodes that hold a connection of the user in the room.</summary>
    public const string NodesOfUserInRoom = Library + """
        local nodes = {}
        local seen = {}
        for _, cid in ipairs(redis.call('SMEMBERS', p .. 'room:' .. ARGV[2] .. ':' .. ARGV[3])) do
          local node = redis.call('HGET', p .. 'conn:' .. cid, 'node')
          if node and not seen[node] then seen[node] = true; table.insert(nodes, node) end
        end
        return nodes
        """;

    /// <summary>
    /// ARGV: prefix, room, limit. Returns {count, uid, name, uid, name, ...}: how many users the room has, and at most
    /// limit of them, scanning no further than it needs to (a join into a room of 10,000 reads about a hundred).
    /// </summary>
    public const string MembersPage = Library + """
        local key = p .. 'room:' .. ARGV[2]
        local limit = tonumber(ARGV[3])
        local out = {redis.call('HLEN', key)}
        local seen = {}
        local listed = 0
        local cursor = '0'
        repeat
          local page = redis.call('HSCAN', key, cursor, 'COUNT', limit)
          cursor = page[1]
          local items = page[2]
          for i = 1, #items, 2 do
            if listed >= limit then return out end
            if not seen[items[i]] then
              seen[items[i]] = true
              listed = listed + 1
              table.insert(out, items[i])
              table.insert(out, items[i + 1])
            end
          end
        until cursor == '0'
        return out
        """;

    /// <summary>ARGV: prefix, uid. The rooms any connection of the user is in.</summary>
    public const string RoomsOfUser = Library + """
        local rooms = {}
        local seen = {}
        for _, cid in ipairs(redis.call('SMEMBERS', p .. 'user:' .. ARGV[2])) do
          for _, room in ipairs(redis.call('SMEMBERS', p .. 'conn:' .. cid .. ':rooms')) do
            if not seen[room] then seen[room] = true; table.insert(rooms, room) end
          end
        end
        return rooms
        """;

    /// <summary>
    /// ARGV: prefix, node, ttlMs, then pairs of room and how many users type there on this node. Each node's count
    /// lives in <c>typing:{room}</c> (hash node → "expiresAtMs:count") for ttlMs unless written again, so a dead
    /// node's typists fade by themselves. Returns each room's count across the live nodes, in the order given.
    /// </summary>
    public const string ShareTyping = Library + """
        local now = now_ms()
        local ttl = tonumber(ARGV[3])
        local totals = {}
        for i = 4, #ARGV, 2 do
          local key = p .. 'typing:' .. ARGV[i]
          local count = tonumber(ARGV[i + 1])
          if count > 0 then
            redis.call('HSET', key, ARGV[2], (now + ttl) .. ':' .. count)
            redis.call('PEXPIRE', key, ttl)
          else
            redis.call('HDEL', key, ARGV[2])
          end
          local total = 0
          local entries = redis.call('HGETALL', key)
          for j = 1, #entries, 2 do
            local expires, typing = string.match(entries[j + 1], '(%d+):(%d+)')
            if tonumber(expires) > now then total = total + tonumber(typing) else redis.call('HDEL', key, entries[j]) end
          end
          table.insert(totals, total)
        end
        return totals
        """;

    /// <summary>
    /// ARGV: prefix, node, leaseMs. Renews the node's lease. Returns 1 when the lease had lapsed or was missing
    /// (first beat, reaped by another node, or Redis lost its data): the node must write its connections again.
    /// </summary>
    public const string Heartbeat = Library + """
        local now = now_ms()
        local score = redis.call('ZSCORE', p .. 'nodes', ARGV[2])
        redis.call('ZADD', p .. 'nodes', now + tonumber(ARGV[3]), ARGV[2])
        if score and tonumber(score) >= now then return 0 end
        return 1
        """;

    /// <summary>
    /// ARGV: prefix, limit. Removes up to <c>limit</c> connections of one node whose lease has expired. Returns
    /// {node, {uid, name, wentOffline, roomsLeft...}...}, or an empty array when no lease has expired. The expiry is
    /// checked in every call, so a node that comes back between two calls keeps the rest of its connections.
    /// </summary>
    public const string ReapExpired = Library + """
        local expired = redis.call('ZRANGEBYSCORE', p .. 'nodes', '-inf', now_ms(), 'LIMIT', 0, 1)
        if #expired == 0 then return {} end
        local node = expired[1]
        local out = {node}
        for _, cid in ipairs(redis.call('SRANDMEMBER', p .. 'node:' .. node, tonumber(ARGV[2]))) do
          local outcome = disconnect(cid)
          if outcome then table.insert(out, outcome) else redis.call('SREM', p .. 'node:' .. node, cid) end
        end
        if redis.call('SCARD', p .. 'node:' .. node) == 0 then redis.call('ZREM', p .. 'nodes', node) end
        return out
        """;
}
