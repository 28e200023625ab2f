using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Api;

/// <summary>A bot is held to the send rate of every user: beyond its burst, 429 <c>rate_limited</c>, and nothing stored.</summary>
public sealed class BotRateLimitTests(BotRateLimitTests.Fixture fixture) : IClassFixture<BotRateLimitTests.Fixture>
{
    private const int Burst = 3;

    [Fact]
    public async Task ABotSendingFasterThanTheRateIsRefusedWith429RateLimited()
    {
        var server = fixture.Server;
        var room = TestDefaults.UniqueRoom("flood");
        var bot = await BotApi.NewBotAsync(server, fixture.AdminName);
        (await BotApi.SendAsync(server.Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey)).Dispose();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Burst * 3; i++)
        {
            using var response = await BotApi.SendAsync(server.Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest($"spam {i}"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await BotApi.ShouldBeProblemAsync(response, HttpStatusCode.TooManyRequests, ChatErrorCodes.RateLimited);
            }
        }

        statuses.Should().Contain(HttpStatusCode.TooManyRequests).And.OnlyContain(s => s == HttpStatusCode.Created || s == HttpStatusCode.TooManyRequests);
        using var events = await BotApi.SendAsync(server.Http, HttpMethod.Get, BotApi.Events(room, 0, 100), bot.ApiKey);
        (await BotApi.ReadAsync<EventsPage>(events, HttpStatusCode.OK)).Events.Should().HaveCount(statuses.Count(s => s == HttpStatusCode.Created));
    }

    /// <summary>An administrator, and one message a second with a burst of <see cref="Burst"/>.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public string AdminName { get; } = TestDefaults.UniqueUser("admin");

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Admin:UserIds:0"] = "guest:" + AdminName.ToLowerInvariant(),
            ["Messaging:MessagesPerSecond"] = "1",
            ["Messaging:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
