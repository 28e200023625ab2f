using System.ComponentModel.DataAnnotations;

namespace Chat.Server.History;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string DiskDurability = "disk";
    public const string ProcessDurability = "process";

    /// <summary><c>sqlite</c> (default, embedded) or <c>postgres</c> (several hosts).</summary>
    [Required]
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Database:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// When an acknowledged change is safe. <c>disk</c> (default): the commit is on disk first (SQLite
    /// <c>synchronous=FULL</c>, PostgreSQL <c>synchronous_commit=on</c>), so it survives a power loss.
    /// <c>process</c>: the commit is handed to the operating system (SQLite's write-ahead log) or to PostgreSQL
    /// without waiting for its flush, so it survives a crash of the chat server, while a power loss, a kernel crash
    /// (or, on PostgreSQL, a crash of the database server) may take the changes of the last moments. See
    /// docs/protocol.md, "Durability settings".
    /// </summary>
    [RegularExpression("^(disk|process)$", ErrorMessage = "Database:Durability must be 'disk' or 'process'.")]
    public string Durability { get; set; } = DiskDurability;

    /// <summary>
    /// How long a commit that waits for the disk first gathers more changes while the node is busy (its last commit ended
    /// less than <see cref="BusyWindow"/> ago), so that one flush covers more posts: at 800 posts a second this halves the
    /// commits and takes a fifth off the server's CPU per delivery, for about 3 ms more before the answer
    /// (docs/benchmarks.md). A post to an idle node never waits. Zero turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.100")]
    public TimeSpan CommitDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>A node whose last commit ended this recently is busy: its next commit may wait <see cref="CommitDelay"/>.</summary>
    public static readonly TimeSpan BusyWindow = TimeSpan.FromMilliseconds(20);

    /// <summary>Most messages one group commit writes in one transaction.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// Store reads of calls (joins, recoveries, history pages, the room list) that run at once on this node; more wait
    /// their turn, oldest first, and are never refused (see <see cref="StoreReadGate"/>).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentReads { get; set; } = DefaultMaxConcurrentReads;

    public const int DefaultMaxConcurrentReads = 8;

    /// <summary>
    /// Whether a commit waits for the disk: changes of a room's log and read pointers do under <c>disk</c>
    /// durability; joins and sign-ins (made again by the next join) never do.
    /// </summary>
    public bool CommitWaitsForDisk(bool promised) => promised && Durability == DiskDurability;
}
