using Chat.Server.Messaging;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.History;

/// <summary>
/// Other writes of the server (the search index's passes) borrow the group commit's own connection between two of its
/// batches: while one holds it, posts wait their turn instead of failing on a transaction already open, and a borrower
/// that fails leaves the next batch a fresh connection.
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

        await Pipeline.RunOnWriterConnectionAsync(async (connection, cancellationToken) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
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

        await Pipeline.Awaiting(p => p.RunOnWriterConnectionAsync((connection, _) =>
            {
                using var transaction = connection.BeginTransaction();
                throw new InvalidOperationException("a pass that breaks with its transaction open");
            }).WithTimeout())
            .Should().ThrowAsync<InvalidOperationException>();

        (await alice.SendMessage(room, "after the failure").WithTimeout()).Sequence.Should().Be(1);
    }
}
