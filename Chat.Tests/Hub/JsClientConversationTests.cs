using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// The "done when": a SignalR JS client written from the specification alone (Node, @microsoft/signalr from
/// npm) holds a private conversation that nobody else can read, in a private room and in a direct room. The script is
/// Chat.Tests/JsClient/conversations.mjs.
/// </summary>
public sealed class JsClientConversationTests(JsClientConversationTests.Fixture fixture) : IClassFixture<JsClientConversationTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task ASpecWrittenJsClientHoldsAPrivateConversationNobodyElseCanRead(string protocol) =>
        JsClientScript.ShouldPassAsync("conversations.mjs", fixture.Server.BaseAddress, protocol, $"js conversations ({protocol}): ok");

    /// <summary>The send rate is not what this test specifies.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
