using Chat.Server.Messaging;
using Chat.Server.Reading;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.History;

/// <summary>
/// Other writes of the server (read pointers, the search index's passes) borrow the group commit's own connection
/// between two of its batches: while one holds it, posts wait their turn instead of failing on a transaction already
/// open, a borrower that fails leaves the next batch a fresh connection, and the read pointers still waiting when the
/// server stops are stored before the pipeline lets go of its connection.
/// </summary>
public sealed class WriterConnectionTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    private ChangePipeline Pipeline => Server.Services.GetRequiredService<ChangePipeline>();

    [Fact]
    public async Task APostWaitsWhileOtherWorkHoldsTheWritersConnectionAndIsStoredRightAfter()
    {
        var room = TestDefaults.UniqueRoom("writer");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);
        Task<Chat.Shared.ChatMessage>? during = null;

        await Pipeline.RunOnWriterConnectionAsync(async (commands, cancellationToken) =>
        {
            await using var transaction = await commands.Connection.BeginTransactionAsync(cancellationToken);
            during = alice.SendMessage(room, "posted while the connection was lent");
            var first = await Task.WhenAny(during, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
            first.Should().NotBeSameAs(during, "the group commit waits until the borrower gives its connection back");
            await transaction.CommitAsync(cancellationToken);
        }).WithTimeout();

        (await during!.WithTimeout()).Content.Should().Be("posted while the connection was lent");
        (await alice.GetHistory(room, null, 10)).Select(m => m.Content).Should().Equal("posted while the connection was lent");
    }

    [Fact]
    public async Task ABorrowerThatFailsLeavesPostingWorking()
    {
        var room = TestDefaults.UniqueRoom("writer");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
        await alice.JoinRoom(room);

        await Pipeline.Awaiting(p => p.RunOnWriterConnectionAsync((commands, _) =>
            {
                using var transaction = commands.Connection.BeginTransaction();
                throw new InvalidOperationException("a pass that breaks with its transaction open");
            }).WithTimeout())
            .Should().ThrowAsync<InvalidOperationException>();

        (await alice.SendMessage(room, "after the failure").WithTimeout()).Sequence.Should().Be(1);
    }

    [Fact]
    public async Task ReadMarksStillWaitingWhenTheServerStopsAreStoredBeforeItStops()
    {
        using var directory = new TempDirectory();
        var signingKey = TestDefaults.NewSigningKey();
        var room = TestDefaults.UniqueRoom("writer");
        var bobName = TestDefaults.UniqueUser("bob");
        // The longest interval allowed: the second mark waits for a commit that only the stop brings.
        var settings = new Dictionary<string, string?> { ["ReadState:FlushInterval"] = "00:00:10" };
        Task<bool> waiting;

        await using (var first = await ChatServer.StartAsync(directory.Path, settings, signingKey: signingKey))
        {
            await using var alice = await first.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"));
            await using var bob = await first.ConnectWelcomedAsync(bobName);
            await bob.JoinRoom(room);
            await alice.JoinRoom(room);
            await alice.SendMessage(room, "one");
            await alice.SendMessage(room, "two");

            var pointers = first.Services.GetRequiredService<ReadPointerWriter>();
            (await pointers.MoveAsync(room, bob.UserId, 1).WithTimeout()).Should().BeTrue();
            waiting = pointers.MoveAsync(room, bob.UserId, 2);
            waiting.IsCompleted.Should().BeFalse("the next commit is ten seconds after the last");
        }

        (await waiting.WithTimeout()).Should().BeTrue("the server's last commit of read pointers stored it");

        await using var second = await ChatServer.StartAsync(directory.Path, settings, signingKey: signingKey);
        await using var bobAgain = await second.ConnectWelcomedAsync(bobName);
        var mine = (await bobAgain.ListMyRooms()).Single(r => r.Room.Room == room);
        mine.LastReadSequence.Should().Be(2);
        mine.UnreadCount.Should().Be(0);
    }
}
