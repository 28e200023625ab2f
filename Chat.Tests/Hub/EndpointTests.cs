using System.Net;
using Chat.Server.Observability;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Hub;

[Collection(nameof(ProcessWideState))]
public sealed class EndpointTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task HealthzAnswers200WhileTheProcessServes()
    {
        using var response = await Server.Http.GetAsync(new Uri(ChatRoutes.Health, UriKind.Relative)).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ReadyzAnswers200WhileTheHistoryStoreAnswers()
    {
        using var response = await Server.Http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative)).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ReadyzAnswers503WhenTheHistoryStoreIsGone()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        Directory.CreateDirectory(data);
        await using var server = await ChatServer.StartAsync(data);
        (await server.Http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative)).WithTimeout()).StatusCode.Should().Be(HttpStatusCode.OK);

        Directory.Delete(data, recursive: true);
        // Pooled connections keep the deleted file open; a fresh connection finds no store.
        SqliteConnection.ClearAllPools();

        using var ready = await server.Http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative)).WithTimeout();
        using var live = await server.Http.GetAsync(new Uri(ChatRoutes.Health, UriKind.Relative)).WithTimeout();
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        live.StatusCode.Should().Be(HttpStatusCode.OK, "liveness does not depend on the store");
    }

    [Fact]
    public async Task MetricsExposeTheChatMeterInPrometheusFormat()
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());
        await alice.JoinRoom(room);
        var counted = await alice.SendMessage(room, "counted");
        await alice.EditMessage(room, counted.Id, "counted again");
        await FluentActions.Awaiting(() => alice.JoinRoom("bad room")).Should().ThrowAsync<Exception>();

        var metrics = await Server.Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout();

        metrics.Should().Contain("# TYPE chat_connections gauge");
        metrics.Should().Contain("# TYPE chat_rooms gauge");
        metrics.Should().MatchRegex(@"chat_messages_sent(\{[^}]*\})? [1-9]");
        metrics.Should().MatchRegex(@"chat_messages_delivered(\{[^}]*\})? [1-9]");
        metrics.Should().Contain("kestrel_", "the framework's own meters are exported too");
        metrics.Should().MatchRegex(@"chat_hub_errors\{[^}]*code=""invalid_room_name""[^}]*\} [1-9]");
        metrics.Should().Contain("# TYPE chat_users_online gauge", "gauges of every server in a test process share one exporter: only the type is this server's alone");
        metrics.Should().MatchRegex(@"chat_hub_invocation_duration\w*_count\{[^}]*method=""SendMessage""[^}]*\} [1-9]");
        metrics.Should().MatchRegex(@"chat_hub_invocation_duration\w*_count\{[^}]*method=""JoinRoom""[^}]*\} [1-9]");
        metrics.Should().MatchRegex(@"chat_store_commit_duration\w*_count(\{[^}]*\})? [1-9]");
        metrics.Should().MatchRegex(@"chat_store_commit_duration\w*_bucket\{[^}]*le=""0\.001""[^}]*\} \d", "a commit takes milliseconds, so the buckets resolve them");
        metrics.Should().MatchRegex(@"chat_store_read_duration\w*_count\{[^}]*operation=""history""[^}]*\} [1-9]", "JoinRoom reads the recent messages");
        metrics.Should().MatchRegex(@"chat_room_changes(_total)?\{[^}]*type=""message\.posted""[^}]*\} [1-9]");
        metrics.Should().MatchRegex(@"chat_room_changes(_total)?\{[^}]*type=""message\.edited""[^}]*\} [1-9]");
    }

    [Fact]
    public async Task MetricsReportTheBackplaneStateItsOwnerSets()
    {
        var backplane = Server.Services.GetRequiredService<BackplaneStatus>();
        try
        {
            backplane.Connected = false;
            var down = await Server.Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout();
            backplane.Connected = true;
            var up = await Server.Http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout();

            down.Should().MatchRegex(@"(?m)^chat_backplane_connected(\{[^}]*\})? 0$");
            up.Should().MatchRegex(@"(?m)^chat_backplane_connected(\{[^}]*\})? 1$");
        }
        finally
        {
            backplane.Connected = null;
        }
    }

    [Fact]
    public async Task TheServerCanStartOnItsDefaultsInAnEmptyDirectory()
    {
        using var directory = new TempDirectory();

        await using var server = await ChatServer.StartAsync(directory.Path, new Dictionary<string, string?> { ["Auth:SigningKey"] = "" });
        await using var client = await server.ConnectAsync(TestDefaults.UniqueUser());

        (await client.JoinRoom("general")).Room.Should().Be("general");
        File.Exists(Path.Combine(directory.Path, "chat.db")).Should().BeTrue();
    }
}
