using System.Collections.Concurrent;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Tests.Client;

/// <summary>
/// An overloaded server closes connections it has not heard from in time, with an error: what that does to the calls
/// under way on them.
/// </summary>
public sealed class ServerCloseTests(ServerCloseTests.Fixture fixture) : IClassFixture<ServerCloseTests.Fixture>
{
    [Fact]
    public async Task ASendCutByTheServerClosingTheConnectionWithAnErrorRunsAgainOnTheNextConnection()
    {
        await using var alice = await ClientUnderTest.StartAsync(fixture.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack,
            options =>
            {
                options.UserName = null;
                options.AccessTokenProvider = _ => Task.FromResult(new ChatAccessToken("not-checked", null));
            });

        var sent = await alice.Client.SendMessageAsync("lobby", "slow", "once").WithTimeout();

        sent.ClientMessageId.Should().Be("once");
        fixture.Attempts("once").Should().HaveCount(2, "the first attempt was cut by the close, the second answered");
    }

    /// <summary>A hub that hears from its clients for at most a second: a call that takes longer is cut by the close.</summary>
    public sealed class Fixture : StandInHubFixture<SlowHub>
    {
        protected override void ConfigureHub(HubOptions options)
        {
            options.ClientTimeoutInterval = TimeSpan.FromSeconds(1);
            options.KeepAliveInterval = TimeSpan.FromMilliseconds(500);
        }
    }

    public sealed class SlowHub(Fixture fixture) : Microsoft.AspNetCore.SignalR.Hub
    {
        public async Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId)
        {
            var calls = fixture.Calls.GetOrAdd(clientMessageId ?? "", _ => new ConcurrentQueue<string>());
            calls.Enqueue(nameof(SendMessage));
            if (calls.Count == 1)
            {
                // Longer than the client timeout: the server closes the connection under this call.
                await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
            }

            return new ChatMessage("m1", room, 1, "alice", "alice", content, DateTime.UtcNow, clientMessageId, 1, null, null, null, [], [], []);
        }
    }
}
