using System.Net;
using System.Net.Http.Json;
using Chat.Shared;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A cluster on real parts: one redis-server, one history store (a shared SQLite file, or PostgreSQL), and nodes
/// that share one signing key so a token from any node is good on every node. Leases are short so a dead node is
/// noticed fast; the 15 s guarantee of the defaults is what the tests assert.
/// </summary>
public static class ChatClusterSettings
{
    public static Dictionary<string, string?> For(RedisServer redis, string signingKey) => new()
    {
        ["Redis:Configuration"] = redis.Configuration,
        ["Redis:ChannelPrefix"] = "chat-tests",
        ["Redis:LeaseDuration"] = "00:00:04",
        ["Redis:HeartbeatInterval"] = "00:00:01",
        ["Auth:SigningKey"] = signingKey,
        ["Messaging:MessagesPerSecond"] = "100000",
        ["Messaging:Burst"] = "100000",
    };
}

/// <summary>
/// Two nodes as in-process servers (Kestrel on loopback ports) on one Redis: cheap to start, for everything that
/// does not need to kill a process.
/// </summary>
public abstract class InProcessClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<ChatServer> _nodes = [];

    private Dictionary<string, string?> _settings = [];
    private string _signingKey = "";

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<ChatServer> Nodes => _nodes;

    /// <summary>One more node on the same Redis and store, owned (and stopped) by the calling test.</summary>
    /// <param name="overrides">Settings of this node alone, on top of the cluster's.</param>
    public Task<ChatServer> StartExtraNodeAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return ChatServer.StartAsync(_directory.Path, settings, signingKey: _signingKey);
    }

    /// <summary>Settings on top of the cluster's: the history store's, or what a test class needs.</summary>
    protected virtual Task<IDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        _signingKey = TestDefaults.NewSigningKey();
        _settings = ChatClusterSettings.For(Redis, _signingKey);
        foreach (var (key, value) in await SettingsAsync())
        {
            _settings[key] = value;
        }

        // The first node migrates the store; the second finds it ready.
        _nodes.Add(await StartExtraNodeAsync());
        _nodes.Add(await StartExtraNodeAsync());
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Redis.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>Two in-process nodes sharing one SQLite file (WAL) on one host.</summary>
public sealed class SqliteClusterFixture : InProcessClusterFixture;

/// <summary>Two in-process nodes on one PostgreSQL history, applied through its own migrations.</summary>
public sealed class PostgresClusterFixture : InProcessClusterFixture
{
    private PostgresServer? _postgres;

    protected override async Task<IDictionary<string, string?>> SettingsAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        return new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Chat"] = await _postgres.CreateDatabaseAsync("chat"),
            // As compose.yaml runs it: every node serves every file.
            ["Attachments:Store"] = "database",
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>Two nodes as their own OS processes on one SQLite file, for tests that kill a node with SIGKILL.</summary>
public sealed class ProcessClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<ChatServerProcess> _nodes = [];

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<ChatServerProcess> Nodes => _nodes;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        var settings = ChatClusterSettings.For(Redis, TestDefaults.NewSigningKey());
        _nodes.Add(await ChatServerProcess.StartAsync(_directory.Path, settings));
        _nodes.Add(await ChatServerProcess.StartAsync(_directory.Path, settings));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Redis.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>Clients and probes for a node running as its own process.</summary>
public static class ChatNodeExtensions
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static Task<GuestTokenResponse> GetTokenAsync(this ChatServerProcess node, string userName) => GetTokenAsync(node.BaseAddress, userName);

    /// <summary>A started connection to this node that records every callback.</summary>
    public static Task<TestClient> ConnectAsync(this ChatServerProcess node, string userName, ChatProtocol protocol = ChatProtocol.Json) =>
        ConnectAsync(node.BaseAddress, userName, HttpTransports.All, protocol);

    /// <summary>A started connection to the server (or load balancer) at <paramref name="baseAddress"/>, negotiating one of <paramref name="transports"/>.</summary>
    public static async Task<TestClient> ConnectAsync(Uri baseAddress, string userName, HttpTransportType transports, ChatProtocol protocol = ChatProtocol.Json)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, ChatRoutes.Hub), transports, options => options.AccessTokenProvider = async () => (await GetTokenAsync(baseAddress, userName)).AccessToken)
            .WithProtocol(protocol)
            .Build();
        var client = new TestClient(connection, userName);
        await connection.StartAsync().WithTimeout();
        return client;
    }

    private static async Task<GuestTokenResponse> GetTokenAsync(Uri baseAddress, string userName)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(baseAddress, ChatRoutes.GuestToken), new GuestTokenRequest(userName)).WithTimeout();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>().WithTimeout())!;
    }

    public static async Task<HttpStatusCode> ReadinessAsync(this ChatServerProcess node)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(node.BaseAddress, ChatRoutes.Ready));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.ServiceUnavailable;
        }
    }
}
