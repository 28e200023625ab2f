using System.Diagnostics;
using Chat.Server.Attachments;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>History reads through EF Core, each in its turn (<see cref="StoreReadGate"/>) and timed for the store-read metric.</summary>
internal sealed class MessageStore(
    IDbContextFactory<ChatDbContext> contexts,
    PreparedReads prepared,
    ChatMetrics metrics,
    AttachmentLinks links,
    RecentMessagesCache recentCache,
    StoreReadGate gate) : IMessageStore
{

    public Task<JoinView> GetJoinViewAsync(string room, CancellationToken cancellationToken = default) =>
        TimedReadAsync("join", () => ReadJoinViewAsync(room, cancellationToken), cancellationToken);

    public Task<ChatMessage[]> GetHistoryAsync(string room, long? beforeSequence, int limit, CancellationToken cancellationToken = default) =>
        TimedReadAsync("history", () => ReadHistoryAsync(room, beforeSequence, limit, cancellationToken), cancellationToken);

    public Task<ChatMessage[]> GetSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        TimedReadAsync("since", () => ReadSinceAsync(room, afterSequence, limit, cancellationToken), cancellationToken);

    public Task<RoomEvent[]> GetEventsAsync(string room, long afterEventSequence, long throughEventSequence, CancellationToken cancellationToken = default) =>
        TimedReadAsync("events", () => ReadEventsAsync(room, afterEventSequence, throughEventSequence, cancellationToken), cancellationToken);

    public Task<IReadOnlyDictionary<string, ChatMessage>> GetMessagesAtAsync(IReadOnlyDictionary<string, long> sequences, CancellationToken cancellationToken = default) =>
        TimedReadAsync("messages_at", () => ReadMessagesAtAsync(sequences, cancellationToken), cancellationToken);

    public async Task<ChatMessage[]> DescribeAsync(IReadOnlyList<MessageRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return [];
        }

        using var turn = await gate.EnterAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var byRecord = new Dictionary<MessageRecord, ChatMessage>(ReferenceEqualityComparer.Instance);
        foreach (var room in records.GroupBy(r => r.Room))
        {
            var inRoom = room.ToList();
            var messages = await ToMessagesAsync(db, room.Key, inRoom, cancellationToken);
            for (var i = 0; i < messages.Length; i++)
            {
                byRecord[inRoom[i]] = messages[i];
            }
        }

        return [.. records.Select(r => byRecord[r])];
    }

    public Task<RoomCounters> GetCountersAsync(string room, CancellationToken cancellationToken = default) =>
        TimedReadAsync("counters", () => prepared.ReadCountersAsync(room, cancellationToken), cancellationToken);

    public Task<IReadOnlyDictionary<string, RoomCounters>> GetRoomCountersAsync(CancellationToken cancellationToken = default) =>
        TimedReadAsync("room_sequences", () => ReadRoomCountersAsync(cancellationToken), cancellationToken);

    private async Task<T> TimedReadAsync<T>(string operation, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        using var turn = await gate.EnterAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await read();
        }
        finally
        {
            metrics.StoreRead(operation, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<ChatMessage[]> ReadHistoryAsync(string room, long? beforeSequence, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Messages.AsNoTracking().Where(m => m.Room == room);
        if (beforeSequence is { } before)
        {
            query = query.Where(m => m.Sequence < before);
        }

        var newestFirst = await query.OrderByDescending(m => m.Sequence).Take(limit).ToListAsync(cancellationToken);
        newestFirst.Reverse();
        return await ToMessagesAsync(db, room, newestFirst, cancellationToken);
    }

    private async Task<ChatMessage[]> ReadSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.Messages.AsNoTracking()
            .Where(m => m.Room == room && m.Sequence > afterSequence)
            .OrderBy(m => m.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return await ToMessagesAsync(db, room, records, cancellationToken);
    }

    /// <summary>
    /// The log is gap-free, so the page is exactly the numbers in the range: posts from their message rows, every
    /// other change from its event row, each with its message read as it is now.
    /// </summary>
    private async Task<RoomEvent[]> ReadEventsAsync(string room, long after, long through, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var posted = await db.Messages.AsNoTracking()
            .Where(m => m.Room == room && m.PostedEventSequence > after && m.PostedEventSequence <= through)
            .ToListAsync(cancellationToken);
        var changes = await db.RoomEvents.AsNoTracking()
            .Where(e => e.Room == room && e.EventSequence > after && e.EventSequence <= through)
            .ToListAsync(cancellationToken);

        var known = posted.Select(m => m.Sequence).ToHashSet();
        var missing = changes.Where(e => e.MessageSequence is { } s && !known.Contains(s)).Select(e => e.MessageSequence!.Value).Distinct().ToList();
        var touched = missing.Count == 0
            ? []
            : await db.Messages.AsNoTracking().Where(m => m.Room == room && missing.Contains(m.Sequence)).ToListAsync(cancellationToken);
        var records = posted.Concat(touched).ToList();
        var messages = (await ToMessagesAsync(db, room, records, cancellationToken)).ToDictionary(m => m.Sequence);

        var events = new List<RoomEvent>(posted.Count + changes.Count);
        foreach (var record in posted)
        {
            var message = messages[record.Sequence];
            events.Add(new RoomEvent(room, record.PostedEventSequence, RoomEventTypes.MessagePosted, record.SentAt,
                record.SenderId, record.SenderName, message, record.Id));
        }

        foreach (var change in changes)
        {
            var message = change.MessageSequence is { } sequence ? messages.GetValueOrDefault(sequence) : null;
            var (member, roomInfo) = MessageMapper.ReadPayload(change.Payload);
            events.Add(new RoomEvent(room, change.EventSequence, change.Type, change.At, change.ActorId, change.ActorName,
                message, message?.Id, change.Reaction, member, roomInfo));
        }

        events.Sort((a, b) => a.EventSequence.CompareTo(b.EventSequence));
        return [.. events];
    }

    private async Task<IReadOnlyDictionary<string, ChatMessage>> ReadMessagesAtAsync(IReadOnlyDictionary<string, long> sequences, CancellationToken cancellationToken)
    {
        if (sequences.Count == 0)
        {
            return new Dictionary<string, ChatMessage>();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rooms = sequences.Keys.ToList();
        var numbers = sequences.Values.Distinct().ToList();
        // One query for all rooms: the candidates share a room and a number with the wanted ones; the exact pairs are kept.
        var records = (await db.Messages.AsNoTracking()
                .Where(m => rooms.Contains(m.Room) && numbers.Contains(m.Sequence))
                .ToListAsync(cancellationToken))
            .Where(m => sequences[m.Room] == m.Sequence)
            .ToList();
        var messages = new Dictionary<string, ChatMessage>(StringComparer.Ordinal);
        foreach (var byRoom in records.GroupBy(r => r.Room))
        {
            foreach (var message in await ToMessagesAsync(db, byRoom.Key, [.. byRoom], cancellationToken))
            {
                messages[message.Room] = message;
            }
        }

        return messages;
    }

    /// <summary>
    /// A crowd joining one room (a restart, a live event) would read the same messages again for each member: they
    /// are read once per change of the room instead. A cached page is used only when the counters just read are the
    /// ones it was read at, so every change (the store's, any node's) makes the next join read afresh.
    /// </summary>
    private async Task<JoinView> ReadJoinViewAsync(string room, CancellationToken cancellationToken)
    {
        var counters = await prepared.ReadCountersAsync(room, cancellationToken);
        if (counters.LastSequence == 0)
        {
            return new JoinView(counters, []);
        }

        if (recentCache.TryGet(room, counters.LastEventSequence) is { } cached)
        {
            return new JoinView(counters, cached);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var newestFirst = await db.Messages.AsNoTracking()
            .Where(m => m.Room == room)
            .OrderByDescending(m => m.Sequence)
            .Take(ChatLimits.RecentMessagesOnJoin)
            .ToListAsync(cancellationToken);
        newestFirst.Reverse();
        var recent = await ToMessagesAsync(db, room, newestFirst, cancellationToken);
        // Read at these counters or later: kept under them only when nothing has changed since (a later join then sees
        // the same counters and this very page).
        recentCache.Set(room, counters.LastEventSequence, recent);
        return new JoinView(counters, recent);
    }

    private async Task<IReadOnlyDictionary<string, RoomCounters>> ReadRoomCountersAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Rooms.AsNoTracking()
            .ToDictionaryAsync(r => r.Name, r => new RoomCounters(r.LastSequence, r.LastEventSequence), cancellationToken);
    }

    /// <summary>Maps records in their order, reading the replied-to messages (as they are now) in one more query.</summary>
    private async Task<ChatMessage[]> ToMessagesAsync(ChatDbContext db, string room, List<MessageRecord> records, CancellationToken cancellationToken)
    {
        Dictionary<long, MessageRecord>? targets = null;
        var wanted = records.Where(r => r.ReplyToSequence is not null).Select(r => r.ReplyToSequence!.Value).Distinct().ToList();
        if (wanted.Count > 0)
        {
            targets = await db.Messages.AsNoTracking()
                .Where(m => m.Room == room && wanted.Contains(m.Sequence))
                .ToDictionaryAsync(m => m.Sequence, cancellationToken);
        }

        var messages = new ChatMessage[records.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            var record = records[i];
            var target = record.ReplyToSequence is { } sequence ? targets?.GetValueOrDefault(sequence) : null;
            messages[i] = record.ToMessage(target, links);
        }

        return messages;
    }
}
