using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Security;

public sealed class OriginServerFixture : ChatServerFixture
{
    public const string AllowedOrigin = "https://chat.example.com";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:AllowedOrigins:0"] = AllowedOrigin,
    };
}

/// <summary>Browsers on other sites may not use a visitor's chat session: only the server's own origin and configured ones get in.</summary>
public sealed class OriginTests(OriginServerFixture fixture) : IClassFixture<OriginServerFixture>
{
    private const string EvilOrigin = "https://evil.example";

    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task WebSocketUpgradeFromAForeignOriginIsRefusedWith403()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        var token = (await Server.GetTokenAsync(TestDefaults.UniqueUser("victim"))).AccessToken;

        var upgrade = () => RawHubConnection.OpenAsync(Server.HubUrl, token, origin: EvilOrigin);

        (await upgrade.Should().ThrowAsync<WebSocketException>()).Which.Message.Should().Contain("403");
        await bystander.ShouldBeUnharmedAsync();
    }

    [Theory]
    [InlineData(OriginServerFixture.AllowedOrigin)]
    [InlineData(null)]
    public async Task WebSocketUpgradeFromTheAllowedOriginOrWithoutOneIsAccepted(string? origin)
    {
        var token = (await Server.GetTokenAsync(TestDefaults.UniqueUser("friend"))).AccessToken;

        await using var connection = await RawHubConnection.OpenAsync(Server.HubUrl, token, origin: origin);

        (await connection.HandshakeAsync()).Error.Should().BeNull();
    }

    [Fact]
    public async Task WebSocketUpgradeFromTheServersOwnOriginIsAccepted()
    {
        var token = (await Server.GetTokenAsync(TestDefaults.UniqueUser("self"))).AccessToken;

        await using var connection = await RawHubConnection.OpenAsync(Server.HubUrl, token, origin: Server.BaseAddress.GetLeftPart(UriPartial.Authority));

        (await connection.HandshakeAsync()).Error.Should().BeNull();
    }

    [Fact]
    public async Task NegotiateAndTokenRequestsFromAForeignOriginAreRefusedWith403()
    {
        using var token = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.GuestToken) { Content = JsonContent.Create(new GuestTokenRequest("mallory")) };
        token.Headers.Add("Origin", EvilOrigin);
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.Hub + "/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Origin", EvilOrigin);

        using var tokenResponse = await Server.Http.SendAsync(token).WithTimeout();
        using var negotiateResponse = await Server.Http.SendAsync(negotiate).WithTimeout();

        tokenResponse.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await tokenResponse.Content.ReadAsStringAsync().WithTimeout()).Should().Contain("origin_not_allowed");
        negotiateResponse.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        tokenResponse.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
        (await Server.Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout())
            .Should().MatchRegex(@"chat_security_refusals(_total)?\{[^}]*reason=""origin_not_allowed""[^}]*\} [1-9]");
    }

    [Fact]
    public async Task PreflightFromTheAllowedOriginIsAnsweredWithCorsHeaders()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, ChatRoutes.Hub + "/negotiate?negotiateVersion=1");
        preflight.Headers.Add("Origin", OriginServerFixture.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,x-requested-with");

        using var response = await Server.Http.SendAsync(preflight).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(OriginServerFixture.AllowedOrigin);
        response.Headers.GetValues("Access-Control-Allow-Credentials").Should().Equal("true");
    }

    [Fact]
    public async Task PreflightFromAForeignOriginIsRefusedWith403()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, ChatRoutes.GuestToken);
        preflight.Headers.Add("Origin", EvilOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await Server.Http.SendAsync(preflight).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Fact]
    public async Task TokenRequestFromTheAllowedOriginCarriesCorsHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.GuestToken) { Content = JsonContent.Create(new GuestTokenRequest(TestDefaults.UniqueUser("friend"))) };
        request.Headers.Add("Origin", OriginServerFixture.AllowedOrigin);

        using var response = await Server.Http.SendAsync(request).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(OriginServerFixture.AllowedOrigin);
    }
}
