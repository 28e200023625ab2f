using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;
using NpgsqlTypes;

namespace Chat.Server.History;

/// <summary>A room's share of one batch: how many messages and changes it needs, and the last numbers allocated to it.</summary>
public sealed class RoomBlock
{
    public int Messages { get; set; }

    public int Events { get; set; }

    public long LastSequence { get; set; }

    public long LastEventSequence { get; set; }

    /// <summary>The room's slow mode, read with its numbers: posts into it need the rooms' rules checked.</summary>
    public int SlowModeSeconds { get; set; }

    /// <summary>The latest end of a mute in the room (UTC ticks), read with its numbers likewise.</summary>
    public long MutedUntilTicks { get; set; }

    /// <summary>The room's kind, read likewise: mentions in a room that is not public keep only its members.</summary>
    public string? Kind { get; set; }
}

/// <summary>
/// The batch store: the statements of one group commit as plain ADO.NET commands on the writer's long-lived
/// connection. The hot ones (find retries, allocate numbers, insert messages) are prepared once and re-bound for each
/// batch; EF Core's change tracking and per-batch SQL generation cost more CPU per message than the database's own
/// work. EF Core keeps the schema (migrations) and every read. What to write is decided by the change pipeline
/// (Messaging); this class only stores.
/// </summary>
public abstract class BatchCommands : IAsyncDisposable
{
    public const string MessageColumns =
        "id, room, sequence, sender_id, sender_name, content, sent_at_ticks, client_message_id, posted_event_sequence, " +
        "event_sequence, edited_at_ticks, deleted_at_ticks, reply_to_sequence, mentions, reactions, attachments";

    /// <summary><see cref="MessageColumns"/> of a table alias, for queries that join messages.</summary>
    public static string Qualified(string alias) =>
        string.Join(", ", MessageColumns.Split(", ").Select(column => $"{alias}.{column}"));

    /// <summary>The columns a new message is inserted with (edits, deletes and reactions come later).</summary>
    protected const string InsertColumns =
        "id, room, sequence, sender_id, sender_name, content, sent_at_ticks, client_message_id, posted_event_sequence, " +
        "event_sequence, reply_to_sequence, mentions";

    /// <summary>The room upsert: creates the room on first use and allocates its blocks atomically under the row (or database) write lock.</summary>
    protected const string AllocateUpsert =
        "ON CONFLICT (name) DO UPDATE SET last_sequence = rooms.last_sequence + excluded.last_sequence, " +
        "last_event_sequence = rooms.last_event_sequence + excluded.last_event_sequence " +
        "RETURNING name, last_sequence, last_event_sequence, slow_mode_seconds, muted_until_ticks, kind";

    /// <summary>A room's columns in the order <see cref="ReadRoom"/> reads them; the last two, its counts, only the store's triggers write.</summary>
    private const string RoomColumns =
        "name, last_sequence, last_event_sequence, kind, title, topic, slow_mode_seconds, muted_until_ticks, created_at_ticks, member_count, owner_count";

    private const string InsertedRoomColumns =
        "name, last_sequence, last_event_sequence, kind, title, topic, slow_mode_seconds, muted_until_ticks, created_at_ticks";

    /// <summary>A member row's columns in the order <see cref="ReadMember"/> reads them.</summary>
    internal const string MemberColumns =
        "room, user_id, user_name, role, joined_at_ticks, muted_until_ticks, last_posted_at_ticks, last_read_sequence, last_read_at_ticks";

    private const string NotificationColumns =
        "user_id, id, kind, room, message_id, message_sequence, from_user_id, from_user_name, preview, at_ticks";

    /// <summary>A ban row's columns in the order <see cref="ReadBan"/> reads them.</summary>
    internal const string BanColumns = "room, user_id, user_name, until_ticks, reason, banned_at_ticks";

    private readonly DbConnection _connection;
    private readonly Dictionary<string, DbCommand> _statements = new(StringComparer.Ordinal);

    protected BatchCommands(DbConnection connection) => _connection = connection;

    protected DbTransaction? Transaction { get; set; }

    /// <summary>Opens the context's connection for a writer; <paramref name="log"/> is told of the pages each SQLite commit adds to the write-ahead log.</summary>
    public static async Task<BatchCommands> OpenAsync(ChatDbContext context, WriteAheadLog log)
    {
        await context.Database.OpenConnectionAsync();
        var connection = context.Database.GetDbConnection();
        return connection switch
        {
            SqliteConnection sqlite => new SqliteBatchCommands(sqlite, log),
            NpgsqlConnection npgsql => await PostgresBatchCommands.CreateAsync(npgsql),
            _ => throw new NotSupportedException($"No batch commands for {connection.GetType().Name}."),
        };
    }

    /// <summary>
    /// Starts the batch's transaction. <paramref name="waitForDisk"/> false lets its commit return before the disk has
    /// it (it survives a crash of the process, not of the machine): for batches that change no room's log, only who
    /// is a member of a public room and who has signed in — a join made again restores either.
    /// </summary>
    public abstract Task BeginAsync(bool waitForDisk);

    /// <summary>
    /// Holds the rooms' counters for the rest of the transaction, before anything of theirs is read: two nodes that
    /// change one message at once then decide one after the other. SQLite's <c>BEGIN IMMEDIATE</c> holds them all already.
    /// </summary>
    public virtual Task LockRoomsAsync(IReadOnlyCollection<string> rooms) => Task.CompletedTask;

    /// <summary>Adds to <paramref name="known"/> every (sender, clientMessageId) of the batch that is already stored.</summary>
    public abstract Task FindRetriesAsync(IReadOnlyCollection<(string SenderId, string ClientMessageId)> keys, Dictionary<(string, string), MessageRecord> known);

    /// <summary>Sets the last numbers of each room's blocks; rooms are created on first use.</summary>
    public abstract Task AllocateAsync(Dictionary<string, RoomBlock> rooms);

    public abstract Task InsertAsync(IReadOnlyList<MessageRecord> messages);

    public abstract Task CommitAsync();

    public abstract Task RollbackAsync();

    /// <summary>The writer's connection itself, for work that has statements of its own (the search index's passes).</summary>
    public DbConnection Connection => _connection;

    /// <summary>
    /// Runs other work on this connection while no batch is open. The work may change the connection's settings (the
    /// search index's pass switches <c>synchronous</c>), so the next batch sets its own again.
    /// </summary>
    public async Task RunBetweenBatchesAsync(Func<BatchCommands, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(this, cancellationToken);
        }
        finally
        {
            ForgetSettings();
        }
    }

    /// <summary>What the connection's settings are is no longer known: the next batch sets them.</summary>
    protected virtual void ForgetSettings()
    {
    }

    /// <summary>Lets go of what deleted text may still linger in (SQLite: the write-ahead log). Best effort.</summary>
    public virtual Task ForgetDeletedAsync() => Task.CompletedTask;

    public Task<MessageRecord?> FindMessageAsync(string id) =>
        ReadMessageAsync($"SELECT {MessageColumns} FROM messages WHERE id = @id", ("id", id));

    public Task<MessageRecord?> FindMessageAsync(string room, long sequence) =>
        ReadMessageAsync($"SELECT {MessageColumns} FROM messages WHERE room = @room AND sequence = @sequence", ("room", room), ("sequence", sequence));

    public async Task<bool> HasReactionAsync(string room, long sequence, string reaction, string userId)
    {
        var command = Statement(
            "SELECT 1 FROM reactions WHERE room = @room AND message_sequence = @sequence AND reaction = @reaction AND user_id = @user",
            ("room", room), ("sequence", sequence), ("reaction", reaction), ("user", userId));
        return await command.ExecuteScalarAsync() is not null;
    }

    /// <summary>Every (reaction, user) of a message in the order they were added.</summary>
    public async Task<List<(string Reaction, string UserId)>> ReadReactionsAsync(string room, long sequence)
    {
        var command = Statement(
            "SELECT reaction, user_id FROM reactions WHERE room = @room AND message_sequence = @sequence ORDER BY added_event_sequence",
            ("room", room), ("sequence", sequence));
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    public Task AddReactionAsync(ReactionRecord reaction) => ExecuteAsync(
        "INSERT INTO reactions (room, message_sequence, reaction, user_id, added_event_sequence) VALUES (@room, @sequence, @reaction, @user, @added)",
        ("room", reaction.Room), ("sequence", reaction.MessageSequence), ("reaction", reaction.Reaction), ("user", reaction.UserId),
        ("added", reaction.AddedEventSequence));

    public Task RemoveReactionAsync(string room, long sequence, string reaction, string userId) => ExecuteAsync(
        "DELETE FROM reactions WHERE room = @room AND message_sequence = @sequence AND reaction = @reaction AND user_id = @user",
        ("room", room), ("sequence", sequence), ("reaction", reaction), ("user", userId));

    public Task RemoveReactionsAsync(string room, long sequence) => ExecuteAsync(
        "DELETE FROM reactions WHERE room = @room AND message_sequence = @sequence", ("room", room), ("sequence", sequence));

    /// <summary>The change log keeps no trace of a deleted message's reactions: its events name it, not what it held.</summary>
    public Task ForgetReactionsAsync(string room, long sequence) => ExecuteAsync(
        "UPDATE room_events SET reaction = NULL WHERE room = @room AND message_sequence = @sequence AND reaction IS NOT NULL",
        ("room", room), ("sequence", sequence));

    /// <summary>Writes everything a change may alter; the text of a deleted message is overwritten here, not hidden.</summary>
    public Task UpdateAsync(MessageRecord message) => ExecuteAsync(
        "UPDATE messages SET content = @content, event_sequence = @event, edited_at_ticks = @edited, deleted_at_ticks = @deleted, " +
        "reply_to_sequence = @reply, mentions = @mentions, reactions = @reactions, attachments = @attachments WHERE room = @room AND sequence = @sequence",
        ("content", message.Content), ("event", message.EventSequence), ("edited", message.EditedAt?.Ticks), ("deleted", message.DeletedAt?.Ticks),
        ("reply", message.ReplyToSequence), ("mentions", message.Mentions), ("reactions", message.Reactions), ("attachments", message.Attachments),
        ("room", message.Room), ("sequence", message.Sequence));

    /// <summary>
    /// An upload as stored, held for the rest of the transaction (PostgreSQL: <c>FOR UPDATE</c>; SQLite holds the whole
    /// database already), so that a second post claiming it waits and then finds it claimed.
    /// </summary>
    public async Task<AttachmentRecord?> ReadAttachmentAsync(string id)
    {
        await using var reader = await Statement(
            "SELECT id, owner_id, file_name, content_type, size, width, height, uploaded_at_ticks, room, message_sequence " +
            $"FROM attachments WHERE id = @id{HoldRows}", ("id", id)).ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new AttachmentRecord
            {
                Id = reader.GetString(0),
                OwnerId = reader.GetString(1),
                FileName = reader.GetString(2),
                ContentType = reader.GetString(3),
                Size = reader.GetInt64(4),
                Width = reader.IsDBNull(5) ? null : Convert.ToInt32(reader.GetValue(5)),
                Height = reader.IsDBNull(6) ? null : Convert.ToInt32(reader.GetValue(6)),
                UploadedAt = new DateTime(reader.GetInt64(7), DateTimeKind.Utc),
                Room = reader.IsDBNull(8) ? null : reader.GetString(8),
                MessageSequence = reader.IsDBNull(9) ? null : reader.GetInt64(9),
            }
            : null;
    }

    /// <summary>A new message's attachments go in beside the hot insert, which stays the same for the posts without any.</summary>
    public Task WriteAttachmentsAsync(MessageRecord message) => ExecuteAsync(
        "UPDATE messages SET attachments = @attachments WHERE room = @room AND sequence = @sequence",
        ("attachments", message.Attachments), ("room", message.Room), ("sequence", message.Sequence));

    public Task ClaimAttachmentAsync(string id, string room, long sequence) => ExecuteAsync(
        "UPDATE attachments SET room = @room, message_sequence = @sequence WHERE id = @id",
        ("room", room), ("sequence", sequence), ("id", id));

    public Task RemoveAttachmentAsync(string id) => ExecuteAsync("DELETE FROM attachments WHERE id = @id", ("id", id));

    /// <summary>What a read appends to hold the rows it reads until the commit.</summary>
    protected virtual string HoldRows => string.Empty;

    public Task InsertEventAsync(RoomEventRecord roomEvent) => ExecuteAsync(
        "INSERT INTO room_events (room, event_sequence, type, at_ticks, actor_id, actor_name, message_sequence, reaction, payload) " +
        "VALUES (@room, @event, @type, @at, @actor, @name, @message, @reaction, @payload)",
        ("room", roomEvent.Room), ("event", roomEvent.EventSequence), ("type", roomEvent.Type), ("at", roomEvent.At.Ticks),
        ("actor", roomEvent.ActorId), ("name", roomEvent.ActorName), ("message", roomEvent.MessageSequence), ("reaction", roomEvent.Reaction),
        ("payload", roomEvent.Payload));

    public async Task<RoomRecord?> ReadRoomAsync(string room)
    {
        await using var reader = await Statement($"SELECT {RoomColumns} FROM rooms WHERE name = @room", ("room", room)).ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadRoom(reader) : null;
    }

    public async Task<List<MemberRecord>> ReadMembersAsync(string room, string? userId = null)
    {
        var command = userId is null
            ? Statement($"SELECT {MemberColumns} FROM room_members WHERE room = @room", ("room", room))
            : Statement($"SELECT {MemberColumns} FROM room_members WHERE room = @room AND user_id = @user", ("room", room), ("user", userId));
        var members = new List<MemberRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            members.Add(ReadMember(reader, 0));
        }

        return members;
    }

    /// <summary>The member row whose <see cref="MemberColumns"/> start at column <paramref name="first"/>.</summary>
    internal static MemberRecord ReadMember(DbDataReader reader, int first) => new()
    {
        Room = reader.GetString(first),
        UserId = reader.GetString(first + 1),
        UserName = reader.GetString(first + 2),
        Role = reader.GetString(first + 3),
        JoinedAt = new DateTime(reader.GetInt64(first + 4), DateTimeKind.Utc),
        MutedUntil = reader.IsDBNull(first + 5) ? null : new DateTime(reader.GetInt64(first + 5), DateTimeKind.Utc),
        LastPostedAt = reader.IsDBNull(first + 6) ? null : new DateTime(reader.GetInt64(first + 6), DateTimeKind.Utc),
        LastReadSequence = reader.GetInt64(first + 7),
        LastReadAt = reader.IsDBNull(first + 8) ? null : new DateTime(reader.GetInt64(first + 8), DateTimeKind.Utc),
    };

    /// <summary>The ban row whose <see cref="BanColumns"/> start at column <paramref name="first"/>.</summary>
    internal static BanRecord ReadBan(DbDataReader reader, int first) => new()
    {
        Room = reader.GetString(first),
        UserId = reader.GetString(first + 1),
        UserName = reader.GetString(first + 2),
        Until = reader.IsDBNull(first + 3) ? null : new DateTime(reader.GetInt64(first + 3), DateTimeKind.Utc),
        Reason = reader.IsDBNull(first + 4) ? null : reader.GetString(first + 4),
        BannedAt = new DateTime(reader.GetInt64(first + 5), DateTimeKind.Utc),
    };

    public async Task<BanRecord?> ReadBanAsync(string room, string userId)
    {
        await using var reader = await Statement(
            $"SELECT {BanColumns} FROM room_bans WHERE room = @room AND user_id = @user", ("room", room), ("user", userId)).ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadBan(reader, 0) : null;
    }

    public async Task<UserRecord?> ReadUserAsync(string userId)
    {
        await using var reader = await Statement("SELECT id, name FROM users WHERE id = @id", ("id", userId)).ExecuteReaderAsync();
        return await reader.ReadAsync() ? new UserRecord { Id = reader.GetString(0), Name = reader.GetString(1) } : null;
    }

    public Task InsertRoomAsync(RoomRecord room) => ExecuteAsync(
        $"INSERT INTO rooms ({InsertedRoomColumns}) VALUES (@name, 0, 0, @kind, @title, @topic, @slow, @muted, @created)",
        ("name", room.Name), ("kind", room.Kind), ("title", room.Title), ("topic", room.Topic), ("slow", room.SlowModeSeconds),
        ("muted", room.MutedUntilTicks), ("created", room.CreatedAt.Ticks));

    /// <summary>The settings only: the counters belong to the allocation.</summary>
    public Task UpdateRoomSettingsAsync(RoomRecord room) => ExecuteAsync(
        "UPDATE rooms SET title = @title, topic = @topic, slow_mode_seconds = @slow, muted_until_ticks = @muted WHERE name = @name",
        ("title", room.Title), ("topic", room.Topic), ("slow", room.SlowModeSeconds), ("muted", room.MutedUntilTicks), ("name", room.Name));

    /// <summary>A new member's read pointer goes in with them; an existing one's is left to <see cref="MoveReadPointerAsync"/>.</summary>
    public Task WriteMemberAsync(MemberRecord member) => ExecuteAsync(
        $"INSERT INTO room_members ({MemberColumns}) VALUES (@room, @user, @name, @role, @joined, @muted, @posted, @read, @readAt) " +
        "ON CONFLICT (room, user_id) DO UPDATE SET user_name = excluded.user_name, role = excluded.role, " +
        "muted_until_ticks = excluded.muted_until_ticks, last_posted_at_ticks = excluded.last_posted_at_ticks",
        ("room", member.Room), ("user", member.UserId), ("name", member.UserName), ("role", member.Role), ("joined", member.JoinedAt.Ticks),
        ("muted", member.MutedUntil?.Ticks), ("posted", member.LastPostedAt?.Ticks), ("read", member.LastReadSequence),
        ("readAt", member.LastReadAt?.Ticks));

    /// <summary>
    /// Moves a member's read pointer forward, never back, and never past the room's last message (a mark beyond it
    /// means all of it). Returns whether it moved.
    /// </summary>
    public async Task<bool> MoveReadPointerAsync(string room, string userId, long sequence, DateTime at) =>
        await ExecuteCountAsync(
            $"UPDATE room_members SET last_read_sequence = {ClampedToRoom}, last_read_at_ticks = @at " +
            $"WHERE room = @room AND user_id = @user AND last_read_sequence < {ClampedToRoom}",
            ("sequence", sequence), ("at", at.Ticks), ("room", room), ("user", userId)) > 0;

    /// <summary>
    /// Moves each poster's read pointer to their last post, at <paramref name="at"/> (no clamp needed: the post is the
    /// room's), in (room, user) order, the order the read pointers' own commits take too.
    /// </summary>
    public abstract Task ReadOwnPostsAsync(IReadOnlyList<(string Room, string UserId, long Sequence)> pointers, DateTime at);

    private const string ClampedToRoom =
        "(SELECT CASE WHEN r.last_sequence < @sequence THEN r.last_sequence ELSE @sequence END FROM rooms r WHERE r.name = @room)";

    public Task InsertNotificationAsync(NotificationRecord notification) => ExecuteAsync(
        $"INSERT INTO notifications ({NotificationColumns}) VALUES (@user, @id, @kind, @room, @message, @sequence, @from, @fromName, @preview, @at)",
        ("user", notification.UserId), ("id", notification.Id), ("kind", notification.Kind), ("room", notification.Room),
        ("message", notification.MessageId), ("sequence", notification.MessageSequence), ("from", notification.FromUserId),
        ("fromName", notification.FromUserName), ("preview", notification.Preview), ("at", notification.At.Ticks));

    /// <summary>A deleted message's notifications go with it: they quote it, and its mentions no longer count.</summary>
    public Task RemoveNotificationsAsync(string room, long sequence) => ExecuteAsync(
        "DELETE FROM notifications WHERE room = @room AND message_sequence = @sequence", ("room", room), ("sequence", sequence));

    public Task RemoveMemberAsync(string room, string userId) => ExecuteAsync(
        "DELETE FROM room_members WHERE room = @room AND user_id = @user", ("room", room), ("user", userId));

    public Task WriteBanAsync(BanRecord ban) => ExecuteAsync(
        $"INSERT INTO room_bans ({BanColumns}) VALUES (@room, @user, @name, @until, @reason, @at) " +
        "ON CONFLICT (room, user_id) DO UPDATE SET user_name = excluded.user_name, until_ticks = excluded.until_ticks, " +
        "reason = excluded.reason, banned_at_ticks = excluded.banned_at_ticks",
        ("room", ban.Room), ("user", ban.UserId), ("name", ban.UserName), ("until", ban.Until?.Ticks), ("reason", ban.Reason),
        ("at", ban.BannedAt.Ticks));

    public Task RemoveBanAsync(string room, string userId) => ExecuteAsync(
        "DELETE FROM room_bans WHERE room = @room AND user_id = @user", ("room", room), ("user", userId));

    public Task WriteUserAsync(UserRecord user) => ExecuteAsync(
        "INSERT INTO users (id, name) VALUES (@id, @name) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        ("id", user.Id), ("name", user.Name));

    public virtual async ValueTask DisposeAsync()
    {
        if (Transaction is not null)
        {
            await Transaction.DisposeAsync();
        }

        foreach (var statement in _statements.Values)
        {
            await statement.DisposeAsync();
        }
    }

    /// <summary>A unique index refused a row: in a batch, a client's retry of a message that another batch stored.</summary>
    public static bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey }
            or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// The store refused the data of a change (a value it cannot keep, a constraint or trigger), not a store that is down
    /// or busy: the same rows would be refused again however often they are retried, so the batch is split instead.
    /// A unique violation is not a refusal: the batch is planned again (<see cref="IsUniqueViolation"/>).
    /// </summary>
    public static bool IsRefusal(Exception exception) => exception switch
    {
        _ when IsUniqueViolation(exception) => false,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteConstraint or SqliteTooBig or SqliteMismatch,
        // Class 22 "data exception", class 23 "integrity constraint violation".
        PostgresException postgres => postgres.SqlState.StartsWith("22", StringComparison.Ordinal) || postgres.SqlState.StartsWith("23", StringComparison.Ordinal),
        _ => false,
    };

    private const int SqliteTooBig = 18;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private static RoomRecord ReadRoom(DbDataReader reader) => new()
    {
        Name = reader.GetString(0),
        LastSequence = reader.GetInt64(1),
        LastEventSequence = reader.GetInt64(2),
        Kind = reader.GetString(3),
        Title = reader.IsDBNull(4) ? null : reader.GetString(4),
        Topic = reader.IsDBNull(5) ? null : reader.GetString(5),
        SlowModeSeconds = Convert.ToInt32(reader.GetValue(6)),
        MutedUntilTicks = reader.GetInt64(7),
        CreatedAt = new DateTime(reader.GetInt64(8), DateTimeKind.Utc),
        MemberCount = Convert.ToInt32(reader.GetValue(9)),
        OwnerCount = Convert.ToInt32(reader.GetValue(10)),
    };

    /// <summary>A message row read in <see cref="MessageColumns"/> order.</summary>
    internal static MessageRecord ReadRecord(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Room = reader.GetString(1),
        Sequence = reader.GetInt64(2),
        SenderId = reader.GetString(3),
        SenderName = reader.GetString(4),
        Content = reader.GetString(5),
        SentAt = new DateTime(reader.GetInt64(6), DateTimeKind.Utc),
        ClientMessageId = reader.IsDBNull(7) ? null : reader.GetString(7),
        PostedEventSequence = reader.GetInt64(8),
        EventSequence = reader.GetInt64(9),
        EditedAt = reader.IsDBNull(10) ? null : new DateTime(reader.GetInt64(10), DateTimeKind.Utc),
        DeletedAt = reader.IsDBNull(11) ? null : new DateTime(reader.GetInt64(11), DateTimeKind.Utc),
        ReplyToSequence = reader.IsDBNull(12) ? null : reader.GetInt64(12),
        Mentions = reader.IsDBNull(13) ? null : reader.GetString(13),
        Reactions = reader.IsDBNull(14) ? null : reader.GetString(14),
        Attachments = reader.IsDBNull(15) ? null : reader.GetString(15),
    };

    private async Task<MessageRecord?> ReadMessageAsync(string sql, params (string Name, object? Value)[] arguments)
    {
        await using var reader = await Statement(sql, arguments).ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadRecord(reader) : null;
    }

    private Task ExecuteAsync(string sql, params (string Name, object? Value)[] arguments) => Statement(sql, arguments).ExecuteNonQueryAsync();

    private Task<int> ExecuteCountAsync(string sql, params (string Name, object? Value)[] arguments) => Statement(sql, arguments).ExecuteNonQueryAsync();

    /// <summary>The statements of edits, deletes and reactions: built once per connection, one row per execution.</summary>
    private DbCommand Statement(string sql, params (string Name, object? Value)[] arguments)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in arguments)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            _statements[sql] = command;
        }

        command.Transaction = Transaction;
        for (var i = 0; i < arguments.Length; i++)
        {
            command.Parameters[i].Value = arguments[i].Value ?? DBNull.Value;
        }

        return command;
    }
}

/// <summary>
/// SQLite runs in-process, so a statement costs no round trip: prepared single-row statements, re-bound by position
/// and stepped once per message (<see cref="SqliteStatement"/>), are its fastest bulk path. Microsoft.Data.Sqlite's
/// async methods run synchronously anyway.
/// </summary>
internal sealed class SqliteBatchCommands : BatchCommands
{
    private readonly SqliteConnection _connection;
    private readonly WriteAheadLog _log;
    private readonly SqliteCommand _findRetry;
    private readonly SqliteStatement _allocate;
    private readonly SqliteStatement _insert;
    private readonly SqliteStatement _readOwnPost;
    // The connection's synchronous setting as last set here (null: unknown, set again by the next batch).
    private bool? _waitsForDisk = true;

    public SqliteBatchCommands(SqliteConnection connection, WriteAheadLog log)
        : base(connection)
    {
        _connection = connection;
        _log = log;
        _findRetry = Prepare($"SELECT {MessageColumns} FROM messages WHERE sender_id = $sender AND client_message_id = $client", "$sender", "$client");
        _allocate = new SqliteStatement(
            connection, $"INSERT INTO rooms (name, last_sequence, last_event_sequence) VALUES (?1, ?2, ?3) {AllocateUpsert}");
        _insert = new SqliteStatement(
            connection, $"INSERT INTO messages ({InsertColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        _readOwnPost = new SqliteStatement(
            connection,
            "UPDATE room_members SET last_read_sequence = ?1, last_read_at_ticks = ?2 WHERE room = ?3 AND user_id = ?4 AND last_read_sequence < ?1");
        using var pragma = connection.CreateCommand();
        pragma.CommandText = SqliteSetup.WriterPragmas;
        pragma.ExecuteNonQuery();
    }

    protected override void ForgetSettings() => _waitsForDisk = null;

    public override Task BeginAsync(bool waitForDisk)
    {
        if (waitForDisk != _waitsForDisk)
        {
            // Between transactions only; the connection's default (SqliteSetup) is FULL.
            using var pragma = _connection.CreateCommand();
            pragma.CommandText = waitForDisk ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
            pragma.ExecuteNonQuery();
            _waitsForDisk = waitForDisk;
        }

        // BEGIN IMMEDIATE: take the write lock first, so that no other process can commit between our read and write.
        var transaction = _connection.BeginTransaction(deferred: false);
        Transaction = transaction;
        _findRetry.Transaction = transaction;
        return Task.CompletedTask;
    }

    public override Task FindRetriesAsync(IReadOnlyCollection<(string SenderId, string ClientMessageId)> keys, Dictionary<(string, string), MessageRecord> known)
    {
        var parameters = _findRetry.Parameters;
        foreach (var key in keys)
        {
            parameters[0].Value = key.SenderId;
            parameters[1].Value = key.ClientMessageId;
            using var reader = _findRetry.ExecuteReader();
            if (reader.Read())
            {
                known[key] = ReadRecord(reader);
            }
        }

        return Task.CompletedTask;
    }

    public override Task AllocateAsync(Dictionary<string, RoomBlock> rooms)
    {
        foreach (var (room, block) in rooms)
        {
            _allocate.Bind(1, room);
            _allocate.Bind(2, block.Messages);
            _allocate.Bind(3, block.Events);
            _allocate.ExecuteRow(block, static (row, block) =>
            {
                block.LastSequence = row.GetInt64(1);
                block.LastEventSequence = row.GetInt64(2);
                block.SlowModeSeconds = row.GetInt32(3);
                block.MutedUntilTicks = row.GetInt64(4);
                block.Kind = row.GetString(5);
            });
        }

        return Task.CompletedTask;
    }

    public override Task InsertAsync(IReadOnlyList<MessageRecord> messages)
    {
        foreach (var message in messages)
        {
            _insert.Bind(1, message.Id);
            _insert.Bind(2, message.Room);
            _insert.Bind(3, message.Sequence);
            _insert.Bind(4, message.SenderId);
            _insert.Bind(5, message.SenderName);
            _insert.Bind(6, message.Content);
            _insert.Bind(7, message.SentAt.Ticks);
            _insert.Bind(8, message.ClientMessageId);
            _insert.Bind(9, message.PostedEventSequence);
            _insert.Bind(10, message.EventSequence);
            _insert.Bind(11, message.ReplyToSequence);
            _insert.Bind(12, message.Mentions);
            _insert.Execute();
        }

        return Task.CompletedTask;
    }

    public override Task ReadOwnPostsAsync(IReadOnlyList<(string Room, string UserId, long Sequence)> pointers, DateTime at)
    {
        foreach (var (room, userId, sequence) in pointers)
        {
            _readOwnPost.Bind(1, sequence);
            _readOwnPost.Bind(2, at.Ticks);
            _readOwnPost.Bind(3, room);
            _readOwnPost.Bind(4, userId);
            _readOwnPost.Execute();
        }

        return Task.CompletedTask;
    }

    public override Task CommitAsync()
    {
        using var transaction = Transaction;
        Transaction = null;
        transaction?.Commit();
        // Pages this connection wrote to the log since the last count (index passes between batches included).
        raw.sqlite3_db_status(_connection.Handle, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var pages, out _, 1);
        _log.Logged(pages);
        return Task.CompletedTask;
    }

    public override Task RollbackAsync()
    {
        using var transaction = Transaction;
        Transaction = null;
        transaction?.Rollback();
        return Task.CompletedTask;
    }

    /// <summary>
    /// secure_delete (set on every connection) zeroes overwritten text in the database pages, but earlier copies of a
    /// page stay in the write-ahead log until it is checkpointed and truncated.
    /// </summary>
    public override Task ForgetDeletedAsync()
    {
        using var command = _connection.CreateCommand();
        // TRUNCATE waits for readers of older snapshots: for a second at most, not the writer's usual 30 s. A busy
        // checkpoint is not an error; the log's frames are reused from its start after the next full checkpoint.
        command.CommandText = "PRAGMA busy_timeout=1000; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _findRetry.Dispose();
        _allocate.Dispose();
        _insert.Dispose();
        _readOwnPost.Dispose();

        // The connection goes back to the pool, whose other users rely on SqliteSetup's FULL and default cache.
        try
        {
            using var pragma = _connection.CreateCommand();
            pragma.CommandText = SqliteSetup.PooledPragmas + (_waitsForDisk == true ? string.Empty : " PRAGMA synchronous=FULL;");
            pragma.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // A connection that cannot take a pragma cannot take a commit either.
        }
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
    private readonly NpgsqlCommand _lockRooms;

    protected override string HoldRows => " FOR UPDATE";
    private readonly NpgsqlCommand _readOwnPosts;

    private PostgresBatchCommands(NpgsqlConnection connection)
        : base(connection)
    {
        _connection = connection;
        _findRetries = Command(
            $"SELECT {Qualified("m")} FROM messages m JOIN unnest(@senders, @clients) AS k(sender_id, client_message_id) " +
            "ON m.sender_id = k.sender_id AND m.client_message_id = k.client_message_id",
            ("senders", NpgsqlDbType.Text), ("clients", NpgsqlDbType.Text));
        // Rooms in one order in every process: concurrent batches lock shared room rows in the same order.
        _allocate = Command(
            $"INSERT INTO rooms (name, last_sequence, last_event_sequence) SELECT * FROM unnest(@rooms, @messages, @events) {AllocateUpsert}",
            ("rooms", NpgsqlDbType.Text), ("messages", NpgsqlDbType.Bigint), ("events", NpgsqlDbType.Bigint));
        _insert = Command(
            $"INSERT INTO messages ({InsertColumns}) SELECT * FROM unnest(@ids, @rooms, @sequences, @senders, @names, @contents, @ticks, @clients, @posted, @events, @replies, @mentions)",
            ("ids", NpgsqlDbType.Text), ("rooms", NpgsqlDbType.Text), ("sequences", NpgsqlDbType.Bigint), ("senders", NpgsqlDbType.Text),
            ("names", NpgsqlDbType.Text), ("contents", NpgsqlDbType.Text), ("ticks", NpgsqlDbType.Bigint), ("clients", NpgsqlDbType.Text),
            ("posted", NpgsqlDbType.Bigint), ("events", NpgsqlDbType.Bigint), ("replies", NpgsqlDbType.Bigint), ("mentions", NpgsqlDbType.Text));
        _lockRooms = Command("SELECT name FROM rooms WHERE name = ANY(@rooms) ORDER BY name COLLATE \"C\" FOR UPDATE", ("rooms", NpgsqlDbType.Text));
        _readOwnPosts = Command(
            "UPDATE room_members m SET last_read_sequence = p.sequence, last_read_at_ticks = p.at " +
            "FROM unnest(@rooms, @users, @sequences, @ats) AS p(room, user_id, sequence, at) " +
            "WHERE m.room = p.room AND m.user_id = p.user_id AND m.last_read_sequence < p.sequence",
            ("rooms", NpgsqlDbType.Text), ("users", NpgsqlDbType.Text), ("sequences", NpgsqlDbType.Bigint), ("ats", NpgsqlDbType.Bigint));
    }

    public static async Task<PostgresBatchCommands> CreateAsync(NpgsqlConnection connection)
    {
        var commands = new PostgresBatchCommands(connection);
        await commands._findRetries.PrepareAsync();
        await commands._allocate.PrepareAsync();
        await commands._insert.PrepareAsync();
        await commands._readOwnPosts.PrepareAsync();
        return commands;
    }

    public override async Task BeginAsync(bool waitForDisk)
    {
        var transaction = await _connection.BeginTransactionAsync();
        if (!waitForDisk)
        {
            await using var relaxed = new NpgsqlCommand("SET LOCAL synchronous_commit = off", _connection, transaction);
            await relaxed.ExecuteNonQueryAsync();
        }

        Transaction = transaction;
        _findRetries.Transaction = transaction;
        _allocate.Transaction = transaction;
        _insert.Transaction = transaction;
        _lockRooms.Transaction = transaction;
        _readOwnPosts.Transaction = transaction;
    }

    public override async Task LockRoomsAsync(IReadOnlyCollection<string> rooms)
    {
        _lockRooms.Parameters[0].Value = rooms.ToArray();
        await using var reader = await _lockRooms.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
        }
    }

    /// <summary>One statement for the whole batch: a round trip per poster would cost more than the posts.</summary>
    public override async Task ReadOwnPostsAsync(IReadOnlyList<(string Room, string UserId, long Sequence)> pointers, DateTime at)
    {
        _readOwnPosts.Parameters[0].Value = pointers.Select(p => p.Room).ToArray();
        _readOwnPosts.Parameters[1].Value = pointers.Select(p => p.UserId).ToArray();
        _readOwnPosts.Parameters[2].Value = pointers.Select(p => p.Sequence).ToArray();
        _readOwnPosts.Parameters[3].Value = Enumerable.Repeat(at.Ticks, pointers.Count).ToArray();
        await _readOwnPosts.ExecuteNonQueryAsync();
    }

    public override async Task FindRetriesAsync(IReadOnlyCollection<(string SenderId, string ClientMessageId)> keys, Dictionary<(string, string), MessageRecord> known)
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
            var message = ReadRecord(reader);
            known[(message.SenderId, message.ClientMessageId!)] = message;
        }
    }

    public override async Task AllocateAsync(Dictionary<string, RoomBlock> rooms)
    {
        var names = rooms.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        var messages = new long[names.Length];
        var events = new long[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            messages[i] = rooms[names[i]].Messages;
            events[i] = rooms[names[i]].Events;
        }

        _allocate.Parameters[0].Value = names;
        _allocate.Parameters[1].Value = messages;
        _allocate.Parameters[2].Value = events;
        await using var reader = await _allocate.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var block = rooms[reader.GetString(0)];
            block.LastSequence = reader.GetInt64(1);
            block.LastEventSequence = reader.GetInt64(2);
            block.SlowModeSeconds = reader.GetInt32(3);
            block.MutedUntilTicks = reader.GetInt64(4);
            block.Kind = reader.GetString(5);
        }
    }

    public override async Task InsertAsync(IReadOnlyList<MessageRecord> messages)
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
        var posted = new long[count];
        var events = new long[count];
        var replies = new long?[count];
        var mentions = new string?[count];
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
            posted[i] = message.PostedEventSequence;
            events[i] = message.EventSequence;
            replies[i] = message.ReplyToSequence;
            mentions[i] = message.Mentions;
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
        parameters[8].Value = posted;
        parameters[9].Value = events;
        parameters[10].Value = replies;
        parameters[11].Value = mentions;
        await _insert.ExecuteNonQueryAsync();
    }

    public override async Task CommitAsync()
    {
        await using var transaction = Transaction;
        Transaction = null;
        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }
    }

    public override async Task RollbackAsync()
    {
        await using var transaction = Transaction;
        Transaction = null;
        if (transaction is not null)
        {
            await transaction.RollbackAsync();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _findRetries.DisposeAsync();
        await _allocate.DisposeAsync();
        await _insert.DisposeAsync();
        await _lockRooms.DisposeAsync();
        await _readOwnPosts.DisposeAsync();
    }

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
