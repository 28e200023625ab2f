using Chat.Tests.Client;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.TypeScriptClient;

/// <summary>
/// The TypeScript client across two server nodes that share a store but no backplane (<see cref="LiveGapTests"/>'s
/// setting): live traffic jumps, and the client fetches each hole and hands the room on in order.
/// </summary>
public sealed class TypeScriptClientGapTests(LiveGapTests.Fixture fixture) : IClassFixture<LiveGapTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task ChangesMissingFromLiveTrafficAreFetchedAndHandedOnInOrder(string protocol) =>
        JsClientScript.PackageTestShouldPassAsync(
            "live-gap", protocol, $"typescript live gap ({protocol}): ok", fixture.NodeA.BaseAddress, fixture.NodeB.BaseAddress);
}
