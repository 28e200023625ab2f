using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// The official SignalR JS client (Node, @microsoft/signalr from npm), written from the specification alone, logs in,
/// joins, chats, sees typing and presence, pages through history and gets every error code with its connection still
/// usable. The script is Chat.Tests/JsClient/contract.mjs.
/// </summary>
public sealed class JsClientContractTests(ErrorCodeTests.Fixture fixture) : IClassFixture<ErrorCodeTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task ASpecWrittenJsClientCanUseEveryFeature(string protocol) =>
        JsClientScript.ShouldPassAsync("contract.mjs", fixture.Server.BaseAddress, protocol, $"js contract ({protocol}): ok");
}
