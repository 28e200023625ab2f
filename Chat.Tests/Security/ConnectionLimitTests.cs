using System.Net;
using Chat.Tests.Infrastructure;
using Chat.Server.Security;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Security;

/// <summary>One user cannot take the server's connections for themselves: 20 each (configurable), the next one gets 429.</summary>
public sealed class ConnectionLimitTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private const int Limit = 20;

    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task TwentyFirstConnectionOfAUserIsRefusedWith429()
    {
        var user = TestDefaults.UniqueUser("many");
        var open = new List<TestClient>();
        try
        {
            for (var i = 0; i < Limit; i++)
            {
                open.Add(await Server.ConnectAsync(user));
            }

            await using var extra = new TestClient(Server.CreateConnection(user, ChatProtocol.Json), user);
            var starting = () => extra.Connection.StartAsync().WithTimeout();

            (await starting.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await WaitForConnectionsAsync(user, Limit - 1);
            await using var replacement = await Server.ConnectAsync(user);
            replacement.Connection.State.Should().Be(HubConnectionState.Connected, "a closed connection frees its place");
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task FiftyConnectionsOfOneUserAtOnceLeaveTwentyOpen()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        var user = TestDefaults.UniqueUser("swarm");
        var clients = Enumerable.Range(0, 50).Select(_ => new TestClient(Server.CreateConnection(user, ChatProtocol.Json), user)).ToList();
        try
        {
            var starts = await Task.WhenAll(clients.Select(async client =>
            {
                try
                {
                    await client.Connection.StartAsync().WithTimeout();
                    return (HttpStatusCode?)null;
                }
                catch (HttpRequestException exception)
                {
                    return exception.StatusCode;
                }
            }));

            starts.Should().OnlyContain(status => status == null || status == HttpStatusCode.TooManyRequests);
            // Those that raced past the 429 together are closed right after their handshake.
            await WaitForConnectionsAsync(user, Limit);
            var deadline = DateTime.UtcNow + TestDefaults.Timeout;
            while (clients.Count(c => c.Connection.State == HubConnectionState.Connected) > Limit && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            clients.Count(c => c.Connection.State == HubConnectionState.Connected).Should().Be(Limit);
            await bystander.ShouldBeUnharmedAsync();
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task WaitForConnectionsAsync(string user, int expected)
    {
        var limiter = Server.Services.GetRequiredService<ConnectionLimiter>();
        var userId = "guest:" + user.ToLowerInvariant();
        var deadline = DateTime.UtcNow + TestDefaults.Timeout;
        while (limiter.ConnectionsOf(userId) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        limiter.ConnectionsOf(userId).Should().Be(expected);
    }
}
