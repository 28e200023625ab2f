using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>What the store says of a user in a room: its kind (null: no such room), their membership and their ban.</summary>
public sealed record StoredRoomFacts(string? Kind, MemberRecord? Member, BanRecord? Ban);

/// <summary>
/// The reads every join and every read mark make (the room policy's facts, the room's counters, a member's read
/// state), on connections kept open with each statement prepared once per connection. A fresh command per read had
/// SQLite parse and plan the same SQL every time: Microsoft.Data.Sqlite keeps no statement across commands
/// (dotnet/efcore#14044), and in a join storm that preparation alone was a fifth of the server's CPU. The store read
/// gate bounds how many reads run at once, so it also bounds how many connections are kept; PostgreSQL gets the same
/// statements, prepared on the server.
/// </summary>
public sealed class PreparedReads(IDbContextFactory<ChatDbContext> contexts) : IAsyncDisposable
{
    private static readonly string FactsSql =
        $"SELECT r.kind, {Prefixed("m", BatchCommands.MemberColumns)}, {Prefixed("b", BatchCommands.BanColumns)} " +
        "FROM rooms r " +
        "LEFT JOIN room_members m ON m.room = r.name AND m.user_id = @user " +
        "LEFT JOIN room_bans b ON b.room = r.name AND b.user_id = @user " +
        "WHERE r.name = @room";

    private const string CountersSql = "SELECT last_sequence, last_event_sequence FROM rooms WHERE name = @room";

    private static readonly int MemberColumnCount = BatchCommands.MemberColumns.Split(',').Length;

    private readonly ConcurrentBag<Reader> _idle = [];

    public Task<StoredRoomFacts> ReadFactsAsync(string room, string userId, CancellationToken cancellationToken = default) =>
        ReadRowAsync(FactsSql, [("room", room), ("user", userId)], ReadFacts, new StoredRoomFacts(null, null, null), cancellationToken);

    /// <summary>The room's counters; zeros for a room that does not exist.</summary>
    public Task<RoomCounters> ReadCountersAsync(string room, CancellationToken cancellationToken = default) =>
        ReadRowAsync(CountersSql, [("room", room)], reader => new RoomCounters(reader.GetInt64(0), reader.GetInt64(1)), default, cancellationToken);

    /// <summary>
    /// The first row of <paramref name="sql"/> read by <paramref name="read"/>, or <paramref name="none"/>. For a read
    /// another feature owns; its text is prepared on each kept connection the first time it runs there, so a feature
    /// passes one fixed text (never one built per call) with its parameters always in the same order.
    /// </summary>
    public Task<T> ReadRowAsync<T>(
        string sql, (string Name, string Value)[] parameters, Func<DbDataReader, T> read, T none, CancellationToken cancellationToken = default) =>
        ReadAsync(reader => reader.ReadRowAsync(sql, parameters, read, none, cancellationToken), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var reader))
        {
            await reader.DisposeAsync();
        }
    }

    private static StoredRoomFacts ReadFacts(DbDataReader reader)
    {
        var member = reader.IsDBNull(1) ? null : BatchCommands.ReadMember(reader, 1);
        var banAt = 1 + MemberColumnCount;
        var ban = reader.IsDBNull(banAt) ? null : BatchCommands.ReadBan(reader, banAt);
        return new StoredRoomFacts(reader.GetString(0), member, ban);
    }

    private async Task<T> ReadAsync<T>(Func<Reader, Task<T>> read, CancellationToken cancellationToken)
    {
        // A kept connection may have died with the server it talked to: one more try, on a fresh one.
        if (_idle.TryTake(out var kept))
        {
            try
            {
                return await ReadOnAsync(kept, read);
            }
            catch (DbException)
            {
                // Disposed by ReadOnAsync; the read goes on below.
            }
        }

        return await ReadOnAsync(await Reader.OpenAsync(contexts, cancellationToken), read);
    }

    private async Task<T> ReadOnAsync<T>(Reader reader, Func<Reader, Task<T>> read)
    {
        try
        {
            var result = await read(reader);
            _idle.Add(reader);
            return result;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    private static string Prefixed(string alias, string columns) =>
        string.Join(", ", columns.Split(',').Select(column => $"{alias}.{column.Trim()}"));

    private sealed class Reader(ChatDbContext context, DbConnection connection) : IAsyncDisposable
    {
        private readonly Dictionary<string, DbCommand> _statements = new(StringComparer.Ordinal);

        public static async Task<Reader> OpenAsync(IDbContextFactory<ChatDbContext> contexts, CancellationToken cancellationToken)
        {
            var context = await contexts.CreateDbContextAsync(cancellationToken);
            try
            {
                await context.Database.OpenConnectionAsync(cancellationToken);
                return new Reader(context, context.Database.GetDbConnection());
            }
            catch
            {
                await context.DisposeAsync();
                throw;
            }
        }

        public async Task<T> ReadRowAsync<T>(
            string sql, (string Name, string Value)[] parameters, Func<DbDataReader, T> read, T none, CancellationToken cancellationToken)
        {
            var statement = await StatementAsync(sql, parameters, cancellationToken);
            for (var i = 0; i < parameters.Length; i++)
            {
                statement.Parameters[i].Value = parameters[i].Value;
            }

            await using var reader = await statement.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? read(reader) : none;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var statement in _statements.Values)
            {
                await statement.DisposeAsync();
            }

            await context.DisposeAsync();
        }

        private async Task<DbCommand> StatementAsync(string sql, (string Name, string Value)[] parameters, CancellationToken cancellationToken)
        {
            if (_statements.TryGetValue(sql, out var prepared))
            {
                return prepared;
            }

            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = System.Data.DbType.String;
                parameter.Value = "";
                command.Parameters.Add(parameter);
            }

            try
            {
                await command.PrepareAsync(cancellationToken);
            }
            catch
            {
                await command.DisposeAsync();
                throw;
            }

            _statements[sql] = command;
            return command;
        }
    }
}
