using System.Net;
using Chat.Server.WarmUp;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Hub;

/// <summary>
/// A node rehearses its traffic before it says it is ready (docs/benchmarks.md, "Cold start"): a load balancer that
/// follows <c>/readyz</c> sends nobody to a cold node, and the rehearsal leaves nothing a user or an operator could see.
/// </summary>
public sealed class WarmUpTests
{
    [Fact]
    public async Task ReadyzAnswers503WhileTheNodeWarmsUpAnd200OnceItIsWarm()
    {
        using var directory = new TempDirectory();
        var gate = new HeldStep();
        var settings = new Dictionary<string, string?>
        {
            ["WarmUp:Enabled"] = "true",
            // The test process is warm already; the held step stands for the rehearsal.
            ["WarmUp:Rounds"] = "0",
        };
        await using var server = await ChatServer.StartAsync(directory.Path, settings, services: s => s.AddSingleton<IWarmUpStep>(gate));
        await gate.Entered.WithTimeout();

        using (var warming = await server.Http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative)).WithTimeout())
        using (var live = await server.Http.GetAsync(new Uri(ChatRoutes.Health, UriKind.Relative)).WithTimeout())
        {
            warming.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "the node is still warming up");
            live.StatusCode.Should().Be(HttpStatusCode.OK, "a warming node is alive");
        }

        gate.Release();
        await Eventually.MatchesAsync(
            async () =>
            {
                using var ready = await server.Http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative)).WithTimeout();
                return ready.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            because: "the warm-up is over");
    }

    [Fact]
    public async Task AFreshProcessRehearsesBeforeItIsReadyAndLeavesNothingInTheStoreOrTheMetrics()
    {
        using var directory = new TempDirectory();
        // A small rehearsal: what it leaves behind does not depend on its size. Any round counts as settled here, so
        // the first one ends it.
        var settings = new Dictionary<string, string?>
        {
            ["WarmUp:Enabled"] = "true",
            ["WarmUp:Rounds"] = "3",
            ["WarmUp:SettledRoundMethods"] = "100000",
            ["WarmUp:Clients"] = "8",
            ["Logging:LogLevel:Chat.Server.WarmUp"] = "Debug",
        };
        await using var server = await ChatServerProcess.StartAsync(directory.Path, settings);

        server.Output.Should().Contain("Warmed up", "StartAsync waited for /readyz, which waits for the warm-up").And.NotContain("warm-up failed");
        server.Output.Should().Contain("rehearsal round 1 ").And.NotContain("rehearsal round 2 ", "a settled round ends the rehearsal");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var metrics = await http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative)).WithTimeout();
        metrics.Should().NotMatchRegex(@"chat_messages_sent\w*(\{[^}]*\})? [1-9]", "the rehearsal's messages are not the node's");
        metrics.Should().NotMatchRegex(@"chat_connections(\{[^}]*\})? [1-9]");
        await server.KillAsync();

        await using var store = new SqliteConnection($"Data Source={Path.Combine(directory.Path, "chat.db")};Pooling=False");
        await store.OpenAsync();
        foreach (var table in new[] { "users", "rooms", "room_members", "messages", "room_events" })
        {
            await using var count = store.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {table}";
            ((long)(await count.ExecuteScalarAsync())!).Should().Be(0, $"the rehearsal wrote nothing into {table}");
        }
    }

    /// <summary>A warm-up step that holds the warm-up until released.</summary>
    private sealed class HeldStep : IWarmUpStep
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
        }
    }
}
