using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Security;

/// <summary>
/// Someone minding their own business in their own room, connected before an attack: afterwards they must still
/// chat, the server must still be live, and it must have logged no error.
/// </summary>
public sealed class Bystander : IAsyncDisposable
{
    private Bystander(ChatServer server, TestClient client, string room)
    {
        Server = server;
        Client = client;
        Room = room;
    }

    public ChatServer Server { get; }

    public TestClient Client { get; }

    public string Room { get; }

    /// <summary>Joins a room of its own, over <paramref name="client"/> when given (started here), else a new connection.</summary>
    public static async Task<Bystander> JoinAsync(ChatServer server, TestClient? client = null)
    {
        if (client is null)
        {
            client = await server.ConnectAsync(TestDefaults.UniqueUser("bystander"));
        }
        else
        {
            await client.Connection.StartAsync().WithTimeout();
        }

        var room = TestDefaults.UniqueRoom("bystander");
        await client.JoinRoom(room);
        return new Bystander(server, client, room);
    }

    /// <summary>The server is live, this connection still sends and receives, and no error was logged.</summary>
    public async Task ShouldBeUnharmedAsync()
    {
        using (var health = await Server.Http.GetAsync(new Uri(ChatRoutes.Health, UriKind.Relative)).WithTimeout())
        {
            health.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        Client.Connection.State.Should().Be(HubConnectionState.Connected);
        var sent = await Client.SendMessage(Room, "still here " + Guid.NewGuid());
        (await Client.Messages.WaitForAsync(m => m.Id == sent.Id)).Content.Should().Be(sent.Content);
        Server.Logs.Errors.Should().BeEmpty();
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
