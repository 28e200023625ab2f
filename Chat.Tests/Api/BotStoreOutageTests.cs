using System.Net;
using Chat.Server.History;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Api;

/// <summary>
/// A key the server cannot check because its store does not answer is not called wrong: the bot gets 503
/// <c>unavailable</c> and retries, and the same key works again once the store is back.
/// </summary>
public sealed class BotStoreOutageTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task AKeyThatCannotBeCheckedIs503UnavailableNot401()
    {
        var server = fixture.Server;
        var room = TestDefaults.UniqueRoom("outage");
        var bot = await BotApi.NewBotAsync(server, fixture.AdminName);

        await ExecuteAsync(server, "ALTER TABLE bots RENAME TO bots_away");
        try
        {
            using var during = await BotApi.SendAsync(server.Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey);
            await BotApi.ShouldBeProblemAsync(during, HttpStatusCode.ServiceUnavailable, ChatErrorCodes.Unavailable);
        }
        finally
        {
            await ExecuteAsync(server, "ALTER TABLE bots_away RENAME TO bots");
        }

        using var after = await BotApi.SendAsync(server.Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey);
        after.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    /// <summary>With the bots' table renamed, every lookup of a key fails as it would with the store away.</summary>
    private static async Task ExecuteAsync(ChatServer server, string sql)
    {
        await using var db = await server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql).WithTimeout();
    }
}
