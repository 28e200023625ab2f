using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>What the store says of a user in a room: its kind (null: no such room), their membership and their ban.</summary>
public sealed record StoredRoomFacts(string? Kind, MemberRecord? Member, BanRecord? Ban);

/// <summary>
/// The reads every join makes (the room policy's facts, the room's counters), on connections kept open with their
/// statements prepared once. A fresh command per read had SQLite parse and plan the same SQL every time:
/// Microsoft.Data.Sqlite keeps no statement across commands (dotnet/efcore#14044), and in a join storm that preparation
/// alone was a fifth of the server's CPU. The store read gate bounds how many reads run at once, so it also bounds how
/// many connections are kept; PostgreSQL gets the same statements, prepared on the server.
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
        ReadAsync(reader => reader.ReadFactsAsync(room, userId, cancellationToken), cancellationToken);

    /// <summary>The room's counters; zeros for a room that does not exist.</summary>
    public Task<RoomCounters> ReadCountersAsync(string room, CancellationToken cancellationToken = default) =>
        ReadAsync(reader => reader.ReadCountersAsync(room, cancellationToken), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var reader))
        {
            await reader.DisposeAsync();
        }
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

    private sealed class Reader(ChatDbContext context, DbCommand facts, DbCommand counters) : IAsyncDisposable
    {
        public static async Task<Reader> OpenAsync(IDbContextFactory<ChatDbContext> contexts, CancellationToken cancellationToken)
        {
            var context = await contexts.CreateDbContextAsync(cancellationToken);
            try
            {
                await context.Database.OpenConnectionAsync(cancellationToken);
                var connection = context.Database.GetDbConnection();
                return new Reader(
                    context,
                    await PrepareAsync(connection, FactsSql, ["room", "user"], cancellationToken),
                    await PrepareAsync(connection, CountersSql, ["room"], cancellationToken));
            }
            catch
            {
                await context.DisposeAsync();
                throw;
            }
        }

        public async Task<StoredRoomFacts> ReadFactsAsync(string room, string userId, CancellationToken cancellationToken)
        {
            facts.Parameters[0].Value = room;
            facts.Parameters[1].Value = userId;
            await using var reader = await facts.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new StoredRoomFacts(null, null, null);
            }

            var member = reader.IsDBNull(1) ? null : BatchCommands.ReadMember(reader, 1);
            var banAt = 1 + MemberColumnCount;
            var ban = reader.IsDBNull(banAt) ? null : BatchCommands.ReadBan(reader, banAt);
            return new StoredRoomFacts(reader.GetString(0), member, ban);
        }

        public async Task<RoomCounters> ReadCountersAsync(string room, CancellationToken cancellationToken)
        {
            counters.Parameters[0].Value = room;
            await using var reader = await counters.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new RoomCounters(reader.GetInt64(0), reader.GetInt64(1)) : default;
        }

        public async ValueTask DisposeAsync()
        {
            await facts.DisposeAsync();
            await counters.DisposeAsync();
            await context.DisposeAsync();
        }

        private static async Task<DbCommand> PrepareAsync(DbConnection connection, string sql, string[] parameters, CancellationToken cancellationToken)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = System.Data.DbType.String;
                parameter.Value = "";
                command.Parameters.Add(parameter);
            }

            await command.PrepareAsync(cancellationToken);
            return command;
        }
    }
}
