using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Chat.Server.History;

/// <summary>
/// One statement of the group commit's hot path, prepared once on the writer's connection and bound by position
/// through SQLite's own API. Microsoft.Data.Sqlite looks every parameter up by name, infers its type and builds a
/// reader on each execution; on a batch of new messages that was most of the writer's time outside SQLite itself.
/// Text is bound as UTF-8 exactly as Microsoft.Data.Sqlite binds it (the same <c>sqlite3_bind_text</c>), so what is
/// stored does not depend on which path wrote it. The statement runs inside the transaction the connection has open.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v3(_database, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement));
    }

    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, long? value)
    {
        if (value is { } number)
        {
            Bind(index, number);
        }
        else
        {
            Check(raw.sqlite3_bind_null(_statement, index));
        }
    }

    /// <summary>Runs a statement that returns no rows and makes it ready to be bound again.</summary>
    public void Execute()
    {
        try
        {
            Step();
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>
    /// Runs a statement that returns one row (an upsert's <c>RETURNING</c>) and hands that row to
    /// <paramref name="read"/>; the statement is stepped to its end, so that its writes are complete, and reset.
    /// </summary>
    public void ExecuteRow<TState>(TState state, Action<SqliteStatement, TState> read)
    {
        try
        {
            if (!Step())
            {
                throw new InvalidOperationException("The statement returned no row.");
            }

            read(this, state);
            while (Step())
            {
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public int GetInt32(int column) => raw.sqlite3_column_int(_statement, column);

    public string GetString(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public void Dispose() => _statement.Dispose();

    /// <summary>True with a row to read, false when done; an error (a unique index refusing a row) throws as Microsoft.Data.Sqlite's would.</summary>
    private bool Step()
    {
        var result = raw.sqlite3_step(_statement);
        if (result == raw.SQLITE_ROW)
        {
            return true;
        }

        if (result == raw.SQLITE_DONE)
        {
            return false;
        }

        Check(result);
        return false;
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            // The primary code, as Microsoft.Data.Sqlite reports it; it adds the extended one (which constraint refused
            // the row), which BatchCommands.IsUniqueViolation and IsRefusal test.
            SqliteException.ThrowExceptionForRC(result & 0xFF, _database);
        }
    }
}
