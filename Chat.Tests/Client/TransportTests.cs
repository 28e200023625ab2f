using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Tests.Client;

/// <summary>
/// How <see cref="ChatClient"/> reaches the hub: over WebSockets straight away, one request per (re)connect. A restart
/// storm showed why: negotiated connections expired on the busy server before their WebSocket came, and clients fell
/// back to long polling for good.
/// </summary>
public sealed class TransportTests(TransportTests.Fixture fixture) : IClassFixture<TransportTests.Fixture>
{
    [Fact]
    public async Task TheClientConnectsOverWebSocketsWithoutNegotiating()
    {
        await using var alice = await ClientUnderTest.StartAsync(fixture.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack,
            options =>
            {
                options.UserName = null;
                options.AccessTokenProvider = _ => Task.FromResult(new ChatAccessToken("not-checked", null));
            });

        var seen = (await alice.Client.ListRoomsAsync().WithTimeout()).Single().Room;

        seen.Should().Be("WebSockets, not negotiated");
    }

    public sealed class Fixture : StandInHubFixture<TransportHub>;

    /// <summary>Answers the room list with how the caller came: its transport, and whether it negotiated first (a negotiated connection's request names its id).</summary>
    public sealed class TransportHub : Microsoft.AspNetCore.SignalR.Hub
    {
        public RoomSummary[] ListRooms()
        {
            var transport = Context.Features.Get<IHttpTransportFeature>()!.TransportType;
            var negotiated = Context.GetHttpContext()!.Request.Query.ContainsKey("id");
            return [new RoomSummary($"{transport}, {(negotiated ? "negotiated" : "not negotiated")}", 0, 0, 0)];
        }
    }
}
