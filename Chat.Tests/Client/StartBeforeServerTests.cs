using Chat.Client;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

public sealed class StartBeforeServerTests
{
    // One protocol: the hub protocol plays no part before the first connection (each server start costs seconds).
    [Fact]
    public async Task ClientStartedBeforeItsServerConnectsOnceTheServerIsUp()
    {
        using var directory = new TempDirectory();
        var port = ChatServerProcess.FreePort();
        var serverUrl = new Uri($"http://127.0.0.1:{port}/");
        await using var alice = new ClientUnderTest(ClientUnderTest.Options(serverUrl, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack));

        var starting = alice.Client.StartAsync();
        var failedAttempt = await alice.States.WaitForAsync(s => s.Current == ChatConnectionState.Connecting && s.Reason is not null, TimeSpan.FromSeconds(60));
        starting.IsCompleted.Should().BeFalse("nothing listens yet");
        await using var server = await ChatServerProcess.StartAsync(directory.Path, port: port);
        await starting.WithTimeout(TimeSpan.FromSeconds(60));

        failedAttempt.Reason.Should().BeAssignableTo<HttpRequestException>();
        alice.Client.State.Should().Be(ChatConnectionState.Connected);
        var room = TestDefaults.UniqueRoom();
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        (await alice.Client.SendMessageAsync(room, "made it").WithTimeout()).Sequence.Should().Be(1);
    }
}
