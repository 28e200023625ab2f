using Chat.Server.History;

namespace Chat.Server.Attachments;

/// <summary>An upload that went beyond <see cref="AttachmentsOptions.MaxBytes"/>: nothing of it is kept.</summary>
public sealed class AttachmentTooLargeException(long maxBytes) : Exception($"an attachment is at most {maxBytes} bytes")
{
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>Describes stored bytes (their type and size, read from the bytes themselves) as the row to keep.</summary>
public delegate Task<AttachmentRecord> DescribeAttachment(Stream storedBytes, long size, CancellationToken cancellationToken);

/// <summary>
/// Where attachments' bytes live (the choice is made once, in <see cref="AttachmentsExtensions"/>). Storing is all or
/// nothing: the attachment row is written only once every byte is stored, so no id ever names half a file; a crash
/// leaves at most bytes without a row, which <see cref="ListOrphanCandidatesAsync"/> reports for cleanup.
/// </summary>
public interface IAttachmentBlobs
{
    /// <summary>
    /// Streams <paramref name="content"/> into the blob <paramref name="id"/>, asks <paramref name="describe"/> for its
    /// row and stores that row. Beyond <paramref name="maxBytes"/> it stops reading, keeps nothing and throws
    /// <see cref="AttachmentTooLargeException"/>.
    /// </summary>
    Task<AttachmentRecord> StoreAsync(string id, Stream content, long maxBytes, DescribeAttachment describe, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes, or null when there is no such blob.</summary>
    Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Removes the blobs of attachments whose rows are gone; ids without a blob are ignored.</summary>
    Task DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Blobs written (or half written) before <paramref name="before"/> that may have no row: cleanup removes those
    /// of them that truly have none.
    /// </summary>
    Task<IReadOnlyList<string>> ListOrphanCandidatesAsync(DateTime before, CancellationToken cancellationToken = default);
}
