using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Chat.Tests.History;

/// <summary>
/// On SQLite a commit lands in the write-ahead log; the background checkpointer copies it into the database file
/// within moments, beside the writer, which no longer stops for that itself until the log is 10,000 pages long.
/// </summary>
public sealed class CheckpointTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Fact]
    public async Task AStoredMessageReachesTheDatabaseFileWithinMomentsWhileTheWriterLeavesTheLogToTheCheckpointer()
    {
        var room = TestDefaults.UniqueRoom("checkpoint");
        var content = $"checkpointed {Guid.NewGuid():N}";
        await using var alice = await fixture.Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        await alice.SendMessage(room, content);

        // immutable=1 reads the database file alone: what only the log holds is not there.
        var file = Path.Combine(fixture.Server.DataDirectory, "chat.db");
        var deadline = DateTime.UtcNow + TestDefaults.Timeout;
        while (await CountInFileAsync(file, content) == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the checkpointer copies the log into the file a few times a second");
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
}
