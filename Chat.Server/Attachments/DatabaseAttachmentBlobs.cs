using Chat.Server.History;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Attachments;

/// <summary>
/// Attachments in the history database, in chunks, so every node of a cluster serves every file. The upload is first
/// spooled to a temporary file (the transaction never waits on a slow client), then its chunks and its row are
/// written in one transaction: a crash leaves either the whole attachment or nothing.
/// </summary>
internal sealed class DatabaseAttachmentBlobs(IDbContextFactory<ChatDbContext> contexts) : IAttachmentBlobs
{
    private const int ChunkSize = 256 * 1024;

    public async Task<AttachmentRecord> StoreAsync(string id, Stream content, long maxBytes, DescribeAttachment describe, CancellationToken cancellationToken = default)
    {
        AttachmentIds.Ensure(id);
        await using var spool = new FileStream(
            Path.Combine(Path.GetTempPath(), $"chat-upload-{id}"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81_920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var size = await BoundedCopy.CopyAsync(content, spool, maxBytes, cancellationToken);
        spool.Position = 0;
        var record = await describe(spool, size, cancellationToken);
        spool.Position = 0;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var buffer = new byte[ChunkSize];
        for (var index = 0; ; index++)
        {
            var read = await spool.ReadAtLeastAsync(buffer, ChunkSize, throwOnEndOfStream: false, cancellationToken);
            if (read == 0 && index > 0)
            {
                break;
            }

            db.AttachmentChunks.Add(new AttachmentChunkRecord { AttachmentId = id, Index = index, Data = buffer[..read] });
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            if (read < ChunkSize)
            {
                break;
            }
        }

        db.Attachments.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    public async Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var chunks = await db.AttachmentChunks.CountAsync(c => c.AttachmentId == id, cancellationToken);
        return chunks == 0 ? null : new ChunkStream(contexts, id, chunks);
    }

    public async Task DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.AttachmentChunks.Where(c => ids.Contains(c.AttachmentId)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Chunks and rows are written together, so chunks without a row are those of attachments removed since.</summary>
    public async Task<IReadOnlyList<string>> ListOrphanCandidatesAsync(DateTime before, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AttachmentChunks
            .Where(c => c.Index == 0 && !db.Attachments.Any(a => a.Id == c.AttachmentId))
            .Select(c => c.AttachmentId)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Reads one chunk at a time, so serving a file never holds more than a chunk of it in memory.</summary>
    private sealed class ChunkStream(IDbContextFactory<ChatDbContext> contexts, string id, int chunks) : ForwardOnlyStream
    {
        private byte[] _current = [];
        private int _offset;
        private int _next;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset == _current.Length)
            {
                if (_next == chunks)
                {
                    return 0;
                }

                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var index = _next;
                _current = await db.AttachmentChunks.AsNoTracking()
                    .Where(c => c.AttachmentId == id && c.Index == index)
                    .Select(c => c.Data)
                    .FirstOrDefaultAsync(cancellationToken) ?? [];
                _offset = 0;
                _next++;
            }

            var count = Math.Min(buffer.Length, _current.Length - _offset);
            _current.AsMemory(_offset, count).CopyTo(buffer);
            _offset += count;
            return count;
        }
    }
}
