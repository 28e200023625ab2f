using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

public sealed class TypingTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SetTypingIsAnnouncedToTheOthersOnce(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        await alice.SetTyping(room, true);
        await alice.SetTyping(room, true);
        var started = await bob.Typing.WaitForAsync(t => t.Room == room && t.IsTyping);
        await alice.SetTyping(room, false);
        var stopped = await bob.Typing.WaitForAsync(t => t.Room == room && !t.IsTyping);

        started.Should().Be(new TypingNotice(room, alice.UserId, alice.UserName, true));
        stopped.Should().Be(new TypingNotice(room, alice.UserId, alice.UserName, false));
        bob.Typing.Items.Where(t => t.Room == room).Should().HaveCount(2, "a renewed 'true' is not announced again");
        alice.Typing.Items.Should().NotContain(t => t.IsTyping, "the typist is not told of its own typing");
    }

    [Fact]
    public async Task TypingExpiresByItselfFiveSecondsAfterTheLastTrue()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        await alice.SetTyping(room, true);
        var started = DateTime.UtcNow;
        await bob.Typing.WaitForAsync(t => t.IsTyping);
        var stopped = await bob.Typing.WaitForAsync(t => !t.IsTyping, TimeSpan.FromSeconds(15));

        stopped.UserId.Should().Be(alice.UserId);
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromSeconds(4.5));
    }

    [Fact]
    public async Task SendingEndsTheSendersTyping()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        await alice.SetTyping(room, true);
        await bob.Typing.WaitForAsync(t => t.IsTyping);

        await alice.SendMessage(room, "done typing");

        (await bob.Typing.WaitForAsync(t => !t.IsTyping, TimeSpan.FromSeconds(3))).UserId.Should().Be(alice.UserId);
    }

    [Fact]
    public async Task LeavingEndsTyping()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        await alice.SetTyping(room, true);
        await bob.Typing.WaitForAsync(t => t.IsTyping);

        await alice.LeaveRoom(room);

        (await bob.Typing.WaitForAsync(t => !t.IsTyping, TimeSpan.FromSeconds(3))).UserId.Should().Be(alice.UserId);
    }

    [Fact]
    public async Task DisconnectingEndsTyping()
    {
        var room = TestDefaults.UniqueRoom();
        var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        await alice.SetTyping(room, true);
        await bob.Typing.WaitForAsync(t => t.IsTyping);

        await alice.DisposeAsync();

        (await bob.Typing.WaitForAsync(t => !t.IsTyping, TimeSpan.FromSeconds(3))).UserId.Should().Be(alice.UserId);
    }
}
