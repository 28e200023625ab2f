using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Chat.Server.Auth;
using Chat.Server.Rooms;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Tests.Hub;

public sealed class AuthTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task GuestTokenEndpointIssuesATokenForAValidName()
    {
        var before = DateTime.UtcNow;

        var token = await Server.GetTokenAsync("Alice.B-c_1");

        token.UserName.Should().Be("Alice.B-c_1");
        token.UserId.Should().Be("guest:alice.b-c_1");
        token.ExpiresAt.Should().BeAfter(before.AddHours(1));
        token.AccessToken.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("<script>")]
    [InlineData("semi;colon")]
    [InlineData("abcdefghijabcdefghijabcdefghijabc")]
    public async Task GuestTokenEndpointRejectsInvalidNamesWithProblemDetails(string userName)
    {
        using var response = await Server.Http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName)).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("userName");
    }

    [Fact]
    public async Task GuestTokenEndpointRejectsAMissingBody()
    {
        using var content = new StringContent("null", System.Text.Encoding.UTF8, "application/json");
        using var response = await Server.Http.PostAsync(new Uri(ChatRoutes.GuestToken, UriKind.Relative), content).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TwoTokensForOneNameAreOneUserWithSeveralConnections()
    {
        var name = TestDefaults.UniqueUser("Twin");
        var room = TestDefaults.UniqueRoom();
        await using var phone = await Server.ConnectAsync(name);
        await using var laptop = await Server.ConnectAsync(name.ToUpperInvariant());

        await phone.JoinRoom(room);
        var joined = await laptop.JoinRoom(room);

        joined.Members.Should().ContainSingle().Which.UserId.Should().Be(phone.UserId);
    }

    [Fact]
    public async Task NegotiateWithoutATokenIsUnauthorized()
    {
        using var response = await Negotiate(token: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task NegotiateWithAValidTokenSucceeds()
    {
        using var response = await Negotiate((await Server.GetTokenAsync(TestDefaults.UniqueUser())).AccessToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ATokenSignedWithAnotherKeyIsUnauthorized()
    {
        var forged = CreateToken(TestDefaults.NewSigningKey(), expires: DateTime.UtcNow.AddHours(1));

        using var response = await Negotiate(forged);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnExpiredTokenIsUnauthorized()
    {
        var expired = CreateToken(Server.SigningKey, expires: DateTime.UtcNow.AddMinutes(-5));

        using var response = await Negotiate(expired);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("someone-else", "chat")]
    [InlineData("chat", "another-audience")]
    public async Task ATokenForAnotherIssuerOrAudienceIsUnauthorized(string issuer, string audience)
    {
        var token = CreateToken(Server.SigningKey, expires: DateTime.UtcNow.AddHours(1), issuer, audience);

        using var response = await Negotiate(token);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ACorrectlySignedHandMadeTokenIsAccepted()
    {
        // The control for the rejections above: only the one property under test differs.
        var token = CreateToken(Server.SigningKey, expires: DateTime.UtcNow.AddHours(1));

        using var response = await Negotiate(token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task WebSocketsCarryTheTokenInTheQueryString(ChatProtocol protocol)
    {
        var name = TestDefaults.UniqueUser();
        var token = (await Server.GetTokenAsync(name)).AccessToken;
        await using var connection = new HubConnectionBuilder()
            .WithUrl(Server.HubUrl, options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .WithProtocol(protocol)
            .Build();

        await connection.StartAsync().WithTimeout();
        var joined = await connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), TestDefaults.UniqueRoom()).WithTimeout();

        joined.Members.Should().ContainSingle().Which.UserName.Should().Be(name);
    }

    [Fact]
    public async Task ATokenWithManyClaimsConnectsAsItsSubjectUnderItsPreferredUserName()
    {
        // An external issuer's token: no "name", but "preferred_username" and claims the chat has no use for.
        var userId = "sso:" + TestDefaults.UniqueUser();
        var token = CreateToken(Server.SigningKey, expires: DateTime.UtcNow.AddHours(1), claims:
        [
            new Claim("sub", userId),
            new Claim("preferred_username", "Dana"),
            new Claim("email", "dana@example.com"),
            new Claim("role", "admin"),
            new Claim("groups", new string('g', 2000)),
        ]);
        await using var connection = new HubConnectionBuilder()
            .WithUrl(Server.HubUrl, options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();

        await connection.StartAsync().WithTimeout();
        var joined = await connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), TestDefaults.UniqueRoom()).WithTimeout();

        var member = joined.Members.Should().ContainSingle().Subject;
        member.UserId.Should().Be(userId);
        member.UserName.Should().Be("Dana");
    }

    [Fact]
    public void AnAuthenticatedConnectionKeepsOnlyTheUsersIdAndName()
    {
        var validated = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim("sub", "guest:erin"), new Claim("name", "Erin"), new Claim("iss", "chat"), new Claim("aud", "chat"),
                new Claim("exp", "1893456000"), new Claim("nbf", "1700000000"), new Claim("iat", "1700000000"),
            ],
            "AuthenticationTypes.Federation"));

        var slim = ChatClaims.ToSlimPrincipal(validated, "Bearer");

        slim.Claims.Select(c => (c.Type, c.Value)).Should().Equal(("sub", "guest:erin"), ("name", "Erin"));
        slim.Identity!.IsAuthenticated.Should().BeTrue();
        slim.Identity.AuthenticationType.Should().Be("Bearer");
        slim.Identity.Name.Should().Be("Erin");
        slim.ToChatUser().Should().Be(new ChatUser("guest:erin", "Erin"));
    }

    [Fact]
    public async Task AWebSocketWithoutATokenIsRefused()
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(Server.HubUrl, options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
            })
            .Build();

        await FluentActions.Awaiting(() => connection.StartAsync().WithTimeout()).Should().ThrowAsync<Exception>();
        connection.State.Should().Be(HubConnectionState.Disconnected);
    }

    private async Task<HttpResponseMessage> Negotiate(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{ChatRoutes.Hub}/negotiate?negotiateVersion=1");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Server.Http.SendAsync(request).WithTimeout();
    }

    /// <summary>A token as an issuer would sign it (the server's own key: as the guest issuer would).</summary>
    internal static string CreateToken(string base64Key, DateTime expires, string issuer = "chat", string audience = "chat", Claim[]? claims = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = expires.AddHours(-2),
            IssuedAt = expires.AddHours(-2),
            Expires = expires,
            Subject = new ClaimsIdentity(claims ?? [new Claim("sub", "guest:mallory"), new Claim("name", "mallory")]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(base64Key)), SecurityAlgorithms.HmacSha256),
        });
}
