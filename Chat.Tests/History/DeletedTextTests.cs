using System.Text;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.History;

/// <summary>Deleting a message removes its text from the disk, not only from what the hub answers.</summary>
public sealed class DeletedTextTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Fact]
    public async Task ADeletedMessagesTextIsNowhereInTheDatabaseFiles()
    {
        var scene = await DeleteAReactedEditedMessageAsync();

        var found = await Eventually.MatchesAsync(
            () => FindAsync(scene.Database, scene.Original, scene.Edited, scene.Kept),
            found => found.Texts.All(f => f.Text == scene.Kept),
            because: "the deleted text and its earlier edit leave the database file and its write-ahead log");
        found.Texts.Should().Contain(f => f.Text == scene.Kept, "the scan reads where the store keeps its text");
    }

    [Fact]
    public async Task ADeletedMessagesReactionsAreNowhereInTheDatabaseFiles()
    {
        var scene = await DeleteAReactedEditedMessageAsync();

        var found = await Eventually.MatchesAsync(
            () => FindAsync(scene.Database, scene.Reaction, scene.Kept),
            found => found.Texts.All(f => f.Text == scene.Kept),
            because: "the reactions of a deleted message are removed from the store for good, like its text");
        found.Texts.Should().Contain(f => f.Text == scene.Kept, "the scan reads where the store keeps its text");
    }

    /// <summary>Alice posts a unique text, edits it, Bob reacts with a unique reaction and replies, and Alice deletes it.</summary>
    private async Task<Scene> DeleteAReactedEditedMessageAsync()
    {
        var room = TestDefaults.UniqueRoom();
        var unique = Guid.NewGuid().ToString("N");
        var scene = new Scene(
            Path.Combine(fixture.Server.DataDirectory, "chat.db"), $"original-{unique}", $"edited-{unique}", $":r{unique[..20]}:", $"kept-{unique}");
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var doomed = await alice.PostMessage(room, new PostMessageRequest(scene.Original, Mentions: [bob.UserId]));
        await alice.EditMessage(room, doomed.Id, scene.Edited);
        await bob.AddReaction(room, doomed.Id, scene.Reaction);
        await bob.PostMessage(room, new PostMessageRequest(scene.Kept, ReplyToId: doomed.Id));
        await alice.DeleteMessage(room, doomed.Id);
        return scene;
    }

    /// <summary>
    /// Which of <paramref name="texts"/> are in the bytes on disk, as the server left them: the database file and its
    /// write-ahead log, where earlier copies of a page stay until a checkpoint truncates it.
    /// </summary>
    private static async Task<Found> FindAsync(string databasePath, params string[] texts)
    {
        var found = new List<(string File, string Text)>();
        foreach (var path in new[] { databasePath, databasePath + "-wal" }.Where(File.Exists))
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await file.CopyToAsync(copy);
            found.AddRange(texts.Where(text => copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(Encoding.UTF8.GetBytes(text)) >= 0)
                .Select(text => (Path.GetFileName(path), text)));
        }

        return new Found(found);
    }

    private sealed record Scene(string Database, string Original, string Edited, string Reaction, string Kept);

    private sealed record Found(List<(string File, string Text)> Texts)
    {
        public override string ToString() => string.Join("; ", Texts.Select(f => $"\"{f.Text}\" in {f.File}"));
    }
}
