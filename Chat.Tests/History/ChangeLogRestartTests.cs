using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.History;

/// <summary>Acknowledged means stored for every kind of change: restarts and crashes keep the room's whole log.</summary>
public sealed class ChangeLogRestartTests
{
    private static readonly Dictionary<string, string?> Volume = new()
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };

    [Fact]
    public async Task ARestartKeepsTheWholeChangeLogAndCarriesOnNumbering()
    {
        using var directory = new TempDirectory();
        var room = TestDefaults.UniqueRoom();
        var signingKey = TestDefaults.NewSigningKey();
        List<RoomEvent> before;
        ChatMessage[] historyBefore;

        await using (var first = await ChatServer.StartAsync(directory.Path, Volume, signingKey: signingKey))
        {
            await using var alice = await first.ConnectAsync(TestDefaults.UniqueUser("alice"));
            await alice.JoinRoom(room);
            var question = await alice.SendMessage(room, "question");
            var reply = await alice.PostMessage(room, new PostMessageRequest("reply", ReplyToId: question.Id, Mentions: [alice.UserId]));
            var doomed = await alice.SendMessage(room, "doomed");
            await alice.EditMessage(room, question.Id, "question, edited");
            await alice.AddReaction(room, reply.Id, "👍");
            await alice.AddReaction(room, reply.Id, "🎉");
            await alice.RemoveReaction(room, reply.Id, "👍");
            await alice.DeleteMessage(room, doomed.Id);
            before = await alice.ReadAllEventsAsync(room);
            historyBefore = await alice.GetHistory(room, null, 10);
        }

        await using var second = await ChatServer.StartAsync(directory.Path, Volume, signingKey: signingKey);
        await using var reader = await second.ConnectAsync(TestDefaults.UniqueUser("reader"));
        var after = await reader.ReadAllEventsAsync(room);
        var joined = await reader.JoinRoom(room);
        var next = await reader.SendMessage(room, "after the restart");

        before.Select(e => e.EventSequence).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
        after.Should().Equal(before);
        (await reader.GetHistory(room, next.Sequence, 10)).Should().Equal(historyBefore);
        joined.LastEventSequence.Should().Be(8);
        next.Should().BeEquivalentTo(new { Sequence = 4L, EventSequence = 9L });
    }

    [Fact]
    public async Task AKilledServerLosesNoAcknowledgedChange()
    {
        using var directory = new TempDirectory();
        await using var server = await ChatServerProcess.StartAsync(directory.Path, Volume);
        var room = TestDefaults.UniqueRoom();
        var alice = TestDefaults.UniqueUser("alice");
        await using var writer = await server.ConnectAsync(alice);
        await writer.JoinRoom(room);
        var message = await writer.SendMessage(room, "v0");

        // Edits and reactions keep flowing while the process is killed: everything acknowledged must survive it.
        var changes = CallsUntilKilled<ChatMessage>.Start(
            i => (i % 4) switch
            {
                0 => writer.AddReaction(room, message.Id, "⏱️"),
                2 => writer.RemoveReaction(room, message.Id, "⏱️"),
                _ => writer.EditMessage(room, message.Id, $"v{i + 1}"),
            },
            30);
        await changes.WaitUntilEnoughAsync(() => server.Output);

        await server.KillAsync();
        await changes.StoppedAsync();
        var acknowledged = changes.Acknowledged;

        await server.StartAsync();
        await using var reader = await server.ConnectAsync(TestDefaults.UniqueUser("reader"));
        var log = await reader.ReadAllEventsAsync(room);
        var stored = (await reader.GetHistory(room, null, 1)).Single();

        var last = acknowledged[^1];
        log.Select(e => e.EventSequence).Should().Equal(Enumerable.Range(1, log.Count).Select(i => (long)i));
        log.Count.Should().BeGreaterThanOrEqualTo(acknowledged.Count + 1);
        stored.EventSequence.Should().BeGreaterThanOrEqualTo(last.EventSequence);
        if (stored.EventSequence == last.EventSequence)
        {
            stored.Should().Be(last, "the last acknowledged change is the message as it is stored");
        }

        acknowledged.Select(m => m.EventSequence).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        acknowledged.Select(m => m.EventSequence).Should().Equal(Enumerable.Range(2, acknowledged.Count).Select(i => (long)i));
    }
}
