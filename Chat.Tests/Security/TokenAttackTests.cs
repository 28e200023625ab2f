using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Security;

public sealed class TokenAttackServerFixture : ChatServerFixture
{
    public const int TokenRequestsPerMinute = 5;

    // Only the rate-limit test asks the endpoint for tokens; every other test forges its own.
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:TokenRequestsPerMinute"] = TokenRequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Who may connect: only the bearer of an unexpired token this server (or its configured issuer) signed.</summary>
public sealed class TokenAttackTests(TokenAttackServerFixture fixture) : IClassFixture<TokenAttackServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task ConnectingWithoutATokenIsRefusedWith401()
    {
        await using var bystander = await ForgedBystanderAsync();

        await ShouldBeRefusedAsync(token: null);

        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task ExpiredTokenIsRefusedWith401()
    {
        await using var bystander = await ForgedBystanderAsync();

        // Beyond the 30 s clock skew the server tolerates.
        await ShouldBeRefusedAsync(TokenForge.Create(Server.SigningKey, Name(), expires: DateTime.UtcNow.AddMinutes(-2)));

        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task TokenExpiredWithinTheClockSkewIsStillAccepted()
    {
        var token = TokenForge.Create(Server.SigningKey, Name(), expires: DateTime.UtcNow.AddSeconds(-5));

        using var negotiate = await NegotiateAsync(token);

        negotiate.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TokenNotYetValidIsRefusedWith401() =>
        await ShouldBeRefusedAsync(TokenForge.Create(Server.SigningKey, Name(), notBefore: DateTime.UtcNow.AddMinutes(5), expires: DateTime.UtcNow.AddHours(1)));

    [Fact]
    public async Task TokenSignedWithAnotherKeyIsRefusedWith401()
    {
        await using var bystander = await ForgedBystanderAsync();

        await ShouldBeRefusedAsync(TokenForge.Create(TestDefaults.NewSigningKey(), Name()));

        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task UnsignedAlgNoneTokenIsRefusedWith401()
    {
        await using var bystander = await ForgedBystanderAsync();

        await ShouldBeRefusedAsync(TokenForge.Unsigned(Name()));

        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task TokenFromAForeignIssuerIsRefusedWith401() =>
        await ShouldBeRefusedAsync(TokenForge.Create(Server.SigningKey, Name(), issuer: "https://evil.example"));

    [Fact]
    public async Task TokenForAnotherAudienceIsRefusedWith401() =>
        await ShouldBeRefusedAsync(TokenForge.Create(Server.SigningKey, Name(), audience: "another-service"));

    [Fact]
    public async Task TokenWithoutASubjectIsRefusedWith401() =>
        await ShouldBeRefusedAsync(TokenForge.Create(Server.SigningKey, Name(), withSubject: false));

    [Fact]
    public async Task GarbageTokenIsRefusedWith401() => await ShouldBeRefusedAsync("not.a.jwt" + new string('A', 2000));

    [Fact]
    public async Task ConnectionClosesWhenItsTokenExpires()
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Lifetime is checked with skew when connecting; the open connection ends at the token's own expiry.
        var token = TokenForge.Create(Server.SigningKey, Name(), expires: DateTime.UtcNow.AddSeconds(2));
        await using var connection = new HubConnectionBuilder()
            .WithUrl(Server.HubUrl, options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        connection.Closed += exception =>
        {
            closed.TrySetResult(exception);
            return Task.CompletedTask;
        };
        await connection.StartAsync().WithTimeout();

        await closed.Task.WithTimeout();

        connection.State.Should().Be(HubConnectionState.Disconnected);
    }

    [Fact]
    public async Task TokenRequestsBeyondTheRateFromOneAddressGet429()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TokenAttackServerFixture.TokenRequestsPerMinute + 2; i++)
        {
            using var response = await Server.Http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(Name())).WithTimeout();
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Headers.RetryAfter?.Delta.Should().Be(TimeSpan.FromMinutes(1), "a refused client is told how long to wait");
                (await response.Content.ReadAsStringAsync().WithTimeout()).Should().Contain("rate_limited");
            }
        }

        statuses.Should().StartWith(Enumerable.Repeat(HttpStatusCode.OK, TokenAttackServerFixture.TokenRequestsPerMinute))
            .And.EndWith([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]);
        Server.Logs.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task ServerRefusesToStartWithASigningKeyShorterThan256Bits()
    {
        using var directory = new TempDirectory();

        var starting = () => ChatServer.StartAsync(directory.Path, signingKey: "only-31-bytes-of-key-material!!");

        (await starting.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Message.Should().Contain("256 bits");
    }

    private static string Name() => TestDefaults.UniqueUser("mallory");

    /// <summary>A bystander with a token of its own making: the token endpoint's quota is the rate-limit test's.</summary>
    private async Task<Bystander> ForgedBystanderAsync()
    {
        var name = TestDefaults.UniqueUser("bystander");
        var token = TokenForge.Create(Server.SigningKey, name);
        var connection = new HubConnectionBuilder()
            .WithUrl(Server.HubUrl, options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        return await Bystander.JoinAsync(Server, new TestClient(connection, name));
    }

    private async Task<HttpResponseMessage> NegotiateAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Server.HubUrl + "/negotiate?negotiateVersion=1"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Server.Http.SendAsync(request).WithTimeout();
    }

    /// <summary>Refused both ways a client presents a token: the header on negotiate, the query string on a WebSocket upgrade.</summary>
    private async Task ShouldBeRefusedAsync(string? token)
    {
        using (var negotiate = await NegotiateAsync(token))
        {
            negotiate.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var upgrade = () => RawHubConnection.OpenAsync(Server.HubUrl, token);
        var refusal = await upgrade.Should().ThrowAsync<WebSocketException>();
        refusal.Which.Message.Should().Contain("401");
    }
}
