using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// A SignalR JS client written from the specification alone (Node, @microsoft/signalr from npm) searches over both
/// protocols: words, phrases, prefixes, pages, snippets, private rooms and the errors. The script is
/// Chat.Tests/JsClient/search.mjs.
/// </summary>
public sealed class JsClientSearchTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task ASpecWrittenJsClientSearchesWhatItMayRead(string protocol) =>
        JsClientScript.ShouldPassAsync("search.mjs", fixture.Server.BaseAddress, protocol, $"js search ({protocol}): ok");
}
