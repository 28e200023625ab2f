using System.Net;
using Chat.Server.Api;
using Chat.Server.Rooms;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Api;

/// <summary>
/// Two nodes on one PostgreSQL store: a bot made on one node works on the other, a revocation on one holds on the
/// other at once, and what the bot posts through one reaches hub clients of the other.
/// </summary>
public sealed class BotClusterTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public async Task ABotKeyRevokedOnOneNodeIsRefusedOnTheOtherAtOnce()
    {
        var (nodeA, nodeB) = (cluster.Nodes[0], cluster.Nodes[1]);
        var admin = new ChatUser("guest:root", "root");
        var bot = await nodeA.Services.GetRequiredService<BotDirectory>().CreateAsync(TestDefaults.UniqueUser("relay"), admin).WithTimeout();
        await using var alice = await nodeA.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("relay");
        await alice.JoinRoom(room);
        using (var joined = await BotApi.SendAsync(nodeB.Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey))
        {
            joined.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        using var post = await BotApi.SendAsync(nodeB.Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("via node B"));
        var posted = await BotApi.ReadAsync<ChatMessage>(post, HttpStatusCode.Created);
        (await alice.Messages.WaitForAsync(m => m.Id == posted.Id)).SenderId.Should().Be(bot.UserId);

        await nodeA.Services.GetRequiredService<BotDirectory>().RevokeAsync(bot.BotId, admin).WithTimeout();

        using var after = await BotApi.SendAsync(nodeB.Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("still here?"));
        await BotApi.ShouldBeProblemAsync(after, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
    }
}
