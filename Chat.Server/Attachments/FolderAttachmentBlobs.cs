using Chat.Server.History;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Attachments;

/// <summary>
/// Attachments as files: <c>{root}/{first two characters}/{id}</c>. A file is written under <c>partial/</c>, flushed
/// to the disk and only then moved into place and given its row, so a crash mid-upload leaves a partial file that no
/// row names and cleanup removes.
/// </summary>
internal sealed class FolderAttachmentBlobs(string root, IDbContextFactory<ChatDbContext> contexts) : IAttachmentBlobs
{
    private const int BufferSize = 81_920;
    private readonly string _partial = Path.Combine(root, "partial");

    public async Task<AttachmentRecord> StoreAsync(string id, Stream content, long maxBytes, DescribeAttachment describe, CancellationToken cancellationToken = default)
    {
        AttachmentIds.Ensure(id);
        Directory.CreateDirectory(_partial);
        var partial = Path.Combine(_partial, id);
        try
        {
            long size;
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                size = await BoundedCopy.CopyAsync(content, file, maxBytes, cancellationToken);
                file.Flush(flushToDisk: true);
                file.Position = 0;
                var record = await describe(file, size, cancellationToken);
                var final = PathOf(id);
                Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                file.Close();
                File.Move(partial, final);
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                db.Attachments.Add(record);
                await db.SaveChangesAsync(cancellationToken);
                return record;
            }
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken = default)
    {
        var path = PathOf(id);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        foreach (var id in ids)
        {
            DeleteIfThere(PathOf(id));
            DeleteIfThere(Path.Combine(_partial, id));
        }

        return Task.CompletedTask;
    }

    /// <summary>File.Delete ignores a missing file but throws for a missing folder (a partial upload's id has none).</summary>
    private static void DeleteIfThere(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing there to delete.
        }
    }

    public Task<IReadOnlyList<string>> ListOrphanCandidatesAsync(DateTime before, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(root))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var ids = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(path => File.GetLastWriteTimeUtc(path) < before)
            .Select(Path.GetFileName)
            .Where(name => name is not null && AttachmentIds.IsValid(name))
            .Select(name => name!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(ids);
    }

    private string PathOf(string id)
    {
        AttachmentIds.Ensure(id);
        return Path.Combine(root, id[..2], id);
    }
}
