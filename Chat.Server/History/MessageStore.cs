using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>
/// EF Core history with group commit: one writer loop takes every queued append, stores the whole batch in one
/// transaction, and only then completes each caller. The room's sequence is allocated inside that transaction by
/// an atomic upsert (<c>INSERT … ON CONFLICT DO UPDATE … RETURNING</c>) on the room row, so sequences stay gap-free and unique with any number of
/// writers and processes on one store: the row lock (PostgreSQL) or the database write lock (SQLite) orders them.
/// </summary>
internal sealed class MessageStore(
    IDbContextFactory<ChatDbContext> contexts,
    IMessageCommitListener listener,
    ChatMetrics metrics,
    IOptions<DatabaseOptions> options,
    ILogger<MessageStore> logger) : BackgroundService, IMessageStore
{
    private const int MaxCommitAttempts = 5;

    private readonly Channel<PendingAppend> _queue = Channel.CreateBounded<PendingAppend>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public async Task<AppendResult> AppendAsync(NewMessage message, CancellationToken cancellationToken = default)
    {
        var pending = new PendingAppend(message);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Once queued, the append is never cancelled: a message may be committed even if its caller stops waiting.
        return await pending.Completion.Task;
    }

    public Task<ChatMessage[]> GetHistoryAsync(string room, long? beforeSequence, int limit, CancellationToken cancellationToken = default) =>
        TimedReadAsync("history", () => ReadHistoryAsync(room, beforeSequence, limit, cancellationToken));

    public Task<ChatMessage[]> GetSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        TimedReadAsync("since", () => ReadSinceAsync(room, afterSequence, limit, cancellationToken));

    public Task<IReadOnlyDictionary<string, long>> GetRoomSequencesAsync(CancellationToken cancellationToken = default) =>
        TimedReadAsync("room_sequences", () => ReadRoomSequencesAsync(cancellationToken));

    private async Task<T> TimedReadAsync<T>(string operation, Func<Task<T>> read)
    {
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
        var messages = new ChatMessage[newestFirst.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = newestFirst[messages.Length - 1 - i].ToMessage();
        }

        return messages;
    }

    private async Task<ChatMessage[]> ReadSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.Messages.AsNoTracking()
            .Where(m => m.Room == room && m.Sequence > afterSequence)
            .OrderBy(m => m.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return [.. records.Select(r => r.ToMessage())];
    }

    private async Task<IReadOnlyDictionary<string, long>> ReadRoomSequencesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Rooms.AsNoTracking().ToDictionaryAsync(r => r.Name, r => r.LastSequence, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On shutdown stop taking new appends, but finish every queued one: callers are waiting for their ack.
        using var stopping = stoppingToken.Register(() => _queue.Writer.TryComplete());
        var batch = new List<PendingAppend>(options.Value.MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.Value.MaxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await CommitWithRetriesAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitWithRetriesAsync(List<PendingAppend> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var (results, stored) = await CommitAsync(batch);
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.StoreCommitted(elapsed);
                ChatLog.GroupCommitted(logger, batch.Count, elapsed.TotalMilliseconds);
                listener.OnCommitted(stored);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }

                return;
            }
            catch (Exception exception) when (attempt < MaxCommitAttempts)
            {
                // A unique-index race with another process, or a transient lock: the retry re-reads and re-allocates.
                ChatLog.CommitFailed(logger, batch.Count, attempt, exception);
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), CancellationToken.None);
            }
            catch (Exception exception)
            {
                ChatLog.CommitFailed(logger, batch.Count, attempt, exception);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(exception);
                }

                return;
            }
        }
    }

    private async Task<(AppendResult[] Results, List<ChatMessage> Stored)> CommitAsync(List<PendingAppend> batch)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();

        var known = await FindRetriesAsync(db, batch);
        var results = new AppendResult?[batch.Count];
        var firstIndexOfKey = new Dictionary<(string, string), int>();
        var fresh = new List<(int Index, MessageRecord Record)>();
        var sentAt = TruncateToMilliseconds(DateTime.UtcNow);

        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Message;
            if (message.ClientMessageId is { } clientId)
            {
                var key = (message.Sender.Id, clientId);
                if (known.TryGetValue(key, out var stored))
                {
                    results[i] = new AppendResult(stored, IsNew: false);
                    continue;
                }

                if (!firstIndexOfKey.TryAdd(key, i))
                {
                    continue; // the same retry twice in one batch: answered from the first one below
                }
            }

            fresh.Add((i, new MessageRecord
            {
                Room = message.Room,
                Id = Guid.CreateVersion7().ToString("N"),
                SenderId = message.Sender.Id,
                SenderName = message.Sender.Name,
                Content = message.Content,
                SentAt = sentAt,
                ClientMessageId = message.ClientMessageId,
            }));
        }

        foreach (var room in fresh.GroupBy(f => f.Record.Room))
        {
            var count = room.Count();
            var last = await AllocateSequencesAsync(db, transaction, room.Key, count);
            var next = last - count + 1;
            foreach (var (_, record) in room)
            {
                record.Sequence = next++;
            }
        }

        db.Messages.AddRange(fresh.Select(f => f.Record));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();

        var storedMessages = new List<ChatMessage>(fresh.Count);
        foreach (var (index, record) in fresh)
        {
            var message = record.ToMessage();
            results[index] = new AppendResult(message, IsNew: true);
            storedMessages.Add(message);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i] is null)
            {
                var message = batch[i].Message;
                var first = results[firstIndexOfKey[(message.Sender.Id, message.ClientMessageId!)]]!;
                results[i] = first with { IsNew = false };
            }
        }

        // Batch order: within a room that is sequence order, which is the order listeners broadcast in.
        return (results.Select(r => r!).ToArray(), storedMessages);
    }

    /// <summary>
    /// The batch's (sender, clientMessageId) pairs already stored. One equality probe of the unique index per pair:
    /// matching senders and ids as two separate lists would scan every earlier message of each sender.
    /// </summary>
    private static async Task<Dictionary<(string, string), ChatMessage>> FindRetriesAsync(ChatDbContext db, List<PendingAppend> batch)
    {
        var pairs = batch
            .Where(p => p.Message.ClientMessageId is not null)
            .Select(p => (SenderId: p.Message.Sender.Id, ClientMessageId: p.Message.ClientMessageId!))
            .Distinct()
            .ToList();
        var known = new Dictionary<(string, string), ChatMessage>();
        if (pairs.Count == 0)
        {
            return known;
        }

        var sql = new StringBuilder("SELECT * FROM messages WHERE ");
        var parameters = new object[pairs.Count * 2];
        for (var i = 0; i < pairs.Count; i++)
        {
            sql.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(sender_id = {{{2 * i}}} AND client_message_id = {{{(2 * i) + 1}}})");
            parameters[2 * i] = pairs[i].SenderId;
            parameters[(2 * i) + 1] = pairs[i].ClientMessageId;
        }

        var existing = await db.Messages.FromSqlRaw(sql.ToString(), parameters).AsNoTracking().ToListAsync();
        foreach (var record in existing)
        {
            known[(record.SenderId, record.ClientMessageId!)] = record.ToMessage();
        }

        return known;
    }

    private static async Task<long> AllocateSequencesAsync(ChatDbContext db, IDbContextTransaction transaction, string room, int count)
    {
        var connection = db.Database.GetDbConnection();
        var dbTransaction = transaction.GetDbTransaction();

        // One statement per room and batch: creates the room on first use and allocates the block atomically.
        await using var allocate = connection.CreateCommand();
        allocate.Transaction = dbTransaction;
        allocate.CommandText =
            "INSERT INTO rooms (name, last_sequence) VALUES (@room, @count) " +
            "ON CONFLICT (name) DO UPDATE SET last_sequence = rooms.last_sequence + excluded.last_sequence RETURNING last_sequence";
        AddParameter(allocate, "@room", room);
        AddParameter(allocate, "@count", (long)count);
        return Convert.ToInt64(await allocate.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static DateTime TruncateToMilliseconds(DateTime time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private sealed class PendingAppend(NewMessage message)
    {
        public NewMessage Message { get; } = message;

        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
