using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

public sealed class MessagingTests(MessagingTests.Fixture fixture) : IClassFixture<MessagingTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SendMessageStoresThenBroadcastsToEveryoneInTheRoom(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var outsider = await Server.ConnectAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var sent = await alice.SendMessage(room, "  hello bob  ", "c-1");

        sent.Should().BeEquivalentTo(new
        {
            Room = room,
            Sequence = 1L,
            SenderId = alice.UserId,
            SenderName = alice.UserName,
            Content = "hello bob",
            ClientMessageId = "c-1",
        });
        sent.Id.Should().NotBeNullOrEmpty();
        sent.SentAt.Kind.Should().Be(DateTimeKind.Utc);
        sent.SentAt.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await alice.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await bob.GetHistory(room, null, 10)).Should().Equal(sent);
        outsider.Messages.Items.Should().BeEmpty("only connections that joined the room receive its messages");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task RoomNamesAreCaseInsensitive(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("Mixed");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);

        var joined = await alice.JoinRoom(room.ToUpperInvariant());
        var sent = await alice.SendMessage(room, "hi");

        joined.Room.Should().Be(room.ToLowerInvariant());
        sent.Room.Should().Be(room.ToLowerInvariant());
        (await alice.GetHistory(room.ToUpperInvariant(), null, 5)).Should().Equal(sent);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetHistoryPagesBackwardsOldestFirst(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await alice.JoinRoom(room);
        for (var i = 1; i <= 12; i++)
        {
            await alice.SendMessage(room, $"m{i}");
        }

        var newest = await alice.GetHistory(room, null, 5);
        var older = await alice.GetHistory(room, newest[0].Sequence, 5);
        var oldest = await alice.GetHistory(room, older[0].Sequence, 5);
        var beyond = await alice.GetHistory(room, oldest[0].Sequence, 5);

        newest.Select(m => m.Sequence).Should().Equal(8, 9, 10, 11, 12);
        older.Select(m => m.Sequence).Should().Equal(3, 4, 5, 6, 7);
        oldest.Select(m => m.Content).Should().Equal("m1", "m2");
        beyond.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetMessagesSinceReturnsEverythingAfterASequenceInPages(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await alice.JoinRoom(room);
        for (var i = 1; i <= 7; i++)
        {
            await alice.SendMessage(room, $"m{i}");
        }

        var first = await alice.GetMessagesSince(room, 2, 3);
        var rest = await alice.GetMessagesSince(room, first[^1].Sequence, 500);
        var none = await alice.GetMessagesSince(room, 7, 10);

        first.Select(m => m.Sequence).Should().Equal(3, 4, 5);
        rest.Select(m => m.Sequence).Should().Equal(6, 7);
        none.Should().BeEmpty();
    }

    [Fact]
    public async Task HistoryIsReadableWithoutJoining()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var reader = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        var sent = await alice.SendMessage(room, "public");

        (await reader.GetHistory(room, null, 10)).Should().Equal(sent);
        (await reader.GetMessagesSince(room, 0, 10)).Should().Equal(sent);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ConcurrentSendersGetGapFreeUniqueSequences(ChatProtocol protocol)
    {
        const int senders = 20;
        const int perSender = 5;
        var room = TestDefaults.UniqueRoom();
        await using var observer = await Server.ConnectAsync(TestDefaults.UniqueUser("observer"), protocol);
        await observer.JoinRoom(room);
        var clients = await Task.WhenAll(Enumerable.Range(0, senders).Select(i => Server.ConnectAsync(TestDefaults.UniqueUser($"s{i}"), protocol)));
        try
        {
            await Task.WhenAll(clients.Select(c => c.JoinRoom(room)));

            var acks = await Task.WhenAll(clients.Select(async c =>
            {
                var sent = new List<ChatMessage>();
                for (var i = 0; i < perSender; i++)
                {
                    sent.Add(await c.SendMessage(room, $"{c.UserName} {i}"));
                }

                return sent;
            }));

            var expected = Enumerable.Range(1, senders * perSender).Select(i => (long)i);
            acks.SelectMany(a => a).Select(m => m.Sequence).Should().BeEquivalentTo(expected);
            (await observer.GetMessagesSince(room, 0, 500)).Select(m => m.Sequence).Should().Equal(expected);
            var delivered = await observer.Messages.WaitForCountAsync(senders * perSender, m => m.Room == room);
            delivered.Select(m => m.Sequence).Should().Equal(expected, "each connection receives a room's messages in sequence order");
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task RetriedClientMessageIdIsStoredAndDeliveredOnce(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        var clientMessageId = Guid.NewGuid().ToString();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var first = await alice.SendMessage(room, "once", clientMessageId);
        var retry = await alice.SendMessage(room, "once", clientMessageId);
        var concurrentRetries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => alice.SendMessage(room, "once", clientMessageId)));
        var marker = await alice.SendMessage(room, "after");

        retry.Should().Be(first);
        concurrentRetries.Should().AllBeEquivalentTo(first);
        await bob.Messages.WaitForAsync(m => m.Id == marker.Id);
        bob.Messages.Items.Where(m => m.Room == room).Select(m => m.Content).Should().Equal("once", "after");
        (await bob.GetHistory(room, null, 10)).Should().Equal(first, marker);
    }

    [Fact]
    public async Task TheSameClientMessageIdFromAnotherUserIsAnotherMessage()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var fromAlice = await alice.SendMessage(room, "a", "shared-id");
        var fromBob = await bob.SendMessage(room, "b", "shared-id");

        fromBob.Id.Should().NotBe(fromAlice.Id);
        fromBob.Sequence.Should().Be(fromAlice.Sequence + 1);
    }

    [Fact]
    public async Task TimesArriveAsTheSameInstantThroughBothProtocols()
    {
        var room = TestDefaults.UniqueRoom();
        await using var viaJson = await Server.ConnectAsync(TestDefaults.UniqueUser("json"), ChatProtocol.Json);
        await using var viaMessagePack = await Server.ConnectAsync(TestDefaults.UniqueUser("msgpack"), ChatProtocol.MessagePack);
        await viaJson.JoinRoom(room);
        await viaMessagePack.JoinRoom(room);

        var sent = await viaJson.SendMessage(room, "when?");
        var overMessagePack = await viaMessagePack.Messages.WaitForAsync(m => m.Id == sent.Id);
        var historyOverMessagePack = (await viaMessagePack.GetHistory(room, null, 1)).Single();
        var historyOverJson = (await viaJson.GetHistory(room, null, 1)).Single();

        foreach (var message in new[] { overMessagePack, historyOverMessagePack, historyOverJson })
        {
            message.SentAt.Should().Be(sent.SentAt);
            message.SentAt.Kind.Should().Be(DateTimeKind.Utc);
        }
    }

    /// <summary>Enough rate for the volume tests in this class; rate limiting has its own tests.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
