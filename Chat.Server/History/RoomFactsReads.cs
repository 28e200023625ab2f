using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>What the store says of a user in a room: its kind (null: no such room), their membership and their ban.</summary>
public sealed record StoredRoomFacts(string? Kind, MemberRecord? Member, BanRecord? Ban);

/// <summary>
/// The room policy's one read, made on connections kept open with the statement prepared once. The read runs before
/// every join and every call into a room not joined, and a fresh command per read had SQLite parse and plan the same
/// SQL every time: Microsoft.Data.Sqlite keeps no statement across commands (dotnet/efcore#14044), and in a join storm
/// that preparation alone was a fifth of the server's CPU. The store read gate bounds how many reads run at once, so
/// it also bounds how many connections are kept; PostgreSQL gets the same statement, prepared on the server.
/// </summary>
public sealed class RoomFactsReads(IDbContextFactory<ChatDbContext> contexts) : IAsyncDisposable
{
    private static readonly string Sql =
        $"SELECT r.kind, {Prefixed("m", BatchCommands.MemberColumns)}, {Prefixed("b", BatchCommands.BanColumns)} " +
        "FROM rooms r " +
        "LEFT JOIN room_members m ON m.room = r.name AND m.user_id = @user " +
        "LEFT JOIN room_bans b ON b.room = r.name AND b.user_id = @user " +
        "WHERE r.name = @room";

    private static readonly int MemberColumnCount = BatchCommands.MemberColumns.Split(',').Length;

    private readonly ConcurrentBag<Reader> _idle = [];

    public async Task<StoredRoomFacts> ReadAsync(string room, string userId, CancellationToken cancellationToken = default)
    {
        // A kept connection may have died with the server it talked to: one more try, on a fresh one.
        if (_idle.TryTake(out var kept))
        {
            try
            {
                return await ReadOnAsync(kept, room, userId, cancellationToken);
            }
            catch (DbException)
            {
                // Disposed by ReadOnAsync; the read goes on below.
            }
        }

        return await ReadOnAsync(await Reader.OpenAsync(contexts, cancellationToken), room, userId, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var reader))
        {
            await reader.DisposeAsync();
        }
    }

    private async Task<StoredRoomFacts> ReadOnAsync(Reader reader, string room, string userId, CancellationToken cancellationToken)
    {
        try
        {
            var facts = await reader.ReadAsync(room, userId, cancellationToken);
            _idle.Add(reader);
            return facts;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    private static string Prefixed(string alias, string columns) =>
        string.Join(", ", columns.Split(',').Select(column => $"{alias}.{column.Trim()}"));

    private sealed class Reader(ChatDbContext context, DbCommand command) : IAsyncDisposable
    {
        public static async Task<Reader> OpenAsync(IDbContextFactory<ChatDbContext> contexts, CancellationToken cancellationToken)
        {
            var context = await contexts.CreateDbContextAsync(cancellationToken);
            try
            {
                await context.Database.OpenConnectionAsync(cancellationToken);
                var command = context.Database.GetDbConnection().CreateCommand();
                command.CommandText = Sql;
                foreach (var name in (string[])["room", "user"])
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.DbType = System.Data.DbType.String;
                    parameter.Value = "";
                    command.Parameters.Add(parameter);
                }

                await command.PrepareAsync(cancellationToken);
                return new Reader(context, command);
            }
            catch
            {
                await context.DisposeAsync();
                throw;
            }
        }

        public async Task<StoredRoomFacts> ReadAsync(string room, string userId, CancellationToken cancellationToken)
        {
            command.Parameters[0].Value = room;
            command.Parameters[1].Value = userId;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new StoredRoomFacts(null, null, null);
            }

            var member = reader.IsDBNull(1) ? null : BatchCommands.ReadMember(reader, 1);
            var banAt = 1 + MemberColumnCount;
            var ban = reader.IsDBNull(banAt) ? null : BatchCommands.ReadBan(reader, banAt);
            return new StoredRoomFacts(reader.GetString(0), member, ban);
        }

        public async ValueTask DisposeAsync()
        {
            await command.DisposeAsync();
            await context.DisposeAsync();
        }
    }
}
