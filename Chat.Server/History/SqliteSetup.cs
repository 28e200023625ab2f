using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Chat.Server.History;

internal static class SqliteSetup
{
    public const string DefaultConnectionString = "Data Source=chat.db";

    /// <summary>
    /// The writer's page cache: 32 MiB instead of SQLite's 2 MiB. Each message of a batch touches a page of every
    /// index keyed by room or sender, spread over the whole file; with the default cache most of them had been evicted
    /// since the last batch and were read again from the file (or the log) before they could be changed. And the
    /// writer checkpoints the log itself only once it holds <see cref="WriterCheckpointPages"/> pages:
    /// <see cref="SqliteCheckpointer"/> copies it to the database from its own connection, beside the writer.
    /// </summary>
    public static readonly string WriterPragmas = $"PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint={WriterCheckpointPages};";

    /// <summary>SQLite's defaults, given back to a pooled connection when the writer lets it go.</summary>
    public static readonly string PooledPragmas = $"PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint={WriteAheadLog.CheckpointPages};";

    /// <summary>
    /// The log's length (4 KiB pages, so 40 MiB) at which the writer stops to checkpoint it: only when the background
    /// checkpoints fall behind, and then little is left to copy. SQLite's own default, 1,000, made the commit that
    /// crossed it copy the log, on the writer's serial loop, several times a second at full ingest.
    /// </summary>
    public const int WriterCheckpointPages = 10_000;

    /// <summary>
    /// Several processes may share one SQLite file: a generous busy timeout makes writers queue for the lock
    /// instead of failing, and pooling keeps the per-connection pragmas cheap.
    /// </summary>
    public static string Normalize(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        return builder.ToString();
    }

    public static string DataSourcePath(string connectionString) =>
        Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(Normalize(connectionString)).AddInterceptors(PragmaInterceptor.Instance);

    /// <summary>
    /// WAL lets readers run beside the writer; synchronous=FULL makes every acknowledged commit survive a crash;
    /// secure_delete overwrites the text of a deleted message in the file instead of leaving it in free space.
    /// The pragmas hold for the life of the database connection, and a pooled one is opened again for every query:
    /// they run once per database connection (a join's reads spent a tenth of their time parsing them again).
    /// </summary>
    private sealed class PragmaInterceptor : DbConnectionInterceptor
    {
        public static readonly PragmaInterceptor Instance = new();
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON;";

        private readonly ConditionalWeakTable<object, object> _configured = [];

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (FirstOpen(connection))
            {
                using var command = connection.CreateCommand();
                command.CommandText = Pragmas;
                command.ExecuteNonQuery();
            }
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (FirstOpen(connection))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = Pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        /// <summary>The pool hands out the same native handle again; a new one has not been configured yet.</summary>
        private bool FirstOpen(DbConnection connection) =>
            ((SqliteConnection)connection).Handle is not { } handle || _configured.TryAdd(handle, handle);
    }
}

/// <summary>For <c>dotnet ef migrations add --context SqliteChatDbContext</c>.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteChatDbContext>
{
    public SqliteChatDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteChatDbContext>();
        SqliteSetup.Configure(options, "Data Source=design-time.db");
        return new SqliteChatDbContext(options.Options);
    }
}
