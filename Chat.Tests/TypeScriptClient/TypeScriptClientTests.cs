using Chat.Tests.Infrastructure;

namespace Chat.Tests.TypeScriptClient;

/// <summary>
/// The TypeScript client package (clients/typescript, @chat/client) runs its own tests under Node against a real
/// server, over both protocols: its generated types and hub proxy, its call signaling layer, and its recovery of every
/// change across dropped connections (the tests cut them with a TCP relay of their own, as Chat.Client's tests do with
/// TcpProxy).
/// </summary>
public sealed class TypeScriptClientTests(TypeScriptClientTests.Fixture fixture) : IClassFixture<TypeScriptClientTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task TypedCallsGetTheContractsShapesTimesAndErrorCodes(string protocol) =>
        JsClientScript.PackageTestShouldPassAsync("typed-calls", protocol, $"typescript typed calls ({protocol}): ok", fixture.Server.BaseAddress);

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task FiveHundredMessagesAndTheirEditsArriveExactlyOnceInOrderAcrossTwoConnectionDrops(string protocol) =>
        JsClientScript.PackageTestShouldPassAsync("recovery", protocol, $"typescript recovery ({protocol}): ok", fixture.Server.BaseAddress);

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task CallSignalingRingsBothTabsRelaysTheAnswerAndBatchedCandidatesAndEndsCalls(string protocol) =>
        JsClientScript.PackageTestShouldPassAsync("calls", protocol, $"typescript calls ({protocol}): ok", fixture.Server.BaseAddress);

    [Fact]
    public Task ChangesAreHandedOnOnceInOrderAndHeldBehindAGap() =>
        JsClientScript.PackageTestShouldPassAsync("change-log", "", "typescript change log: ok");

    public sealed class Fixture : ChatServerFixture
    {
        // 500 sends and 100 edits in a few seconds: far above the default rate of one user.
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        };
    }
}
