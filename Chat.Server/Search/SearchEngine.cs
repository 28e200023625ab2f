using System.Data.Common;
using System.Text;
using Chat.Server.History;
using Chat.Shared;

namespace Chat.Server.Search;

/// <summary>What one search looks in: the caller's readable rooms (or one room the policy let them read) and the filters.</summary>
public sealed record SearchScope(string UserId, string? Room, string? SenderId, DateTime? After, DateTime? Before, SearchCursor? Cursor, DateTime Now);

/// <summary>A message found, with its text excerpt marked by <see cref="Snippets.Start"/> and <see cref="Snippets.End"/>.</summary>
public sealed record SearchRow(MessageRecord Message, string MarkedSnippet);

/// <summary>
/// Full-text search in the store's own engine (one per provider, chosen in <see cref="SearchExtensions"/>). The engines
/// differ in how they match and excerpt; which rows a caller may see is written once, here.
/// </summary>
public abstract class SearchEngine
{
    /// <summary>Up to <paramref name="take"/> hits, newest first.</summary>
    public abstract Task<List<SearchRow>> SearchAsync(DbConnection connection, SearchQuery query, SearchScope scope, int take, CancellationToken cancellationToken = default);

    protected const string NewestFirst = "m.sent_at_ticks DESC, m.room DESC, m.sequence DESC";

    /// <summary>
    /// The rows of messages <c>m</c> the scope allows: never deleted ones; one room the policy let the caller read, or
    /// else the public rooms they are not banned from and the rooms they are a member of (the room policy's read rule,
    /// as SQL); then the caller's filters and the page's start.
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

        if (scope.Cursor is { } cursor)
        {
            sql.Append(
                " AND (m.sent_at_ticks < @cursorAt OR (m.sent_at_ticks = @cursorAt AND (m.room < @cursorRoom" +
                " OR (m.room = @cursorRoom AND m.sequence < @cursorSequence))))");
            Add(command, "cursorAt", cursor.SentAtTicks);
            Add(command, "cursorRoom", cursor.Room);
            Add(command, "cursorSequence", cursor.Sequence);
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
/// SQLite: the FTS5 table <c>messages_fts</c> over <c>messages.content</c> (triggers keep it in step). Excerpts are made
/// in a second statement for the page's hits only: <c>snippet()</c> in the first would run for every match.
/// </summary>
internal sealed class SqliteSearchEngine : SearchEngine
{
    public override async Task<List<SearchRow>> SearchAsync(DbConnection connection, SearchQuery query, SearchScope scope, int take, CancellationToken cancellationToken = default)
    {
        var fts = query.ToFts5();
        var found = new List<(long RowId, MessageRecord Message)>();
        await using (var command = connection.CreateCommand())
        {
            Add(command, "query", fts);
            Add(command, "take", take);
            command.CommandText =
                $"SELECT {BatchCommands.Qualified("m")}, m.rowid FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid " +
                $"WHERE messages_fts MATCH @query{Filters(scope, command)} ORDER BY {NewestFirst} LIMIT @take";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetInt64(reader.FieldCount - 1), BatchCommands.ReadRecord(reader)));
            }
        }

        if (found.Count == 0)
        {
            return [];
        }

        var snippets = new Dictionary<long, string>();
        await using (var command = connection.CreateCommand())
        {
            Add(command, "query", fts);
            command.CommandText =
                $"SELECT rowid, snippet(messages_fts, 0, char({(int)Snippets.Start}), char({(int)Snippets.End}), '…', 24) FROM messages_fts " +
                $"WHERE messages_fts MATCH @query AND rowid IN ({string.Join(", ", found.Select(f => f.RowId))})";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                snippets[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        return [.. found.Select(f => new SearchRow(f.Message, snippets.GetValueOrDefault(f.RowId, f.Message.Content)))];
    }
}

/// <summary>
/// PostgreSQL: the generated <c>search_vector</c> column and its GIN index. <c>ts_headline</c> runs on the page's hits
/// only, after the limit.
/// </summary>
internal sealed class PostgresSearchEngine : SearchEngine
{
    private static readonly string HeadlineOptions =
        $"StartSel=\"{Snippets.Start}\", StopSel=\"{Snippets.End}\", MaxWords=30, MinWords=12, ShortWord=1, HighlightAll=false";

    public override async Task<List<SearchRow>> SearchAsync(DbConnection connection, SearchQuery query, SearchScope scope, int take, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        Add(command, "query", query.ToTsQuery());
        Add(command, "take", take);
        Add(command, "headline", HeadlineOptions);
        var columns = BatchCommands.Qualified("m");
        command.CommandText =
            "WITH q AS (SELECT to_tsquery('simple'::regconfig, @query) AS query), " +
            $"hits AS (SELECT {columns} FROM messages m, q WHERE m.search_vector @@ q.query{Filters(scope, command)} " +
            $"ORDER BY {NewestFirst} LIMIT @take) " +
            $"SELECT {columns}, ts_headline('simple'::regconfig, m.content, q.query, @headline) FROM hits m, q ORDER BY {NewestFirst}";
        var rows = new List<SearchRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SearchRow(BatchCommands.ReadRecord(reader), reader.GetString(reader.FieldCount - 1)));
        }

        return rows;
    }
}
