using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

public sealed class TypingTests(TypingTests.Fixture fixture) : IClassFixture<TypingTests.Fixture>, IAsyncLifetime
{
    private readonly List<TestClient> _connections = [];

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
        using var directory = new TempDirectory();
        await using var server = await ChatServer.StartAsync(directory.Path);
        var room = TestDefaults.UniqueRoom();
        await using var alice = await server.ConnectAsync(TestDefaults.UniqueUser());
        await using var bob = await server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        await alice.SetTyping(room, true);
        var started = DateTime.UtcNow;
        await bob.Typing.WaitForAsync(t => t.IsTyping);
        var stopped = await bob.Typing.WaitForAsync(t => !t.IsTyping, TimeSpan.FromSeconds(30));

        stopped.UserId.Should().Be(alice.UserId);
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromSeconds(4.5));
    }

    [Fact]
    public async Task SendingEndsTheSendersTyping()
    {
        var (room, alice, bob) = await AliceTypingBeforeBob();

        await alice.SendMessage(room, "done typing");

        await AssertAliceStopped(alice, bob);
    }

    [Fact]
    public async Task LeavingEndsTyping()
    {
        var (room, alice, bob) = await AliceTypingBeforeBob();

        await alice.LeaveRoom(room);

        await AssertAliceStopped(alice, bob);
    }

    [Fact]
    public async Task DisconnectingEndsTyping()
    {
        var (_, alice, bob) = await AliceTypingBeforeBob();

        await alice.DisposeAsync();

        await AssertAliceStopped(alice, bob);
    }

    private async Task<(string Room, TestClient Alice, TestClient Bob)> AliceTypingBeforeBob()
    {
        var room = TestDefaults.UniqueRoom();
        var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"));
        _connections.Add(alice);
        _connections.Add(bob);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        await alice.SetTyping(room, true);
        await bob.Typing.WaitForAsync(t => t.IsTyping);
        return (room, alice, bob);
    }

    private static async Task AssertAliceStopped(TestClient alice, TestClient bob) =>
        (await bob.Typing.WaitForAsync(t => !t.IsTyping)).UserId.Should().Be(alice.UserId);

    public async Task InitializeAsync() => await Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Typing that never expires by itself here, so every end these tests see was caused by what they did.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Typing:Timeout"] = "00:10:00" };
    }
}
