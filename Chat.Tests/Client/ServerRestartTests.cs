using Chat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.Tests.Client;

/// <summary>The server process is killed (SIGKILL) and started again on the same port and database.</summary>
public sealed class ServerRestartTests(ServerRestartTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ServerRestartTests.Fixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task FiveHundredMessagesArriveExactlyOnceInOrderAcrossTwoServerKills(ChatProtocol protocol) =>
        await MessageExchange.RunAsync(fixture.Server.BaseAddress, protocol, _ => fixture.Server.RestartAsync(), output);

    public sealed class Fixture : ChatServerProcessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        };
    }
}
