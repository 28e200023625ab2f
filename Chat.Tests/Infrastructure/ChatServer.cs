using System.Net.Http.Json;
using Chat.Server;
using Chat.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A real Chat.Server in this process: Kestrel on a loopback port, a real SQLite file in its own directory
/// (after aspnetcore's InProcessTestServer). Start it once per test class through <see cref="ChatServerFixture"/>.
/// </summary>
public sealed class ChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private ChatServer(WebApplication app, Uri baseAddress, string dataDirectory, string signingKey, LogCollector logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        SigningKey = signingKey;
        Logs = logs;
        _http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public Uri HubUrl => new(BaseAddress, ChatRoutes.Hub);

    public string DataDirectory { get; }

    public string SigningKey { get; }

    public LogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    public HttpClient Http => _http;

    /// <summary>
    /// Starts a server over <paramref name="dataDirectory"/>; <paramref name="port"/> 0 picks a free one.
    /// <paramref name="services"/> adds to the server's own registrations.
    /// </summary>
    public static async Task<ChatServer> StartAsync(
        string dataDirectory,
        IDictionary<string, string?>? settings = null,
        int port = 0,
        string? signingKey = null,
        LogLevel minimumLogLevel = LogLevel.Warning,
        Action<IServiceCollection>? services = null)
    {
        signingKey ??= TestDefaults.NewSigningKey();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = dataDirectory,
            ApplicationName = typeof(ChatServerExtensions).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Chat"] = $"Data Source={Path.Combine(dataDirectory, "chat.db")}",
            ["Auth:SigningKey"] = signingKey,
            // Every test connection fetches a token from one loopback address.
            ["Security:TokenRequestsPerMinute"] = "1000000",
            // The test process is warm after its first server; a rehearsal per server would only cost time (WarmUpTests turn it on).
            ["WarmUp:Enabled"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var logs = new LogCollector(minimumLogLevel);
        builder.Logging.ClearProviders().SetMinimumLevel(minimumLogLevel).AddProvider(logs);
        builder.AddChatServer();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapChatEndpoints();
        await app.StartAsync().WithTimeout(TimeSpan.FromSeconds(120));

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ChatServer(app, new Uri(address), dataDirectory, signingKey, logs);
    }

    public async Task<GuestTokenResponse> GetTokenAsync(string userName)
    {
        using var response = await _http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName)).WithTimeout();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>().WithTimeout())!;
    }

    public HubConnection CreateConnection(string userName, ChatProtocol protocol, Action<IHubConnectionBuilder>? configure = null)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(HubUrl, options => options.AccessTokenProvider = async () => (await GetTokenAsync(userName)).AccessToken)
            .WithProtocol(protocol);
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>A started connection for <paramref name="userName"/> that records every callback.</summary>
    public async Task<TestClient> ConnectAsync(string userName, ChatProtocol protocol = ChatProtocol.Json)
    {
        var client = new TestClient(CreateConnection(userName, protocol), userName);
        await client.Connection.StartAsync().WithTimeout();
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync().WithTimeout(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}

/// <summary>One server per test class, with its own data directory.</summary>
public class ChatServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private ChatServer? _server;

    public ChatServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>Configuration on top of the test defaults.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The least severe log level the server writes and <see cref="ChatServer.Logs"/> keeps.</summary>
    protected virtual LogLevel MinimumLogLevel => LogLevel.Warning;

    public async Task InitializeAsync() => _server = await ChatServer.StartAsync(_directory.Path, Settings, minimumLogLevel: MinimumLogLevel);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _directory.Dispose();
    }
}
