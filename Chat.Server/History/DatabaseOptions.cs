using System.ComponentModel.DataAnnotations;

namespace Chat.Server.History;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default, embedded) or <c>postgres</c> (several hosts).</summary>
    [Required]
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Database:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = Sqlite;

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
}
