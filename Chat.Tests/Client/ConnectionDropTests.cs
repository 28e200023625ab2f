using Chat.Client;
using Chat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.Tests.Client;

/// <summary>
/// The server keeps running while every TCP connection to it is reset by a relay in between (as a network failure
/// or a load balancer would): the server sees its connections abort, the clients see theirs drop.
/// </summary>
public sealed class ConnectionDropTests(ConnectionDropTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ConnectionDropTests.Fixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task FiveHundredMessagesArriveExactlyOnceInOrderAcrossTwoConnectionDrops(ChatProtocol protocol)
    {
        var serverProcess = fixture.Server.ProcessId;

        await MessageExchange.RunAsync(fixture.Proxy.BaseAddress, protocol, _ =>
        {
            fixture.Proxy.DropConnections().Should().BePositive();
            return Task.CompletedTask;
        }, output);

        fixture.Server.ProcessId.Should().Be(serverProcess, "the server process was never restarted");
    }

    [Fact]
    public async Task DroppedConnectionIsReportedWithItsReasonThenRecovered()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await using var bob = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("bob"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await bob.Client.JoinRoomAsync(room).WithTimeout();

        fixture.Proxy.DropConnections();
        var lost = await alice.WaitForStateAsync(ChatConnectionState.Reconnecting, timeout: TimeSpan.FromSeconds(60));
        var sent = await alice.Client.SendMessageAsync(room, "sent while reconnecting").WithTimeout(TimeSpan.FromSeconds(60));

        lost.Previous.Should().Be(ChatConnectionState.Connected);
        lost.Reason.Should().NotBeNull();
        await alice.WaitForStateAsync(ChatConnectionState.Connected, occurrence: 2, timeout: TimeSpan.FromSeconds(60));
        alice.Client.Rooms.Should().Equal(room);
        (await bob.Messages.WaitForAsync(m => m.Room == room)).Should().Be(sent);
    }

    public sealed class Fixture : ProxiedChatServerProcessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        };
    }
}
