using System.Data.Common;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chat.Tests.History;

/// <summary>A SQLite file of the read-state release opens with every message, and its history is searchable at once.</summary>
public sealed class SqliteSearchUpgradeTests
{
    [Fact]
    public Task HistoryFromBeforeSearchIsKeptAndFoundButNotItsDeletedMessages() =>
        EarlierRelease.OnSqliteAsync(ReadStateRelease.SqliteMigration, ReadStateRelease.WriteAsync, (release, server) => release.ShouldBeKeptAndSearchableAsync(server), ReadStateRelease.Settings);
}

/// <summary>The same for a PostgreSQL database of the read-state release.</summary>
public sealed class PostgresSearchUpgradeTests
{
    [Fact]
    public Task HistoryFromBeforeSearchIsKeptAndFoundButNotItsDeletedMessages() =>
        EarlierRelease.OnPostgresAsync(ReadStateRelease.PostgresMigration, ReadStateRelease.WriteAsync, (release, server) => release.ShouldBeKeptAndSearchableAsync(server), ReadStateRelease.Settings);
}

/// <summary>A public room's history as the read-state release's SQL stored it: posts, and one deleted (its tombstone).</summary>
internal sealed class ReadStateRelease
{
    public const string SqliteMigration = "20261203034835_ReadState";
    public const string PostgresMigration = "20261203034839_ReadState";
    private const int MessageCount = 20;
    private const long DeletedSequence = 7;

    private readonly string _room;
    private readonly string _word;

    private ReadStateRelease(string room, string word) => (_room, _word) = (room, word);

    public static Dictionary<string, string?> Settings => new() { ["Messaging:MessagesPerSecond"] = "1000", ["Messaging:Burst"] = "1000" };

    public static async Task<ReadStateRelease> WriteAsync(DbConnection connection)
    {
        var release = new ReadStateRelease(TestDefaults.UniqueRoom("upgraded"), "w" + Guid.NewGuid().ToString("N")[..10]);
        var at = DateTime.UtcNow.AddDays(-3).Ticks;
        await ExecuteAsync(connection,
            "INSERT INTO rooms (name, last_sequence, last_event_sequence, kind, slow_mode_seconds, muted_until_ticks, created_at_ticks) " +
            "VALUES (@room, @count, @events, 'public', 0, 0, @at)",
            ("room", release._room), ("count", (long)MessageCount), ("events", (long)MessageCount + 1), ("at", at));
        for (var sequence = 1L; sequence <= MessageCount; sequence++)
        {
            var deleted = sequence == DeletedSequence;
            await ExecuteAsync(connection,
                "INSERT INTO messages (id, room, sequence, sender_id, sender_name, content, sent_at_ticks, posted_event_sequence, event_sequence, deleted_at_ticks) " +
                "VALUES (@id, @room, @sequence, 'guest:old', 'old', @content, @at, @sequence, @event, @deleted)",
                ("id", Guid.CreateVersion7().ToString("N")), ("room", release._room), ("sequence", sequence),
                ("content", deleted ? "" : $"{release._word} from before number {sequence}"), ("at", at + sequence),
                ("event", deleted ? MessageCount + 1L : sequence), ("deleted", deleted ? at + 100 : null));
        }

        return release;
    }

    public async Task ShouldBeKeptAndSearchableAsync(ChatServer server)
    {
        await using var reader = await server.ConnectAsync(TestDefaults.UniqueUser("reader"));
        var history = await reader.GetHistory(_room, null, ChatLimits.MaxHistoryPage);
        history.Should().HaveCount(MessageCount);
        history.Should().OnlyContain(m => m.Attachments.Length == 0);

        var found = await reader.SearchMessages(new SearchRequest($"{_word} before", Limit: ChatLimits.MaxSearchPage));
        found.Hits.Select(h => h.Message.Sequence).Should().Equal(
            Enumerable.Range(1, MessageCount).Select(i => (long)i).Where(s => s != DeletedSequence).Reverse(),
            "every message from before is found at once, and the deleted one never");

        await reader.JoinRoom(_room);
        var posted = await reader.SendMessage(_room, $"{_word} after the upgrade");
        (await reader.SearchMessages(new SearchRequest($"{_word} upgrade"))).Hits.Should().ContainSingle().Which.Message.Id.Should().Be(posted.Id);
    }

    private static Task ExecuteAsync(DbConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        PreviousReleaseHistory.ExecuteAsync(connection, sql, parameters);
}
