using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Chat.Server.Api;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Hub;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Api;

/// <summary>
/// Who may use the server API: a bot with its current key, a user with a valid token; administrators alone create and
/// revoke bots. Every refusal is problem details: 401 <c>unauthorized</c>, 403 <c>forbidden</c>.
/// </summary>
public sealed class BotAuthenticationTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ChatServer Server => fixture.Server;

    private HttpClient Http => Server.Http;

    [Fact]
    public async Task MissingWrongAndMalformedKeysAre401Unauthorized()
    {
        var room = TestDefaults.UniqueRoom("locked");
        await BotApi.NewBotAsync(Server, fixture.AdminName);

        foreach (var key in new[] { null, BotKeys.New(), "chatbot_short", "Bearer-looking" })
        {
            using var response = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), key, new PostMessageRequest("hi"));
            await BotApi.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
            response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Contain(ChatApiRoutes.BotScheme);
        }

        var metrics = await Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout();
        metrics.Should().MatchRegex(@"chat_api_errors(_total)?\{[^}]*code=""unauthorized""[^}]*\} [1-9]");
    }

    [Fact]
    public async Task ARevokedKeyIsRefusedAtOnce()
    {
        var room = TestDefaults.UniqueRoom("revoked");
        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName);
        using (var before = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey))
        {
            before.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        using (var revoked = await BotApi.RevokeAsync(Http, await AdminTokenAsync(), bot.BotId))
        {
            revoked.StatusCode.Should().Be(HttpStatusCode.NoContent, await revoked.Content.ReadAsStringAsync());
        }

        using var after = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("still here?"));
        await BotApi.ShouldBeProblemAsync(after, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
        using var again = await BotApi.RevokeAsync(Http, await AdminTokenAsync(), bot.BotId);
        await BotApi.ShouldBeProblemAsync(again, HttpStatusCode.NotFound, ChatErrorCodes.NotFound);
    }

    [Fact]
    public async Task OnlyAdministratorsCreateBots()
    {
        var user = await Server.GetTokenAsync(TestDefaults.UniqueUser("mallory"));

        using (var byUser = await BotApi.CreateBotAsync(Http, user.AccessToken, TestDefaults.UniqueUser("bot")))
        {
            await BotApi.ShouldBeProblemAsync(byUser, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        }

        using (var anonymous = await BotApi.CreateBotAsync(Http, adminToken: null, TestDefaults.UniqueUser("bot")))
        {
            await BotApi.ShouldBeProblemAsync(anonymous, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
        }

        using (var badToken = await BotApi.CreateBotAsync(Http, user.AccessToken + "x", TestDefaults.UniqueUser("bot")))
        {
            await BotApi.ShouldBeProblemAsync(badToken, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
        }

        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName);
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatApiRoutes.Bots) { Content = JsonContent.Create(new CreateBotRequest("minion")) };
        request.Headers.Authorization = new AuthenticationHeaderValue(ChatApiRoutes.BotScheme, bot.ApiKey);
        using var byBot = await Http.SendAsync(request).WithTimeout();
        await BotApi.ShouldBeProblemAsync(byBot, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task AnAdministratorListsTheLiveBotsWithoutTheirKeys()
    {
        var kept = await BotApi.NewBotAsync(Server, fixture.AdminName);
        var revoked = await BotApi.NewBotAsync(Server, fixture.AdminName);
        (await BotApi.RevokeAsync(Http, await AdminTokenAsync(), revoked.BotId)).Dispose();

        using var listed = await Uploads.GetAsync(Http, ChatApiRoutes.Bots, await AdminTokenAsync());
        var text = await listed.Content.ReadAsStringAsync();
        var bots = await BotApi.ReadAsync<BotSummary[]>(listed, HttpStatusCode.OK);

        bots.Should().ContainSingle(b => b.BotId == kept.BotId).Which.UserId.Should().Be(kept.UserId);
        bots.Should().NotContain(b => b.BotId == revoked.BotId);
        bots.Select(b => b.CreatedBy).Should().OnlyContain(id => id == "guest:" + fixture.AdminName.ToLowerInvariant());
        text.Should().NotContain(kept.ApiKey).And.NotContain("apiKey");
        using var byUser = await Uploads.GetAsync(Http, ChatApiRoutes.Bots, (await Server.GetTokenAsync(TestDefaults.UniqueUser("eve"))).AccessToken);
        await BotApi.ShouldBeProblemAsync(byUser, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
    }

    [Fact]
    public async Task ABadBearerTokenOnTheRoomsApiIs401Unauthorized()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BotApi.Events(TestDefaults.UniqueRoom(), 0, 10));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");

        using var response = await Http.SendAsync(request).WithTimeout();

        await BotApi.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task NoTokenMayActAsABot()
    {
        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName);
        var token = AuthTests.CreateToken(Server.SigningKey, DateTime.UtcNow.AddHours(1), claims: [new Claim("sub", bot.UserId), new Claim("name", "impostor")]);
        using var request = new HttpRequestMessage(HttpMethod.Get, BotApi.Events(TestDefaults.UniqueRoom(), 0, 10));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await Http.SendAsync(request).WithTimeout();

        await BotApi.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized, ChatErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task ANewBotActsAsBotNameAndItsKeyIsShownOnceAndStoredOnlyHashed()
    {
        var name = TestDefaults.UniqueUser("Builder");

        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName, name);

        bot.UserId.Should().Be("bot:" + name.ToLowerInvariant());
        bot.ApiKey.Should().StartWith("chatbot_");
        var stored = await BotRows.ReadAsync(Server.Services, bot.BotId);
        stored.KeyHash.Should().HaveCount(32).And.NotEqual(System.Text.Encoding.UTF8.GetBytes(bot.ApiKey));
        stored.Name.Should().Be(name);
    }

    [Fact]
    public async Task BotNamesFollowTheUserNameRulesAndBelongToOneLiveBot()
    {
        var admin = await AdminTokenAsync();
        using (var invalid = await BotApi.CreateBotAsync(Http, admin, "no spaces please"))
        {
            await BotApi.ShouldBeProblemAsync(invalid, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidRequest);
        }

        var name = TestDefaults.UniqueUser("deployer");
        var first = await BotApi.NewBotAsync(Server, fixture.AdminName, name);
        using (var taken = await BotApi.CreateBotAsync(Http, admin, name.ToUpperInvariant()))
        {
            await BotApi.ShouldBeProblemAsync(taken, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidRequest);
        }

        (await BotApi.RevokeAsync(Http, admin, first.BotId)).Dispose();
        var second = await BotApi.NewBotAsync(Server, fixture.AdminName, name);

        second.UserId.Should().Be(first.UserId, "a new bot of the name acts as the same user again: that is how a key is rotated");
        second.ApiKey.Should().NotBe(first.ApiKey);
        second.BotId.Should().NotBe(first.BotId);
    }

    private async Task<string> AdminTokenAsync() => (await Server.GetTokenAsync(fixture.AdminName)).AccessToken;
}
