using Chat.Server.History;
using Chat.Server.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.Attachments;

/// <summary>
/// Every <see cref="AttachmentsOptions.CleanupInterval"/> (and once at start): removes uploads nobody posted within
/// <see cref="AttachmentsOptions.UnpostedLifetime"/>, then stored bytes that no row names (what a crash mid-upload,
/// or between a delete's commit and its files, left behind). Every node of a cluster runs it; the deletes are
/// idempotent, so two nodes at once only do the same work twice.
/// </summary>
internal sealed class AttachmentCleanup(
    IDbContextFactory<ChatDbContext> contexts,
    IAttachmentBlobs blobs,
    IOptions<AttachmentsOptions> options,
    TimeProvider time,
    ChatMetrics metrics,
    ILogger<AttachmentCleanup> logger) : BackgroundService
{
    /// <summary>Rows removed per statement, so one pass never holds a long transaction.</summary>
    private const int BatchSize = 500;

    /// <summary>
    /// Bytes younger than this are never taken for orphans: an upload writes its bytes before its row, and a delete
    /// removes its row before its bytes.
    /// </summary>
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CleanupInterval;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // The store is away or a file is locked: the next pass tries again.
                    ChatLog.AttachmentCleanupFailed(logger, interval, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One pass: returns how many unposted uploads and how many orphaned blobs it removed.</summary>
    public async Task<(int Unposted, int Orphans)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var unposted = await RemoveUnpostedAsync(time.GetUtcNow().UtcDateTime - options.Value.UnpostedLifetime, cancellationToken);
        var orphans = await RemoveOrphansAsync(time.GetUtcNow().UtcDateTime - OrphanGrace, cancellationToken);
        if (unposted + orphans > 0)
        {
            metrics.AttachmentsRemoved("unposted", unposted);
            metrics.AttachmentsRemoved("orphan", orphans);
            ChatLog.AttachmentsCleanedUp(logger, unposted, orphans);
        }

        return (unposted, orphans);
    }

    private async Task<int> RemoveUnpostedAsync(DateTime uploadedBefore, CancellationToken cancellationToken)
    {
        var removed = 0;
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var expired = await db.Attachments
                .Where(a => a.Room == null && a.UploadedAt < uploadedBefore)
                .OrderBy(a => a.UploadedAt)
                .Select(a => a.Id)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (expired.Count == 0)
            {
                return removed;
            }

            // The condition is checked again by the delete itself: a post that claimed one of these rows since the
            // read above keeps it (the claim sets its room), and a row deleted here can no longer be claimed.
            await db.Attachments.Where(a => expired.Contains(a.Id) && a.Room == null).ExecuteDeleteAsync(cancellationToken);
            var claimed = await db.Attachments.Where(a => expired.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
            var gone = expired.Except(claimed, StringComparer.Ordinal).ToList();
            await blobs.DeleteAsync(gone, cancellationToken);
            removed += gone.Count;
            if (expired.Count < BatchSize)
            {
                return removed;
            }
        }
    }

    private async Task<int> RemoveOrphansAsync(DateTime writtenBefore, CancellationToken cancellationToken)
    {
        var candidates = await blobs.ListOrphanCandidatesAsync(writtenBefore, cancellationToken);
        var removed = 0;
        foreach (var batch in candidates.Chunk(BatchSize))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var named = await db.Attachments.Where(a => batch.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
            var orphans = batch.Except(named, StringComparer.Ordinal).ToList();
            await blobs.DeleteAsync(orphans, cancellationToken);
            removed += orphans.Count;
        }

        return removed;
    }
}
