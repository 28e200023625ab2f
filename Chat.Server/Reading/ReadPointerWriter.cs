using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.Reading;

/// <summary>
/// Stores read pointers for every user of the node, coalesced: the marks that arrive while a commit runs or within
/// <see cref="ReadStateOptions.FlushInterval"/> of the last one go into the next commit together, the highest
/// sequence per (room, user) winning. A mark is answered only once its commit is done, so an acknowledged pointer
/// survives a crash; a flood of marks costs at most one commit per interval. The commits run on the group commit's
/// own connection, between two of its batches (<see cref="ChangePipeline.RunOnWriterConnectionAsync"/>), so it has to
/// stop before the pipeline does: its last commit stores the marks still waiting (<see cref="ChatServerExtensions.AddChatServer"/>).
/// </summary>
public sealed class ReadPointerWriter(
    ChangePipeline pipeline,
    IOptions<ReadStateOptions> options,
    IOptions<DatabaseOptions> database,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<ReadPointerWriter> logger) : BackgroundService
{
    private const int MaxCommitAttempts = 3;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private Dictionary<(string Room, string UserId), Mark> _pending = [];
    private bool _stopped;

    /// <summary>Moves the pointer forward to <paramref name="sequence"/>; true once stored if it moved (or a later mark in the same commit moved it further).</summary>
    public Task<bool> MoveAsync(string room, string userId, long sequence, CancellationToken cancellationToken = default)
    {
        Mark mark;
        lock (_lock)
        {
            if (_stopped)
            {
                throw new ChatException(ChatErrorCodes.Unavailable, "the server is stopping; mark the room read again once reconnected");
            }

            if (!_pending.TryGetValue((room, userId), out mark!))
            {
                _pending[(room, userId)] = mark = new Mark();
            }

            mark.Sequence = Math.Max(mark.Sequence, sequence);
        }

        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another mark woke the writer first.
            }
        }

        return mark.Stored.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastCommit = long.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _signal.WaitAsync(stoppingToken);
                var wait = options.Value.FlushInterval - time.GetElapsedTime(lastCommit == long.MinValue ? time.GetTimestamp() : lastCommit);
                if (lastCommit != long.MinValue && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }

                lastCommit = time.GetTimestamp();
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Every mark taken is stored before the node stops: callers are waiting for their answer.
            lock (_lock)
            {
                _stopped = true;
            }

            await FlushAsync();
        }
    }

    private async Task FlushAsync()
    {
        Dictionary<(string Room, string UserId), Mark> marks;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            marks = _pending;
            _pending = [];
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await pipeline.RunOnWriterConnectionAsync((commands, _) => StoreAsync(commands, marks), CancellationToken.None);
                metrics.ReadPointersStored(marks.Values.Count(m => m.Moved));
                foreach (var mark in marks.Values)
                {
                    mark.Stored.TrySetResult(mark.Moved);
                }

                return;
            }
            catch (Exception exception)
            {
                // The pipeline starts its next batch on a fresh connection, and so does the next attempt.
                ChatLog.ReadPointersFailed(logger, marks.Count, attempt, exception);
                if (attempt == MaxCommitAttempts)
                {
                    var unavailable = new ChatException(ChatErrorCodes.Unavailable, "the server could not store the read pointer; marking again is safe");
                    foreach (var mark in marks.Values)
                    {
                        mark.Stored.TrySetException(unavailable);
                    }

                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), time, CancellationToken.None);
            }
        }
    }

    /// <summary>In (room, user) order, the order the posts' own pointer moves take too (PostgreSQL: no deadlock between nodes).</summary>
    private async Task StoreAsync(BatchCommands commands, Dictionary<(string Room, string UserId), Mark> marks)
    {
        // On failure the pipeline drops the connection, and the open transaction with it.
        await commands.BeginAsync(database.Value.CommitWaitsForDisk(promised: true));
        var at = time.GetUtcNow().UtcDateTime;
        foreach (var ((room, userId), mark) in marks.OrderBy(m => m.Key.Room, StringComparer.Ordinal).ThenBy(m => m.Key.UserId, StringComparer.Ordinal))
        {
            mark.Moved = await commands.MoveReadPointerAsync(room, userId, mark.Sequence, at);
        }

        await commands.CommitAsync();
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    /// <summary>One (room, user)'s marks since the last commit.</summary>
    private sealed class Mark
    {
        public long Sequence { get; set; }

        public bool Moved { get; set; }

        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
