using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// A SignalR JS client written from the specification alone (Node, @microsoft/signalr from npm) keeps two devices of
/// one user in agreement on what is unread: MarkRead on one, ReadStateChanged and ListMyRooms on the other, the
/// mention's notification on both. The script is Chat.Tests/JsClient/readstate.mjs.
/// </summary>
public sealed class JsClientReadStateTests(ReadStateTests.Fixture fixture) : IClassFixture<ReadStateTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public Task ASpecWrittenJsClientKeepsTwoDevicesInAgreementOnWhatIsUnread(string protocol) =>
        JsClientScript.ShouldPassAsync("readstate.mjs", fixture.Server.BaseAddress, protocol, $"js read state ({protocol}): ok");
}
