using System.Diagnostics;
using System.Threading.Channels;
using Chat.Server.Attachments;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.Messaging;

/// <summary>
/// The one path of every change (posting, editing, deleting, reacting): queue → one writer that stores a whole batch
/// in one transaction (group commit on the history's <see cref="BatchCommands"/>; the room's <c>sequence</c> and
/// <c>eventSequence</c> are allocated inside it by an atomic upsert on the room row, so they stay gap-free with any
/// number of writers and processes on one store) → broadcast in commit order → ack. A change is acknowledged only
/// after its commit; a retry of a change never applies it twice. A change whose data the store refuses fails alone, not
/// its whole batch (<see cref="CommitInHalvesAsync"/>). The process's other writes to the store run on the writer's
/// connection too, between two batches (<see cref="RunOnWriterConnectionAsync"/>).
/// </summary>
public sealed class ChangePipeline(
    IDbContextFactory<ChatDbContext> contexts,
    BatchPlanner planner,
    IEnumerable<IChangeListener> listeners,
    AttachmentLinks links,
    IAttachmentBlobs blobs,
    ChatMetrics metrics,
    IOptions<DatabaseOptions> options,
    WriteAheadLog log,
    ILogger<ChangePipeline> logger) : BackgroundService
{
    private const int MaxCommitAttempts = 5;

    private readonly Channel<PendingChange> _queue = Channel.CreateBounded<PendingChange>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Committed batches, in commit order, waiting for their broadcast and acks: the writer starts the next
    // transaction while the previous batch is being sent. Bounded, so a slow broadcast holds the writer back.
    private readonly Channel<PendingChange[]> _committed = Channel.CreateBounded<PendingChange[]>(
        new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly IChangeListener[] _listeners = [.. listeners];
    private readonly List<ChangeRequest> _requests = [];
    private readonly WriterConnection _writer = new(contexts, log);

    // Held by the writer for each batch and by other work on its connection: one user of the connection at a time.
    private readonly SemaphoreSlim _writerTurn = new(1, 1);
    private long _lastCommitEnded;

    public Task<ChangeResult> SubmitAsync(ChangeRequest change, CancellationToken cancellationToken = default)
    {
        var pending = new PendingChange(change);
        // Once queued, a change is never cancelled: it may be committed even if its caller stops waiting.
        // The queue is rarely full, so the common case queues without an async state machine of its own.
        return _queue.Writer.TryWrite(pending) ? pending.Completion.Task : QueueWhenRoomAsync(pending, cancellationToken);
    }

    private async Task<ChangeResult> QueueWhenRoomAsync(PendingChange pending, CancellationToken cancellationToken)
    {
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On shutdown stop taking new changes, but finish every queued one: callers are waiting for their ack.
        using var stopping = stoppingToken.Register(() => _queue.Writer.TryComplete());
        var batch = new List<PendingChange>(options.Value.MaxBatchSize);
        var publishing = PublishAsync();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                Gather(batch);
                if (options.Value.CommitDelay > TimeSpan.Zero && batch.Count < options.Value.MaxBatchSize
                    && Stopwatch.GetElapsedTime(_lastCommitEnded) < DatabaseOptions.BusyWindow
                    && options.Value.CommitWaitsForDisk(promised: batch.Exists(pending => IsPromised(pending.Request))))
                {
                    // A flush costs the same for one post as for many (on this project's test machine, a fifth of the
                    // server's CPU at 800 posts a second): while posts keep coming, let a few more share it.
                    await Task.Delay(options.Value.CommitDelay, CancellationToken.None);
                    Gather(batch);
                }

                await _writerTurn.WaitAsync(CancellationToken.None);
                try
                {
                    await CommitWithRetriesAsync(batch);
                }
                finally
                {
                    _writerTurn.Release();
                }

                _lastCommitEnded = Stopwatch.GetTimestamp();
                batch.Clear();
            }
        }
        finally
        {
            _committed.Writer.TryComplete();
            await publishing;
            // Kept for good: work that comes later waits until its caller gives up, as it would for a stopped store.
            await _writerTurn.WaitAsync(CancellationToken.None);
            await _writer.CloseAsync();
        }
    }

    private void Gather(List<PendingChange> batch)
    {
        while (batch.Count < options.Value.MaxBatchSize && _queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    /// <summary>Only a room's log is the contract's durability promise; joins and sign-ins are made again by the next join.</summary>
    private static bool IsPromised(ChangeRequest request) => request is not (JoinRequest or UserSeenRequest);

    /// <summary>
    /// Runs the process's other writes (read pointers, SQLite's search index) on the writer's own connection and
    /// statements, between two batches. On SQLite a commit from any other connection takes the one write lock from the
    /// group commit (which then sleeps in its busy handler) and makes the writer drop its whole page cache at its next
    /// transaction and read those pages back from the file: at full ingest the search indexer's four passes a second
    /// cost the writer a fifth of its rate. On PostgreSQL it keeps one writer of the member rows that posts and read
    /// marks both move. A borrower that fails leaves its open transaction behind: the connection is dropped with it.
    /// </summary>
    public async Task RunOnWriterConnectionAsync(Func<BatchCommands, CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        await _writerTurn.WaitAsync(cancellationToken);
        try
        {
            var commands = await _writer.GetAsync();
            try
            {
                await commands.RunBetweenBatchesAsync(work, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // As after a failed commit: the next batch starts on a fresh connection.
                await _writer.CloseAsync();
                throw;
            }
        }
        finally
        {
            _writerTurn.Release();
        }
    }

    /// <summary>Tells the listeners of each committed batch, then answers its callers: one loop, so in commit order.</summary>
    private async Task PublishAsync()
    {
        await foreach (var committed in _committed.Reader.ReadAllAsync(CancellationToken.None))
        {
            foreach (var listener in _listeners)
            {
                listener.OnCommitted(committed);
            }

            foreach (var pending in committed)
            {
                if (pending.Error is { } error)
                {
                    pending.Completion.TrySetException(error);
                }
                else
                {
                    pending.Completion.TrySetResult(pending.Result!);
                }
            }
        }
    }

    private async Task CommitWithRetriesAsync(List<PendingChange> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                await CommitAsync(batch);
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.StoreCommitted(elapsed);
                ChatLog.GroupCommitted(logger, batch.Count, elapsed.TotalMilliseconds);
                break;
            }
            catch (Exception exception) when (BatchCommands.IsRefusal(exception))
            {
                // The store refuses a row of this batch and would refuse it again: a retry of the whole batch would fail
                // everyone in it. Each half is committed on its own, down to the one change it refuses.
                await _writer.CloseAsync();
                await CommitInHalvesAsync(batch, exception);
                return;
            }
            catch (Exception exception) when (attempt < MaxCommitAttempts)
            {
                // A unique-index race with another process, or a transient lock or connection failure: the retry
                // starts on a fresh connection, re-reads and re-plans.
                ChatLog.CommitFailed(logger, batch.Count, attempt, exception);
                await _writer.CloseAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), CancellationToken.None);
            }
            catch (Exception exception)
            {
                ChatLog.CommitFailed(logger, batch.Count, attempt, exception);
                await _writer.CloseAsync();
                var unavailable = new ChatException(
                    ChatErrorCodes.Unavailable, "the server could not store the change; nothing was changed, so retrying is safe");
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(unavailable);
                }

                return;
            }
        }

        await _committed.Writer.WriteAsync([.. batch], CancellationToken.None);
    }

    /// <summary>
    /// Commits a batch the store refused as two halves, in order, each with the retries of any batch: the first half's
    /// changes are published before the second's are stored, and a half that is rolled back took no numbers, so the
    /// rooms' sequences stay gap-free. A store that is down fails the half whole, as it would the batch.
    /// </summary>
    private async Task CommitInHalvesAsync(List<PendingChange> batch, Exception refusal)
    {
        if (batch.Count == 1)
        {
            var request = batch[0].Request;
            ChatLog.ChangeRefused(logger, request.GetType().Name, request.Actor.Id, request.Room, refusal);
            batch[0].Completion.TrySetException(new ChatException(ChatErrorCodes.InvalidRequest, "the history store refused this change"));
            return;
        }

        var half = batch.Count / 2;
        await CommitWithRetriesAsync(batch.GetRange(0, half));
        await CommitWithRetriesAsync(batch.GetRange(half, batch.Count - half));
    }

    /// <summary>
    /// Stores the batch optimistically, without looking up earlier sends: a client's retry of a message stored by an
    /// earlier batch is rare, and the unique <c>(sender, clientMessageId)</c> index refuses it anyway. Only then is
    /// the transaction rolled back and the batch planned again, this time answering retries with what was stored.
    /// </summary>
    private async Task CommitAsync(List<PendingChange> batch)
    {
        var commands = await _writer.GetAsync();
        try
        {
            await CommitAsync(commands, batch, findRetries: false);
        }
        catch (Exception exception) when (BatchCommands.IsUniqueViolation(exception))
        {
            // Also two nodes creating one room (a direct room, a first join) at once: the second finds the first's.
            await commands.RollbackAsync();
            await CommitAsync(commands, batch, findRetries: true);
        }
    }

    private async Task CommitAsync(BatchCommands commands, List<PendingChange> batch, bool findRetries)
    {
        if (!await TryCommitAsync(commands, batch, findRetries, loadRules: false))
        {
            await TryCommitAsync(commands, batch, findRetries, loadRules: true);
        }
    }

    /// <summary>
    /// Plans, numbers, writes and commits the batch. Returns false, having rolled back, when the plan turns out to need
    /// the rooms' rules it did not read (posts into a room with slow mode or a mute).
    /// </summary>
    private async Task<bool> TryCommitAsync(BatchCommands commands, List<PendingChange> batch, bool findRetries, bool loadRules)
    {
        _requests.Clear();
        foreach (var pending in batch)
        {
            _requests.Add(pending.Request);
        }

        await commands.BeginAsync(options.Value.CommitWaitsForDisk(promised: _requests.Exists(IsPromised)));
        var state = await BatchLoader.LoadAsync(commands, _requests, findRetries, loadRules);
        var plan = planner.Plan(_requests, state);
        await BatchLoader.WriteNewRoomsAsync(commands, plan);
        if (plan.Rooms.Count > 0)
        {
            await commands.AllocateAsync(plan.Rooms);
        }

        if (plan.NeedsRules())
        {
            await commands.RollbackAsync();
            return false;
        }

        plan.Number();
        await BatchLoader.WriteAsync(commands, plan);

        // The answers are ready before the commit: nothing after it may fail and send a committed batch round again.
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = plan.OutcomeOf(i);
            batch[i].Error = outcome.Error;
            batch[i].Result = outcome.Error is null ? ToResult(plan, outcome, state) : null;
        }

        await commands.CommitAsync();
        if (plan.Deleted.Count > 0)
        {
            await ForgetDeletedAsync(commands);
        }

        if (plan.AttachmentsDeleted.Count > 0)
        {
            await DeleteFilesAsync(plan.AttachmentsDeleted);
        }

        return true;
    }

    private async Task ForgetDeletedAsync(BatchCommands commands)
    {
        try
        {
            await commands.ForgetDeletedAsync();
        }
        catch (Exception exception)
        {
            // The delete is committed; its text is overwritten in the store and leaves the log at the next checkpoint.
            ChatLog.CheckpointFailed(logger, exception);
        }
    }

    private async Task DeleteFilesAsync(List<string> attachmentIds)
    {
        try
        {
            await blobs.DeleteAsync(attachmentIds);
        }
        catch (Exception exception)
        {
            // The rows are gone with the commit; files without a row are removed by the attachments' cleanup.
            ChatLog.AttachmentFilesNotDeleted(logger, attachmentIds.Count, exception);
        }
    }

    private ChangeResult ToResult(BatchPlan plan, BatchPlan.Outcome outcome, BatchState state)
    {
        var message = outcome.Message is { } record ? record.ToMessage(state.Find(record.Room, record.ReplyToSequence), links) : null;
        var events = new RoomEvent[outcome.Changes.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var change = outcome.Changes[i];
            var actor = change.Request.Actor;
            events[i] = new RoomEvent(
                change.Room, change.EventSequence, change.Type, change.At, actor.Id, actor.Name,
                message, change.Message?.Id, change.Reaction, change.Member, change.RoomInfo);
        }

        return new ChangeResult(message, events, outcome.Member, outcome.Room is { } room ? plan.InfoOf(room) : null)
        {
            Notifications = [.. outcome.Changes.SelectMany(change => change.Notifications)],
        };
    }

    /// <summary>A change waiting for its batch's commit; answered only after the commit, in commit order.</summary>
    public sealed class PendingChange(ChangeRequest request)
    {
        public ChangeRequest Request { get; } = request;

        public TaskCompletionSource<ChangeResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ChangeResult? Result { get; set; }

        public ChatException? Error { get; set; }
    }
}

/// <summary>Told of every committed batch, in commit order, right after the commit.</summary>
public interface IChangeListener
{
    /// <summary>
    /// Must not block or throw: it runs on the pipeline's one publishing loop, a batch at a time in commit order,
    /// beside the writer's next transaction; the batch's callers are answered right after it returns.
    /// </summary>
    void OnCommitted(IReadOnlyList<ChangePipeline.PendingChange> batch);
}
