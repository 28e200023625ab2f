using System.Net.Http.Json;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// Guest tokens live 5 s here, with no clock skew allowed. The server keeps an open, authenticated connection past
/// its token's expiry, so what must be renewed is the token presented on the next (re)connect: each test outlives its
/// first token, then cuts the connection so that the client has to present one again.
/// </summary>
public sealed class TokenRenewalTests(TokenRenewalTests.Fixture fixture) : IClassFixture<TokenRenewalTests.Fixture>
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task GuestTokenIsRenewedBeforeItExpiresSoALaterReconnectGoesUnnoticed()
    {
        var room = TestDefaults.UniqueRoom();
        var signedInBefore = DateTime.UtcNow;
        await using var alice = await ClientUnderTest.StartAsync(fixture.Proxy.BaseAddress, TestDefaults.UniqueUser("alice"), ChatProtocol.MessagePack);
        await alice.Client.JoinRoomAsync(room).WithTimeout();
        await alice.Client.SendMessageAsync(room, "with the first token").WithTimeout();

        await Eventually.HoldsAsync(() => DateTime.UtcNow > signedInBefore + TokenLifetime + TimeSpan.FromSeconds(1), "the first token expired");
        await alice.Client.SendMessageAsync(room, "the open connection outlives its token").WithTimeout();
        fixture.Proxy.DropConnections();
        await alice.WaitForStateAsync(ChatConnectionState.Reconnecting, timeout: TimeSpan.FromSeconds(60));
        var afterReconnect = await alice.Client.SendMessageAsync(room, "with a renewed token").WithTimeout(TimeSpan.FromSeconds(60));

        afterReconnect.Sequence.Should().Be(3);
        (await alice.Messages.WaitForCountAsync(3, m => m.Room == room)).Select(m => m.Sequence).Should().Equal(1, 2, 3);
        var tokenEvents = alice.Logs.Entries.Where(e => e.EventId.Name is "TokenRenewed" or "TokenRejected").Select(e => e.EventId.Name);
        tokenEvents.Take(2).Should().Equal(["TokenRenewed", "TokenRenewed"], "the token is renewed ahead of its expiry, not after a refusal");
    }

    [Fact]
    public async Task TokenRefusedWith401IsFetchedAgainFromTheProvider()
    {
        var room = TestDefaults.UniqueRoom();
        var userName = TestDefaults.UniqueUser("carol");
        var issued = 0;
        // The provider overstates how long its tokens live, as a clock-skewed issuer would: only the 401 reveals it.
        async Task<ChatAccessToken> ProvideAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref issued);
            using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
            using var response = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName), cancellationToken);
            var token = (await response.Content.ReadFromJsonAsync<GuestTokenResponse>(cancellationToken))!;
            return new ChatAccessToken(token.AccessToken, DateTimeOffset.UtcNow.AddHours(1));
        }

        var options = ClientUnderTest.Options(fixture.Proxy.BaseAddress, userName, ChatProtocol.Json);
        options.UserName = null;
        options.AccessTokenProvider = ProvideAsync;
        await using var carol = new ClientUnderTest(options, userName);
        var signedInBefore = DateTime.UtcNow;
        await carol.Client.StartAsync().WithTimeout(TimeSpan.FromSeconds(60));
        await carol.Client.JoinRoomAsync(room).WithTimeout();

        await Eventually.HoldsAsync(() => DateTime.UtcNow > signedInBefore + TokenLifetime + TimeSpan.FromSeconds(1), "the first token expired");
        fixture.Proxy.DropConnections();
        await carol.WaitForStateAsync(ChatConnectionState.Reconnecting, timeout: TimeSpan.FromSeconds(60));
        var sent = await carol.Client.SendMessageAsync(room, "signed in again").WithTimeout(TimeSpan.FromSeconds(60));

        sent.SenderId.Should().Be(carol.UserId);
        // On a loaded machine a fresh 5 s token can expire again before it is presented: then it is replaced again.
        issued.Should().BeGreaterThanOrEqualTo(2, "the cached token was used until the server refused it, then replaced");
        carol.Logs.Entries.Should().Contain(e => e.EventId.Name == "TokenRejected");
        carol.Client.State.Should().Be(ChatConnectionState.Connected);
    }

    public sealed class Fixture : ProxiedChatServerProcessFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Auth:TokenLifetime"] = TokenLifetime.ToString(),
            ["Auth:ClockSkew"] = "00:00:00",
        };
    }
}
