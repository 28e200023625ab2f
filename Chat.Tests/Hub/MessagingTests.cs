using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

public sealed class MessagingTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SendMessageStoresThenBroadcastsToEveryoneInTheRoom(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var sent = await alice.SendMessage(room, "  hello bob  ", "c-1");

        sent.Should().BeEquivalentTo(new { Room = room, Sequence = 1L, SenderId = alice.UserId, SenderName = alice.UserName, Content = "hello bob", ClientMessageId = "c-1" });
        sent.SentAt.Kind.Should().Be(DateTimeKind.Utc);
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await alice.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
        (await bob.GetHistory(room, null, 10)).Should().Equal(sent);
    }
}
