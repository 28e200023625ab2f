using System.Net;
using System.Net.Sockets;
using Chat.Server.Webhooks;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Webhooks;

/// <summary>The SSRF rule with its default (no private targets): at registration, and again on every connection.</summary>
public sealed class WebhookTargetTests(WebhookTargetTests.Fixture fixture) : IClassFixture<WebhookTargetTests.Fixture>
{
    [Theory]
    [InlineData("http://127.0.0.1/hooks")]
    [InlineData("http://localhost:8080/hooks")]
    [InlineData("http://[::1]/hooks")]
    [InlineData("http://10.0.0.5/hooks")]
    [InlineData("http://172.20.1.1/hooks")]
    [InlineData("https://192.168.0.10/hooks")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fe80::1]/hooks")]
    [InlineData("http://[fd00:ec2::254]/hooks")]
    [InlineData("http://100.100.100.200/hooks")]
    [InlineData("http://0.0.0.0/hooks")]
    [InlineData("http://[::ffff:127.0.0.1]/hooks")]
    public async Task PrivateLoopbackLinkLocalAndMetadataUrlsAreRefusedAtRegistration(string url)
    {
        using var admin = await WebhookAdmin.SignInAsync(fixture.Server.BaseAddress, fixture.AdminName);

        using var response = await admin.PostAsync(new CreateWebhookRequest(url, [RoomEventTypes.MessagePosted]));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Uploads.ProblemCodeAsync(response)).Should().Be(ChatErrorCodes.InvalidRequest);
        (await admin.ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task AConnectionToAForbiddenAddressIsRefusedAtDeliveryTime()
    {
        // A host that passed the check at registration may resolve elsewhere later: the connection is checked again.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var targets = new WebhookTargets(Microsoft.Extensions.Options.Options.Create(new WebhooksOptions()));
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = targets.ConnectAsync, UseProxy = false });

        var sending = () => http.PostAsync($"http://localhost:{port}/hooks", new StringContent("{}")).WithTimeout();

        (await sending.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<WebhookTargetRefusedException>();
        listener.Pending().Should().BeFalse("no connection was made");
    }

    public sealed class Fixture : ChatServerFixture
    {
        public string AdminName { get; } = TestDefaults.UniqueUser("admin");

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Admin:UserIds:0"] = "guest:" + AdminName,
        };
    }
}
