namespace Chat.Server.History;

/// <summary>
/// How many pages the writers' connections (the group commit's and the read pointers') have added to SQLite's
/// write-ahead log since the background checkpointer last copied it (<see cref="SqliteCheckpointer"/>). The
/// checkpointer copies the log as often as SQLite itself would have (every <see cref="CheckpointPages"/> pages), only
/// not on the writer's loop: more often copies the same busy pages again, and under <c>disk</c> durability pays two
/// more fsyncs each time.
/// </summary>
public sealed class WriteAheadLog
{
    /// <summary>SQLite's own default for <c>wal_autocheckpoint</c>.</summary>
    public const int CheckpointPages = 1_000;

    private long _pagesSinceCheckpoint;

    public void Logged(int pages) => Interlocked.Add(ref _pagesSinceCheckpoint, pages);

    /// <summary>Whether a checkpoint is due; if so the count starts again, and pages logged meanwhile go to the next one.</summary>
    public bool TakeCheckpointDue()
    {
        if (Volatile.Read(ref _pagesSinceCheckpoint) < CheckpointPages)
        {
            return false;
        }

        Interlocked.Exchange(ref _pagesSinceCheckpoint, 0);
        return true;
    }
}
