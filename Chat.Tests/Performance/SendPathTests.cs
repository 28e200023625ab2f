using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Performance;

/// <summary>The send path under concurrency: what group commit batches together keeps every guarantee.</summary>
public sealed class SendPathTests(SendPathTests.Fixture fixture) : IClassFixture<SendPathTests.Fixture>
{
    private const int Senders = 8;
    private const int MessagesPerSender = 10;

    [Fact]
    public async Task RetriesOfManySendersInOneBatchAreEachAnsweredWithTheirOwnStoredMessage()
    {
        var room = TestDefaults.UniqueRoom();
        var senders = new List<TestClient>();
        try
        {
            for (var i = 0; i < Senders; i++)
            {
                var sender = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser(), ChatProtocol.MessagePack);
                senders.Add(sender);
                await sender.JoinRoom(room);
            }

            // Every sender uses the same ids: only the (sender, id) pair identifies a retry.
            var ids = Enumerable.Range(0, MessagesPerSender).Select(i => $"id-{i}").ToList();
            var stored = await Task.WhenAll(senders.SelectMany(s => ids.Select(id => s.SendMessage(room, $"{s.UserName} {id}", id))));
            var retried = await Task.WhenAll(senders.SelectMany(s => ids.Select(id => s.SendMessage(room, "retry", id))));

            retried.Should().Equal(stored, "a retry returns the message its sender stored under that id, content and all");
            stored.Select(m => m.Sequence).Should().OnlyHaveUniqueItems().And.HaveCount(Senders * MessagesPerSender);
            var history = await senders[0].GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage);
            history.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, Senders * MessagesPerSender).Select(i => (long)i));
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CopiesOfOneClientMessageIdSentAtOnceAreStoredOnce() =>
        await SameIdSends.ShouldStoreOneMessageAsync(user => fixture.Server.ConnectAsync(user, ChatProtocol.MessagePack));

    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
