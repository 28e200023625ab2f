using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime;
using System.Security.Cryptography;
using Chat.Server.Attachments;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Chat.Server.WarmUp;

/// <summary>
/// Rehearses a node's everyday traffic on a private second instance of this server in this process: the same code, so
/// the same methods compiled and optimized, EF Core's model and queries, the protocols' serializers, Kestrel's and
/// SignalR's paths; but its own SQLite file in a temporary directory (deleted afterwards), no backplane, a loopback port
/// of its own, no logs and no exported metrics. Nothing of it reaches the node's store, its cluster or its clients.
/// Guests of both protocols sign in, connect (with and without negotiation), join rooms, read history, post and receive;
/// a few rounds, with pauses for the runtime to compile what became hot.
/// </summary>
internal sealed class RehearsalWarmUp(IHostEnvironment environment, IOptions<WarmUpOptions> options, ILogger<RehearsalWarmUp> logger) : IWarmUpStep
{
    private const int MembersPerRoom = 8;
    private const int MessagesPerClient = 10;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Rounds == 0)
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("chat-warmup-");
        var connectionString = $"Data Source={Path.Combine(directory.FullName, "warmup.db")}";
        try
        {
            await using var app = await StartAsync(directory.FullName, connectionString, cancellationToken);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient { BaseAddress = address };
            for (var round = 0; round < options.Value.Rounds; round++)
            {
                var started = Stopwatch.GetTimestamp();
                var methods = JitInfo.GetCompiledMethodCount();
                await RehearseAsync(address, http, options.Value.Clients, round, cancellationToken);
                await JitQuiet.WaitAsync(cancellationToken);
                var compiled = JitInfo.GetCompiledMethodCount() - methods;
                ChatLog.WarmUpRound(logger, round + 1, Stopwatch.GetElapsedTime(started).TotalSeconds, compiled);
                if (compiled < options.Value.SettledRoundMethods)
                {
                    break;
                }
            }

            await app.StopAsync(cancellationToken);
        }
        finally
        {
            // Pooled connections would keep the deleted file open for the life of the process.
            SqliteConnection.ClearPool(new SqliteConnection(connectionString));
            directory.Delete(recursive: true);
        }
    }

    private async Task<WebApplication> StartAsync(string directory, string connectionString, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = environment.ContentRootPath,
            EnvironmentName = environment.EnvironmentName,
            ApplicationName = environment.ApplicationName,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // On top of the node's own settings (appsettings, environment), so that it takes the same paths; but alone.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{WarmUpOptions.SectionName}:{nameof(WarmUpOptions.Enabled)}"] = "false",
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Chat"] = connectionString,
            ["Redis:Configuration"] = string.Empty,
            ["Attachments:Store"] = AttachmentsOptions.Folder,
            ["Attachments:Path"] = Path.Combine(directory, "attachments"),
            ["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Security:TokenRequestsPerMinute"] = "1000000",
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        });
        builder.Logging.ClearProviders();
        builder.AddChatServer();
        builder.Services.AddSingleton<IMeterFactory, UnexportedMeterFactory>();

        var app = builder.Build();
        app.MapChatEndpoints();
        await app.StartAsync(cancellationToken);
        return app;
    }

    private static async Task RehearseAsync(Uri address, HttpClient http, int clients, int round, CancellationToken cancellationToken)
    {
        var rooms = (clients + MembersPerRoom - 1) / MembersPerRoom;
        var delivered = 0;
        var expected = Enumerable.Range(0, clients).Sum(i => MessagesPerClient * Enumerable.Range(0, clients).Count(j => j % rooms == i % rooms));
        var allDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = new HubConnection[clients];
        try
        {
            await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var token = await TokenAsync(http, $"warmup{i}", ct);
                var messagePack = i % 2 == 0;
                var builder = new HubConnectionBuilder().WithUrl(new Uri(address, ChatRoutes.Hub), options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    // As the bench and raw WebSocket clients do; the others negotiate first, as the web page and Chat.Client do.
                    if (i % 4 == 0)
                    {
                        options.Transports = HttpTransportType.WebSockets;
                        options.SkipNegotiation = true;
                    }
                });
                var connection = (messagePack ? builder.AddMessagePackProtocol() : builder.AddJsonProtocol()).Build();
                connection.On<ChatMessage>(nameof(IChatClient.MessageReceived), _ =>
                {
                    if (Interlocked.Increment(ref delivered) == expected)
                    {
                        allDelivered.TrySetResult();
                    }
                });
                connections[i] = connection;
                await connection.StartAsync(ct);
                var room = $"warmup-{i % rooms}";
                await connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), room, ct);
                await connection.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetHistory), room, null, 50, ct);
            });

            await Parallel.ForAsync(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var room = $"warmup-{i % rooms}";
                for (var m = 0; m < MessagesPerClient; m++)
                {
                    await connections[i].InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, $"rehearsal {round}.{m}", Guid.NewGuid().ToString("N"), ct);
                }
            });
            await allDelivered.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    private static async Task<string> TokenAsync(HttpClient http, string userName, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName), cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>(cancellationToken))!.AccessToken;
    }
}
