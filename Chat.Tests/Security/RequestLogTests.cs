using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Chat.Tests.Security;

public sealed class TraceLoggingServerFixture : ChatServerFixture
{
    protected override LogLevel MinimumLogLevel => LogLevel.Trace;
}

/// <summary>Bearer tokens ride in the query string of WebSocket and SSE requests; logs must never keep them, at any level.</summary>
public sealed class RequestLogTests(TraceLoggingServerFixture fixture) : IClassFixture<TraceLoggingServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task AccessTokenInTheQueryStringIsNeverWrittenToAnyLog()
    {
        var valid = (await Server.GetTokenAsync(TestDefaults.UniqueUser("secret"))).AccessToken;
        var expired = TokenForge.Create(Server.SigningKey, TestDefaults.UniqueUser("stale"), expires: DateTime.UtcNow.AddHours(-1));
        var foreign = TokenForge.Create(TestDefaults.NewSigningKey(), TestDefaults.UniqueUser("forged"));

        await using (var connection = await RawHubConnection.ConnectAsync(Server.HubUrl, valid))
        {
            await connection.InvokeAsync("1", nameof(IChatHub.ListRooms));
            (await connection.WaitForCompletionAsync("1"))!.Error.Should().BeNull();
        }

        foreach (var token in new[] { valid, expired, foreign })
        {
            using var negotiate = await Server.Http.PostAsync(
                new Uri($"{ChatRoutes.Hub}/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(token)}", UriKind.Relative), null).WithTimeout();
            negotiate.StatusCode.Should().Be(token == valid ? HttpStatusCode.OK : HttpStatusCode.Unauthorized);
            using var sse = await Server.Http.GetAsync(new Uri($"{ChatRoutes.Hub}?id=unknown&access_token={Uri.EscapeDataString(token)}", UriKind.Relative)).WithTimeout();
        }

        var entries = Server.Logs.Entries;
        entries.Should().Contain(e => e.Category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal) && e.Message.Contains(ChatRoutes.Hub),
            "request logging is on at this level, only without query strings");
        foreach (var token in new[] { valid, expired, foreign })
        {
            var signature = token[(token.LastIndexOf('.') + 1)..];
            entries.Should().NotContain(e => e.ToString().Contains(signature), "no log may carry a bearer token or a part of one");
        }

        entries.Should().NotContain(e => e.ToString().Contains("access_token"));
    }
}
