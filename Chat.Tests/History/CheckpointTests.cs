using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Chat.Tests.History;

/// <summary>
/// On SQLite a commit lands in the write-ahead log; the background checkpointer copies the log into the database file
/// once the writer has added 1,000 pages to it (as often as SQLite itself would), from its own connection, while the
/// writer leaves that to it until the log is 10,000 pages long.
/// </summary>
public sealed class CheckpointTests(CheckpointTests.Fixture fixture) : IClassFixture<CheckpointTests.Fixture>
{
    [Fact]
    public async Task StoredMessagesReachTheDatabaseFileOnceTheLogHoldsAThousandPagesWithoutTheWriterCopyingThem()
    {
        var room = TestDefaults.UniqueRoom("checkpoint");
        var first = $"checkpointed {Guid.NewGuid():N}";
        await using var alice = await fixture.Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        await alice.SendMessage(room, first);

        // One at a time, so each is a commit of its own: a few pages each, over 1,000 in all.
        for (var i = 0; i < 300; i++)
        {
            await alice.SendMessage(room, $"filler {i}");
        }

        // immutable=1 reads the database file alone: what only the log holds is not there.
        var file = Path.Combine(fixture.Server.DataDirectory, "chat.db");
        var deadline = DateTime.UtcNow + TestDefaults.Timeout;
        while (await CountInFileAsync(file, first) == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the checkpointer looks four times a second whether the log is due");
            await Task.Delay(50);
        }
    }

    private static async Task<long> CountInFileAsync(string file, string content)
    {
        try
        {
            await using var connection = new SqliteConnection($"Data Source=file:{file}?immutable=1;Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM messages WHERE content = $content";
            command.Parameters.AddWithValue("$content", content);
            return Convert.ToInt64(await command.ExecuteScalarAsync());
        }
        catch (SqliteException)
        {
            // A page caught in the middle of being copied: read again.
            return 0;
        }
    }

    /// <summary>A server whose user may post as fast as the test does.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
