using System.Text;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Chat.Tests.History;

/// <summary>Deleting a message removes its text from the disk, not only from what the hub answers.</summary>
public sealed class DeletedTextTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Fact]
    public async Task ADeletedMessagesTextIsNowhereInTheDatabaseFiles()
    {
        var room = TestDefaults.UniqueRoom();
        var unique = Guid.NewGuid().ToString("N");
        var original = $"original-{unique}";
        var edited = $"edited-{unique}";
        var reaction = $":r{unique[..20]}:";
        var kept = $"kept-{unique}";
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var doomed = await alice.PostMessage(room, new PostMessageRequest(original, Mentions: [bob.UserId]));
        await alice.EditMessage(room, doomed.Id, edited);
        await bob.AddReaction(room, doomed.Id, reaction);
        await bob.PostMessage(room, new PostMessageRequest(kept, ReplyToId: doomed.Id));

        await alice.DeleteMessage(room, doomed.Id);

        var stored = await StoreBytesAsync(Path.Combine(fixture.Server.DataDirectory, "chat.db"));
        Contains(stored, kept).Should().BeTrue("the scan reads where the store keeps its text");
        foreach (var gone in new[] { original, edited, reaction })
        {
            Contains(stored, gone).Should().BeFalse($"\"{gone}\" was deleted");
        }
    }

    /// <summary>
    /// The database file and its write-ahead log, after a checkpoint: what a reader of the disk would find once the
    /// log has been folded in, as SQLite does by itself as it runs.
    /// </summary>
    private static async Task<byte[]> StoreBytesAsync(string databasePath)
    {
        await using (var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Default Timeout=30"))
        {
            await connection.OpenAsync();
            await Eventually.MatchesAsync(
                async () =>
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                    await using var result = await command.ExecuteReaderAsync();
                    return await result.ReadAsync() && result.GetInt64(0) == 0;
                },
                done => done,
                because: "the log is checkpointed once no reader holds it");
        }

        var bytes = new List<byte>();
        foreach (var path in new[] { databasePath, databasePath + "-wal" }.Where(File.Exists))
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await file.CopyToAsync(copy);
            bytes.AddRange(copy.ToArray());
        }

        return [.. bytes];
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
