using System.Data.Common;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.History;

/// <summary>A SQLite file of the release before read state opens with every message, and its members have read their rooms.</summary>
public sealed class SqliteReadStateUpgradeTests
{
    [Fact]
    public Task MembersFromBeforeReadStateStartWithTheirRoomsReadAndCountWhatComesAfter() =>
        EarlierRelease.OnSqliteAsync(ConversationsRelease.SqliteMigration, ConversationsRelease.WriteAsync, (release, server) => release.ShouldCountFromTheUpgradeAsync(server), ConversationsRelease.Settings);
}

/// <summary>The same for a PostgreSQL database of the release before read state.</summary>
public sealed class PostgresReadStateUpgradeTests
{
    [Fact]
    public Task MembersFromBeforeReadStateStartWithTheirRoomsReadAndCountWhatComesAfter() =>
        EarlierRelease.OnPostgresAsync(ConversationsRelease.PostgresMigration, ConversationsRelease.WriteAsync, (release, server) => release.ShouldCountFromTheUpgradeAsync(server), ConversationsRelease.Settings);
}

/// <summary>A private room with two members and history, as the conversations release's SQL stored it.</summary>
internal sealed class ConversationsRelease
{
    public const string SqliteMigration = "20261202193236_Conversations";
    public const string PostgresMigration = "20261202193244_Conversations";
    private const int MessageCount = 12;

    private readonly string _room;
    private readonly string _reader;
    private readonly string _writer;

    private ConversationsRelease(string room, string reader, string writer) => (_room, _reader, _writer) = (room, reader, writer);

    public static Dictionary<string, string?> Settings => new() { ["Messaging:MessagesPerSecond"] = "1000", ["Messaging:Burst"] = "1000" };

    public static async Task<ConversationsRelease> WriteAsync(DbConnection connection)
    {
        var release = new ConversationsRelease(TestDefaults.UniqueRoom("upgraded"), TestDefaults.UniqueUser("reader"), TestDefaults.UniqueUser("writer"));
        var room = release._room;
        var at = DateTime.UtcNow.AddDays(-3).Ticks;
        await ExecuteAsync(connection,
            "INSERT INTO rooms (name, last_sequence, last_event_sequence, kind, slow_mode_seconds, muted_until_ticks, created_at_ticks) " +
            "VALUES (@room, @count, @count, 'private', 0, 0, @at)",
            ("room", room), ("count", (long)MessageCount), ("at", at));
        foreach (var (name, role) in new[] { (release._reader, MemberRoles.Owner), (release._writer, MemberRoles.Member) })
        {
            await ExecuteAsync(connection, "INSERT INTO users (id, name) VALUES (@id, @name)", ("id", "guest:" + name), ("name", name));
            await ExecuteAsync(connection,
                "INSERT INTO room_members (room, user_id, user_name, role, joined_at_ticks) VALUES (@room, @user, @name, @role, @at)",
                ("room", room), ("user", "guest:" + name), ("name", name), ("role", role), ("at", at));
        }

        for (var sequence = 1L; sequence <= MessageCount; sequence++)
        {
            await ExecuteAsync(connection,
                "INSERT INTO messages (id, room, sequence, sender_id, sender_name, content, sent_at_ticks, posted_event_sequence, event_sequence) " +
                "VALUES (@id, @room, @sequence, @sender, @name, @content, @at, @sequence, @sequence)",
                ("id", Guid.CreateVersion7().ToString("N")), ("room", room), ("sequence", sequence), ("sender", "guest:" + release._writer),
                ("name", release._writer), ("content", $"before the upgrade {sequence}"), ("at", at + sequence));
        }

        return release;
    }

    public async Task ShouldCountFromTheUpgradeAsync(ChatServer server)
    {
        await using var reader = await server.ConnectAsync(_reader);
        var before = (await reader.ListMyRooms()).Should().ContainSingle(r => r.Room.Room == _room).Subject;
        before.Should().BeEquivalentTo(new { LastReadSequence = (long)MessageCount, UnreadCount = 0, MentionCount = 0 });
        (await reader.GetHistory(_room, null, ChatLimits.MaxHistoryPage)).Should().HaveCount(MessageCount);

        await using var writer = await server.ConnectAsync(_writer);
        await writer.JoinRoom(_room);
        await writer.PostMessage(_room, new PostMessageRequest("after the upgrade", Mentions: ["guest:" + _reader]));
        var after = (await reader.ListMyRooms()).Single(r => r.Room.Room == _room);
        after.Should().BeEquivalentTo(new { LastReadSequence = (long)MessageCount, UnreadCount = 1, MentionCount = 1 });
    }

    private static Task ExecuteAsync(DbConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        PreviousReleaseHistory.ExecuteAsync(connection, sql, parameters);
}
