using System.ComponentModel.DataAnnotations;
using Chat.Shared;

namespace Chat.Server.Attachments;

/// <summary>Uploaded files (section <c>Attachments</c>).</summary>
public sealed class AttachmentsOptions
{
    public const string SectionName = "Attachments";
    public const string Folder = "folder";
    public const string Database = "database";

    /// <summary>
    /// <c>folder</c> (default: files in <see cref="Path"/>, for one node) or <c>database</c> (the history database, so
    /// every node of a cluster on PostgreSQL serves every file).
    /// </summary>
    [Required]
    [RegularExpression("^(folder|database)$", ErrorMessage = "Attachments:Store must be 'folder' or 'database'.")]
    public string Store { get; set; } = Folder;

    /// <summary>The folder of the <c>folder</c> store; default: <c>attachments</c> beside the SQLite database.</summary>
    public string? Path { get; set; }

    /// <summary>The largest upload, in bytes: a larger one answers 413 and nothing is stored.</summary>
    [Range(1, 2L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = ChatLimits.DefaultAttachmentMaxBytes;

    /// <summary>Uploads one user may start per minute on one node; more answer 429 <c>rate_limited</c> before a byte is read.</summary>
    [Range(1, 100_000)]
    public int UploadsPerMinute { get; set; } = 60;

    /// <summary>How long an upload waits to be posted before it is removed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan UnpostedLifetime { get; set; } = ChatLimits.UnpostedAttachmentLifetime;

    /// <summary>How often expired uploads and files left by a crash are removed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
