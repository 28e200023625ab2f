using System.Diagnostics;
using System.Threading.Channels;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>
/// History with group commit: one writer loop takes every queued append, stores the whole batch in one transaction
/// (plain ADO.NET statements on one long-lived connection, <see cref="BatchCommands"/>; reads go through EF Core),
/// and only then completes each caller. The room's sequence is allocated inside that transaction by
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

    // Committed batches, in commit order, waiting for their broadcast and acks: the writer starts the next
    // transaction while the previous batch is being sent. Bounded, so a slow broadcast holds the writer back.
    private readonly Channel<CommittedBatch> _committed = Channel.CreateBounded<CommittedBatch>(
        new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    // The writer loop's own state, reused from batch to batch.
    private readonly HashSet<(string SenderId, string ClientMessageId)> _retryKeys = [];
    private readonly Dictionary<(string, string), ChatMessage> _known = [];
    private readonly HashSet<(string, string)> _claimed = [];
    private readonly Dictionary<string, RoomBlock> _rooms = new(StringComparer.Ordinal);
    private ChatDbContext? _writerContext;
    private BatchCommands? _commands;

    public Task<AppendResult> AppendAsync(NewMessage message, CancellationToken cancellationToken = default)
    {
        var pending = new PendingAppend(message);
        // Once queued, the append is never cancelled: a message may be committed even if its caller stops waiting.
        // The queue is rarely full, so the common case queues without an async state machine of its own.
        return _queue.Writer.TryWrite(pending) ? pending.Completion.Task : QueueWhenRoomAsync(pending, cancellationToken);
    }

    private async Task<AppendResult> QueueWhenRoomAsync(PendingAppend pending, CancellationToken cancellationToken)
    {
        await _queue.Writer.WriteAsync(pending, cancellationToken);
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
        var publishing = PublishAsync();
        try
        {
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
        finally
        {
            _committed.Writer.TryComplete();
            await publishing;
            await CloseWriterAsync();
        }
    }

    /// <summary>Tells the listener of each committed batch, then acks its appends: one loop, so in commit order.</summary>
    private async Task PublishAsync()
    {
        await foreach (var committed in _committed.Reader.ReadAllAsync(CancellationToken.None))
        {
            listener.OnCommitted(committed.Messages);
            foreach (var pending in committed.Appends)
            {
                pending.Completion.TrySetResult(pending.Result!);
            }
        }
    }

    private async Task CommitWithRetriesAsync(List<PendingAppend> batch)
    {
        CommittedBatch? committed = null;
        for (var attempt = 1; committed is null; attempt++)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var stored = await CommitAsync(batch);
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.StoreCommitted(elapsed);
                ChatLog.GroupCommitted(logger, batch.Count, elapsed.TotalMilliseconds);
                committed = new CommittedBatch([.. batch], stored);
            }
            catch (Exception exception) when (attempt < MaxCommitAttempts)
            {
                // A unique-index race with another process, or a transient lock or connection failure: the retry
                // starts on a fresh connection, re-reads and re-allocates.
                ChatLog.CommitFailed(logger, batch.Count, attempt, exception);
                await CloseWriterAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), CancellationToken.None);
            }
            catch (Exception exception)
            {
                ChatLog.CommitFailed(logger, batch.Count, attempt, exception);
                await CloseWriterAsync();
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(exception);
                }

                return;
            }
        }

        await _committed.Writer.WriteAsync(committed, CancellationToken.None);
    }

    /// <summary>Stores the batch in one transaction; sets each append's result and returns the new messages in batch order.</summary>
    /// <summary>
    /// Stores the batch optimistically, without looking up earlier sends: a client's retry of a message stored by an
    /// earlier batch is rare, and the unique <c>(sender, clientMessageId)</c> index refuses it anyway. Only then is
    /// the transaction rolled back and the batch stored again, this time answering retries with what was stored.
    /// </summary>
    private async Task<List<ChatMessage>> CommitAsync(List<PendingAppend> batch)
    {
        var commands = _commands ??= await OpenWriterAsync();
        try
        {
            return await CommitAsync(commands, batch, findRetries: false);
        }
        catch (Exception exception) when (BatchCommands.IsUniqueViolation(exception))
        {
            await commands.RollbackAsync();
            return await CommitAsync(commands, batch, findRetries: true);
        }
    }

    private async Task<List<ChatMessage>> CommitAsync(BatchCommands commands, List<PendingAppend> batch, bool findRetries)
    {
        await commands.BeginAsync();

        _retryKeys.Clear();
        _known.Clear();
        _claimed.Clear();
        _rooms.Clear();
        foreach (var pending in batch)
        {
            pending.Result = null;
            if (findRetries && pending.Message.ClientMessageId is { } clientId)
            {
                _retryKeys.Add((pending.Message.Sender.Id, clientId));
            }
        }

        if (_retryKeys.Count > 0)
        {
            await commands.FindRetriesAsync(_retryKeys, _known);
        }

        // The first append of each new (sender, clientMessageId) is stored; later ones in the batch repeat its answer.
        var fresh = new List<PendingAppend>(batch.Count);
        foreach (var pending in batch)
        {
            var message = pending.Message;
            if (message.ClientMessageId is { } clientId)
            {
                var key = (message.Sender.Id, clientId);
                if (_known.TryGetValue(key, out var stored))
                {
                    pending.Result = new AppendResult(stored, IsNew: false);
                    continue;
                }

                if (!_claimed.Add(key))
                {
                    continue;
                }
            }

            fresh.Add(pending);
            if (!_rooms.TryGetValue(message.Room, out var block))
            {
                _rooms[message.Room] = block = new RoomBlock();
            }

            block.Count++;
        }

        if (_rooms.Count > 0)
        {
            await commands.AllocateAsync(_rooms);
        }

        foreach (var block in _rooms.Values)
        {
            block.Last -= block.Count;
        }

        var sentAt = TruncateToMilliseconds(DateTime.UtcNow);
        var messages = new List<ChatMessage>(fresh.Count);
        foreach (var pending in fresh)
        {
            var message = pending.Message;
            var block = _rooms[message.Room];
            var stored = new ChatMessage(
                Guid.CreateVersion7().ToString("N"), message.Room, ++block.Last, message.Sender.Id, message.Sender.Name,
                message.Content, sentAt, message.ClientMessageId);
            pending.Result = new AppendResult(stored, IsNew: true);
            messages.Add(stored);
            if (message.ClientMessageId is { } clientId)
            {
                _known[(message.Sender.Id, clientId)] = stored;
            }
        }

        if (messages.Count > 0)
        {
            await commands.InsertAsync(messages);
        }

        await commands.CommitAsync();

        foreach (var pending in batch)
        {
            pending.Result ??= new AppendResult(_known[(pending.Message.Sender.Id, pending.Message.ClientMessageId!)], IsNew: false);
        }

        // Batch order: within a room that is sequence order, which is the order listeners broadcast in.
        return messages;
    }

    /// <summary>The writer keeps one connection (and its prepared statements) for as long as it works.</summary>
    private async Task<BatchCommands> OpenWriterAsync()
    {
        var context = await contexts.CreateDbContextAsync();
        try
        {
            var commands = await BatchCommands.OpenAsync(context);
            _writerContext = context;
            return commands;
        }
        catch
        {
            await context.DisposeAsync();
            throw;
        }
    }

    private async Task CloseWriterAsync()
    {
        if (_commands is { } commands)
        {
            _commands = null;
            await commands.DisposeAsync();
        }

        if (_writerContext is { } context)
        {
            _writerContext = null;
            await context.DisposeAsync();
        }
    }

    private static DateTime TruncateToMilliseconds(DateTime time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private sealed record CommittedBatch(PendingAppend[] Appends, List<ChatMessage> Messages);

    private sealed class PendingAppend(NewMessage message)
    {
        public NewMessage Message { get; } = message;

        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set by the writer while it commits the batch; answered only after the commit.</summary>
        public AppendResult? Result { get; set; }
    }
}
