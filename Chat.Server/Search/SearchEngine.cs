using System.Data.Common;
using System.Text;
using Chat.Server.History;
using Chat.Shared;

namespace Chat.Server.Search;

/// <summary>What one search looks in: the caller's readable rooms (or one room the policy let them read) and the filters.</summary>
public sealed record SearchScope(string UserId, string? Room, string? SenderId, DateTime? After, DateTime? Before, SearchCursor? Cursor, DateTime Now);

/// <summary>
/// A message found, with its text excerpt marked by <see cref="Snippets.Start"/> and <see cref="Snippets.End"/>, and
/// where the next page starts after it.
/// </summary>
public sealed record SearchRow(MessageRecord Message, string MarkedSnippet, SearchCursor Cursor);

/// <summary>
/// Full-text search in the store's own engine (one per provider, chosen in <see cref="SearchExtensions"/>). The engines
/// differ in how they match and excerpt; which rows a caller may see is written once, here.
/// </summary>
public abstract class SearchEngine
{
    /// <summary>Whether the index is filled after the commit (<see cref="CatchUpAsync"/>) rather than by the commit itself.</summary>
    public virtual bool IndexesAfterTheCommit => false;

    /// <summary>
    /// Brings the index up to every message committed before the call, for engines that index after the commit; a
    /// search calls it first, so it never misses what was posted before it. It writes to the store, so it runs on the
    /// writer's connection (<see cref="Messaging.ChangePipeline.RunOnWriterConnectionAsync"/>).
    /// </summary>
    public virtual Task CatchUpAsync(DbConnection connection, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Up to <paramref name="take"/> hits, newest first.</summary>
    public abstract Task<List<SearchRow>> SearchAsync(DbConnection connection, SearchQuery query, SearchScope scope, int take, CancellationToken cancellationToken = default);

    /// <summary>
    /// The rows of messages <c>m</c> the scope allows: never deleted ones; one room the policy let the caller read, or
    /// else the public rooms they are not banned from and the rooms they are a member of (the room policy's read rule,
    /// as SQL); then the caller's filters. Where a page starts is the engine's, as its order is.
    /// </summary>
    protected static string Filters(SearchScope scope, DbCommand command)
    {
        var sql = new StringBuilder(" AND m.deleted_at_ticks IS NULL");
        if (scope.Room is { } room)
        {
            sql.Append(" AND m.room = @room");
            Add(command, "room", room);
        }
        else
        {
            sql.Append(
                " AND (m.room IN (SELECT r.room FROM room_members r WHERE r.user_id = @user)" +
                $" OR m.room IN (SELECT p.name FROM rooms p WHERE p.kind = '{RoomKinds.Public}' AND p.name NOT IN" +
                " (SELECT b.room FROM room_bans b WHERE b.user_id = @user AND (b.until_ticks IS NULL OR b.until_ticks > @now))))");
            Add(command, "user", scope.UserId);
            Add(command, "now", scope.Now.Ticks);
        }

        if (scope.SenderId is { } sender)
        {
            sql.Append(" AND m.sender_id = @sender");
            Add(command, "sender", sender);
        }

        if (scope.After is { } after)
        {
            sql.Append(" AND m.sent_at_ticks > @after");
            Add(command, "after", after.Ticks);
        }

        if (scope.Before is { } before)
        {
            sql.Append(" AND m.sent_at_ticks < @before");
            Add(command, "before", before.Ticks);
        }

        return sql.ToString();
    }

    protected static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>
/// SQLite: the FTS5 table <c>messages_fts</c> over <c>messages.content</c>. Newest first is the order messages were
/// stored in, which is the index's own row order: FTS5 walks its matches from the newest and stops at the page's end,
/// and excerpts only the rows it returns, so a common word costs about what a rare one does.
/// <para>
/// New messages are indexed after their commit, not in it: tokenizing in the writer's transaction cost posting about
/// a fifth of its throughput (docs/benchmarks.md). <see cref="CatchUpAsync"/> indexes, in transactions of up to
/// <see cref="IndexBatch"/> messages, every row after <c>search_progress.indexed_through</c> and moves that mark in the
/// same transaction; the index is derived data, so these commits need not wait for the disk (a power cut loses
/// only work the next pass redoes). The passes run on the group commit's own connection, between two of its batches,
/// one at a time. Edits and deletes of indexed rows are applied by triggers in their own
/// transaction (the migration), so an old word is never found after its edit commits.
/// </para>
/// </summary>
internal sealed class SqliteSearchEngine : SearchEngine
{
    private const int IndexBatch = 1_000;

    public override bool IndexesAfterTheCommit => true;

    public override async Task CatchUpAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        if (!await IsBehindAsync(connection, cancellationToken))
        {
            return;
        }

        // The index is rebuilt from the messages if its last commit is lost, so it need not wait for the disk.
        await ExecuteAsync(connection, "PRAGMA synchronous=NORMAL;", cancellationToken);
        try
        {
            while (await IndexNextAsync(connection, cancellationToken))
            {
            }
        }
        finally
        {
            // The connection's users expect SqliteSetup's FULL.
            await ExecuteAsync(connection, "PRAGMA synchronous=FULL;", CancellationToken.None);
        }
    }

    private static async Task<bool> IsBehindAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM messages) > (SELECT indexed_through FROM search_progress)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) != 0;
    }

    /// <summary>Indexes the next batch after the mark and moves it; returns whether a full batch was indexed (more may wait).</summary>
    private static async Task<bool> IndexNextAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: the mark and the rows it covers are read and written under the write lock.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        Add(command, "batch", IndexBatch);
        command.CommandText =
            "SELECT COUNT(*), MAX(rowid) FROM (SELECT rowid FROM messages " +
            "WHERE rowid > (SELECT indexed_through FROM search_progress) ORDER BY rowid LIMIT @batch)";
        long count;
        long through;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            count = reader.GetInt64(0);
            through = count == 0 ? 0 : reader.GetInt64(1);
        }

        if (count > 0)
        {
            Add(command, "through", through);
            command.CommandText =
                "INSERT INTO messages_fts(rowid, content) SELECT rowid, content FROM messages " +
                "WHERE rowid > (SELECT indexed_through FROM search_progress) AND rowid <= @through ORDER BY rowid; " +
                "UPDATE search_progress SET indexed_through = @through;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return count == IndexBatch;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<List<SearchRow>> SearchAsync(DbConnection connection, SearchQuery query, SearchScope scope, int take, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        Add(command, "query", query.ToFts5());
        Add(command, "take", take);
        var start = string.Empty;
        if (scope.Cursor is { } cursor)
        {
            start = " AND messages_fts.rowid < @position";
            Add(command, "position", cursor.Position);
        }

        command.CommandText =
            $"SELECT {BatchCommands.Qualified("m")}, messages_fts.rowid, " +
            $"snippet(messages_fts, 0, char({(int)Snippets.Start}), char({(int)Snippets.End}), '…', 24) " +
            "FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid " +
            $"WHERE messages_fts MATCH @query{start}{Filters(scope, command)} ORDER BY messages_fts.rowid DESC LIMIT @take";
        var rows = new List<SearchRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var message = BatchCommands.ReadRecord(reader);
            var position = reader.GetInt64(reader.FieldCount - 2);
            rows.Add(new SearchRow(message, reader.GetString(reader.FieldCount - 1), new SearchCursor(position, message.Room, message.Sequence)));
        }

        return rows;
    }
}

/// <summary>
/// PostgreSQL: the generated <c>search_vector</c> column and its GIN index; newest first by when messages were sent
/// (then room and sequence). <c>ts_headline</c> runs on the page's hits only, after the limit.
/// </summary>
internal sealed class PostgresSearchEngine : SearchEngine
{
    private const string NewestFirst = "m.sent_at_ticks DESC, m.room DESC, m.sequence DESC";

    private static readonly string HeadlineOptions =
        $"StartSel=\"{Snippets.Start}\", StopSel=\"{Snippets.End}\", MaxWords=30, MinWords=12, ShortWord=1, HighlightAll=false";

    public override async Task<List<SearchRow>> SearchAsync(DbConnection connection, SearchQuery query, SearchScope scope, int take, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        Add(command, "query", query.ToTsQuery());
        Add(command, "take", take);
        Add(command, "headline", HeadlineOptions);
        var start = string.Empty;
        if (scope.Cursor is { } cursor)
        {
            start = " AND (m.sent_at_ticks, m.room, m.sequence) < (@position, @room_after, @sequence_after)";
            Add(command, "position", cursor.Position);
            Add(command, "room_after", cursor.Room);
            Add(command, "sequence_after", cursor.Sequence);
        }

        var columns = BatchCommands.Qualified("m");
        command.CommandText =
            "WITH q AS (SELECT to_tsquery('simple'::regconfig, @query) AS query), " +
            $"hits AS (SELECT {columns} FROM messages m, q WHERE m.search_vector @@ q.query{start}{Filters(scope, command)} " +
            $"ORDER BY {NewestFirst} LIMIT @take) " +
            $"SELECT {columns}, ts_headline('simple'::regconfig, m.content, q.query, @headline) FROM hits m, q ORDER BY {NewestFirst}";
        var rows = new List<SearchRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var message = BatchCommands.ReadRecord(reader);
            rows.Add(new SearchRow(message, reader.GetString(reader.FieldCount - 1), new SearchCursor(message.SentAt.Ticks, message.Room, message.Sequence)));
        }

        return rows;
    }
}
