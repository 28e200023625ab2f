using System.Data.Common;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Server.History;

/// <summary>A room's share of one batch: how many sequences it needs, and the last one allocated to it.</summary>
internal sealed class RoomBlock
{
    public int Count { get; set; }

    public long Last { get; set; }
}

/// <summary>
/// The group commit's three statements (find retries, allocate sequences, insert) as plain ADO.NET commands, built
/// and prepared once on the writer's long-lived connection and re-bound for each batch. EF Core's change tracking
/// and per-batch SQL generation cost more CPU per message than the database's own work; EF Core keeps the schema
/// (migrations) and every read.
/// </summary>
internal abstract class BatchCommands : IAsyncDisposable
{
    public const string MessageColumns = "id, room, sequence, sender_id, sender_name, content, sent_at_ticks, client_message_id";

    /// <summary>The room upsert: creates the room on first use and allocates its block atomically under the row (or database) write lock.</summary>
    protected const string AllocateUpsert =
        "ON CONFLICT (name) DO UPDATE SET last_sequence = rooms.last_sequence + excluded.last_sequence RETURNING name, last_sequence";

    public static async Task<BatchCommands> OpenAsync(ChatDbContext context)
    {
        await context.Database.OpenConnectionAsync();
        var connection = context.Database.GetDbConnection();
        return connection switch
        {
            SqliteConnection sqlite => new SqliteBatchCommands(sqlite),
            NpgsqlConnection npgsql => await PostgresBatchCommands.CreateAsync(npgsql),
            _ => throw new NotSupportedException($"No batch commands for {connection.GetType().Name}."),
        };
    }

    public abstract Task BeginAsync();

    /// <summary>Adds to <paramref name="known"/> every (sender, clientMessageId) of the batch that is already stored.</summary>
    public abstract Task FindRetriesAsync(IReadOnlyCollection<(string SenderId, string ClientMessageId)> keys, Dictionary<(string, string), ChatMessage> known);

    /// <summary>Sets <see cref="RoomBlock.Last"/> of each room to the last sequence of the block allocated to it.</summary>
    public abstract Task AllocateAsync(Dictionary<string, RoomBlock> rooms);

    public abstract Task InsertAsync(IReadOnlyList<ChatMessage> messages);

    public abstract Task CommitAsync();

    public abstract Task RollbackAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>A unique index refused a row: in a batch, a client's retry of a message that another batch stored.</summary>
    public static bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private const int SqliteConstraint = 19;

    protected static ChatMessage ReadMessage(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        new DateTime(reader.GetInt64(6), DateTimeKind.Utc),
        reader.IsDBNull(7) ? null : reader.GetString(7));
}

/// <summary>
/// SQLite runs in-process, so a statement costs no round trip: prepared single-row statements, re-bound and stepped
/// once per message, are its fastest bulk path. Microsoft.Data.Sqlite's async methods run synchronously anyway.
/// </summary>
internal sealed class SqliteBatchCommands : BatchCommands
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _findRetry;
    private readonly SqliteCommand _allocate;
    private readonly SqliteCommand _insert;
    private SqliteTransaction? _transaction;

    public SqliteBatchCommands(SqliteConnection connection)
    {
        _connection = connection;
        _findRetry = Prepare($"SELECT {MessageColumns} FROM messages WHERE sender_id = $sender AND client_message_id = $client", "$sender", "$client");
        _allocate = Prepare($"INSERT INTO rooms (name, last_sequence) VALUES ($room, $count) {AllocateUpsert}", "$room", "$count");
        _insert = Prepare(
            $"INSERT INTO messages ({MessageColumns}) VALUES ($id, $room, $sequence, $sender, $name, $content, $ticks, $client)",
            "$id", "$room", "$sequence", "$sender", "$name", "$content", "$ticks", "$client");
    }

    public override Task BeginAsync()
    {
        // BEGIN IMMEDIATE: take the write lock first, so that no other process can commit between our read and write.
        _transaction = _connection.BeginTransaction(deferred: false);
        _findRetry.Transaction = _transaction;
        _allocate.Transaction = _transaction;
        _insert.Transaction = _transaction;
        return Task.CompletedTask;
    }

    public override Task FindRetriesAsync(IReadOnlyCollection<(string SenderId, string ClientMessageId)> keys, Dictionary<(string, string), ChatMessage> known)
    {
        var parameters = _findRetry.Parameters;
        foreach (var key in keys)
        {
            parameters[0].Value = key.SenderId;
            parameters[1].Value = key.ClientMessageId;
            using var reader = _findRetry.ExecuteReader();
            if (reader.Read())
            {
                known[key] = ReadMessage(reader);
            }
        }

        return Task.CompletedTask;
    }

    public override Task AllocateAsync(Dictionary<string, RoomBlock> rooms)
    {
        var parameters = _allocate.Parameters;
        foreach (var (room, block) in rooms)
        {
            parameters[0].Value = room;
            parameters[1].Value = (long)block.Count;
            using var reader = _allocate.ExecuteReader();
            reader.Read();
            block.Last = reader.GetInt64(1);
        }

        return Task.CompletedTask;
    }

    public override Task InsertAsync(IReadOnlyList<ChatMessage> messages)
    {
        var parameters = _insert.Parameters;
        foreach (var message in messages)
        {
            parameters[0].Value = message.Id;
            parameters[1].Value = message.Room;
            parameters[2].Value = message.Sequence;
            parameters[3].Value = message.SenderId;
            parameters[4].Value = message.SenderName;
            parameters[5].Value = message.Content;
            parameters[6].Value = message.SentAt.Ticks;
            parameters[7].Value = (object?)message.ClientMessageId ?? DBNull.Value;
            _insert.ExecuteNonQuery();
        }

        return Task.CompletedTask;
    }

    public override Task CommitAsync()
    {
        using var transaction = _transaction;
        _transaction = null;
        transaction?.Commit();
        return Task.CompletedTask;
    }

    public override Task RollbackAsync()
    {
        using var transaction = _transaction;
        _transaction = null;
        transaction?.Rollback();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _transaction?.Dispose();
        _findRetry.Dispose();
        _allocate.Dispose();
        _insert.Dispose();
        return ValueTask.CompletedTask;
    }

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }
}

/// <summary>
/// PostgreSQL is a round trip away: each statement covers the whole batch by taking its rows as arrays
/// (<c>unnest</c>), so the SQL text never changes with the batch size and stays prepared on the connection.
/// </summary>
internal sealed class PostgresBatchCommands : BatchCommands
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _findRetries;
    private readonly NpgsqlCommand _allocate;
    private readonly NpgsqlCommand _insert;
    private NpgsqlTransaction? _transaction;

    private PostgresBatchCommands(NpgsqlConnection connection)
    {
        _connection = connection;
        _findRetries = Command(
            $"SELECT {Qualified("m")} FROM messages m JOIN unnest(@senders, @clients) AS k(sender_id, client_message_id) " +
            "ON m.sender_id = k.sender_id AND m.client_message_id = k.client_message_id",
            ("senders", NpgsqlDbType.Text), ("clients", NpgsqlDbType.Text));
        // Rooms in one order in every process: concurrent batches lock shared room rows in the same order.
        _allocate = Command(
            $"INSERT INTO rooms (name, last_sequence) SELECT * FROM unnest(@rooms, @counts) {AllocateUpsert}",
            ("rooms", NpgsqlDbType.Text), ("counts", NpgsqlDbType.Bigint));
        _insert = Command(
            $"INSERT INTO messages ({MessageColumns}) SELECT * FROM unnest(@ids, @rooms, @sequences, @senders, @names, @contents, @ticks, @clients)",
            ("ids", NpgsqlDbType.Text), ("rooms", NpgsqlDbType.Text), ("sequences", NpgsqlDbType.Bigint), ("senders", NpgsqlDbType.Text),
            ("names", NpgsqlDbType.Text), ("contents", NpgsqlDbType.Text), ("ticks", NpgsqlDbType.Bigint), ("clients", NpgsqlDbType.Text));
    }

    public static async Task<PostgresBatchCommands> CreateAsync(NpgsqlConnection connection)
    {
        var commands = new PostgresBatchCommands(connection);
        await commands._findRetries.PrepareAsync();
        await commands._allocate.PrepareAsync();
        await commands._insert.PrepareAsync();
        return commands;
    }

    public override async Task BeginAsync()
    {
        _transaction = await _connection.BeginTransactionAsync();
        _findRetries.Transaction = _transaction;
        _allocate.Transaction = _transaction;
        _insert.Transaction = _transaction;
    }

    public override async Task FindRetriesAsync(IReadOnlyCollection<(string SenderId, string ClientMessageId)> keys, Dictionary<(string, string), ChatMessage> known)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var senders = new string[keys.Count];
        var clients = new string[keys.Count];
        var i = 0;
        foreach (var (senderId, clientMessageId) in keys)
        {
            senders[i] = senderId;
            clients[i++] = clientMessageId;
        }

        _findRetries.Parameters[0].Value = senders;
        _findRetries.Parameters[1].Value = clients;
        await using var reader = await _findRetries.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var message = ReadMessage(reader);
            known[(message.SenderId, message.ClientMessageId!)] = message;
        }
    }

    public override async Task AllocateAsync(Dictionary<string, RoomBlock> rooms)
    {
        var names = rooms.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        var counts = new long[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            counts[i] = rooms[names[i]].Count;
        }

        _allocate.Parameters[0].Value = names;
        _allocate.Parameters[1].Value = counts;
        await using var reader = await _allocate.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rooms[reader.GetString(0)].Last = reader.GetInt64(1);
        }
    }

    public override async Task InsertAsync(IReadOnlyList<ChatMessage> messages)
    {
        var count = messages.Count;
        var ids = new string[count];
        var rooms = new string[count];
        var sequences = new long[count];
        var senders = new string[count];
        var names = new string[count];
        var contents = new string[count];
        var ticks = new long[count];
        var clients = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var message = messages[i];
            ids[i] = message.Id;
            rooms[i] = message.Room;
            sequences[i] = message.Sequence;
            senders[i] = message.SenderId;
            names[i] = message.SenderName;
            contents[i] = message.Content;
            ticks[i] = message.SentAt.Ticks;
            clients[i] = message.ClientMessageId;
        }

        var parameters = _insert.Parameters;
        parameters[0].Value = ids;
        parameters[1].Value = rooms;
        parameters[2].Value = sequences;
        parameters[3].Value = senders;
        parameters[4].Value = names;
        parameters[5].Value = contents;
        parameters[6].Value = ticks;
        parameters[7].Value = clients;
        await _insert.ExecuteNonQueryAsync();
    }

    public override async Task CommitAsync()
    {
        await using var transaction = _transaction;
        _transaction = null;
        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }
    }

    public override async Task RollbackAsync()
    {
        await using var transaction = _transaction;
        _transaction = null;
        if (transaction is not null)
        {
            await transaction.RollbackAsync();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        await _findRetries.DisposeAsync();
        await _allocate.DisposeAsync();
        await _insert.DisposeAsync();
    }

    private static string Qualified(string alias) =>
        string.Join(", ", MessageColumns.Split(", ").Select(column => $"{alias}.{column}"));

    private NpgsqlCommand Command(string sql, params (string Name, NpgsqlDbType Type)[] arrays)
    {
        var command = new NpgsqlCommand(sql, _connection);
        foreach (var (name, type) in arrays)
        {
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type));
        }

        return command;
    }
}
