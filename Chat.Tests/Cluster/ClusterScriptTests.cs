using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;

namespace Chat.Tests.Cluster;

/// <summary>The cluster a newcomer starts without Docker: <c>scripts/cluster.sh</c>, with nginx in front of two nodes on Redis and PostgreSQL.</summary>
public sealed class ClusterScriptFixture : IAsyncLifetime
{
    public ClusterScript Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ClusterScript.StartAsync("postgres");

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ClusterScriptTests(ClusterScriptFixture fixture) : IClassFixture<ClusterScriptFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private ClusterScript Cluster => fixture.Cluster;

    [Fact]
    public async Task LoadBalancerServesTheWebPageAndReadiness()
    {
        using var page = await Http.GetAsync(Cluster.LoadBalancer).WithTimeout();
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await page.Content.ReadAsStringAsync()).Should().Contain("<title>Chat</title>");

        using var ready = await Http.GetAsync(new Uri(Cluster.LoadBalancer, ChatRoutes.Ready)).WithTimeout();
        ready.StatusCode.Should().Be(HttpStatusCode.OK, Cluster.Output);
    }

    public static TheoryData<HttpTransportType> Transports => new()
    {
        HttpTransportType.WebSockets,
        HttpTransportType.ServerSentEvents,
        HttpTransportType.LongPolling,
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ClientsBehindTheLoadBalancerTalkWithClientsOnBothNodes(HttpTransportType transport)
    {
        var room = TestDefaults.UniqueRoom();
        await using var viaNginx = await ChatNodeExtensions.ConnectAsync(Cluster.LoadBalancer, TestDefaults.UniqueUser("lb"), transport);
        await using var onNode1 = await ChatNodeExtensions.ConnectAsync(Cluster.Nodes[0], TestDefaults.UniqueUser("one"), HttpTransports.All);
        await using var onNode2 = await ChatNodeExtensions.ConnectAsync(Cluster.Nodes[1], TestDefaults.UniqueUser("two"), HttpTransports.All);
        await viaNginx.JoinRoom(room);
        await onNode1.JoinRoom(room);
        await onNode2.JoinRoom(room);

        var fromNginx = await viaNginx.SendMessage(room, $"over {transport} through nginx");
        (await onNode1.Messages.WaitForAsync(m => m.Id == fromNginx.Id)).Should().Be(fromNginx);
        (await onNode2.Messages.WaitForAsync(m => m.Id == fromNginx.Id)).Should().Be(fromNginx);

        var fromNode1 = await onNode1.SendMessage(room, "to the client behind nginx");
        var fromNode2 = await onNode2.SendMessage(room, "and from the other node");
        (await viaNginx.Messages.WaitForAsync(m => m.Id == fromNode1.Id)).Should().Be(fromNode1);
        (await viaNginx.Messages.WaitForAsync(m => m.Id == fromNode2.Id)).Should().Be(fromNode2);
        (await viaNginx.GetPresence(room)).Select(p => p.UserId).Should().BeEquivalentTo([viaNginx.UserId, onNode1.UserId, onNode2.UserId]);
    }
}
