using System.Net;
using System.Net.Http.Json;
using Chat.Shared;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Real cluster nodes: Chat.Server processes on one Redis and one history store (a shared SQLite file, or PostgreSQL),
/// with one signing key so a token from any node is good on every node. Leases are short so a dead node is
/// noticed fast; the 15 s guarantee of the defaults is what the tests assert.
/// </summary>
public abstract class ChatClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<ChatServerProcess> _nodes = [];

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<ChatServerProcess> Nodes => _nodes;

    protected virtual int NodeCount => 2;

    /// <summary>Settings for every node: the history store, on top of the cluster defaults.</summary>
    protected virtual Task<IDictionary<string, string?>> StoreSettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());

    public virtual async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = Redis.Configuration,
            ["Redis:ChannelPrefix"] = "chat-tests",
            ["Redis:LeaseDuration"] = "00:00:04",
            ["Redis:HeartbeatInterval"] = "00:00:01",
            ["Auth:SigningKey"] = TestDefaults.NewSigningKey(),
            ["Messaging:MessagesPerSecond"] = "100000",
            ["Messaging:Burst"] = "100000",
        };
        foreach (var (key, value) in await StoreSettingsAsync())
        {
            settings[key] = value;
        }

        // The first node migrates the store alone; the others start side by side.
        _nodes.Add(await ChatServerProcess.StartAsync(_directory.Path, settings));
        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, NodeCount - 1).Select(_ => ChatServerProcess.StartAsync(_directory.Path, settings))));
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

/// <summary>Two nodes sharing one SQLite file (WAL) on one host.</summary>
public sealed class SqliteClusterFixture : ChatClusterFixture;

/// <summary>Clients and probes for a node running as its own process.</summary>
public static class ChatNodeExtensions
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<GuestTokenResponse> GetTokenAsync(this ChatServerProcess node, string userName)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(node.BaseAddress, ChatRoutes.GuestToken), new GuestTokenRequest(userName)).WithTimeout();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>().WithTimeout())!;
    }

    /// <summary>A started connection to this node that records every callback.</summary>
    public static async Task<TestClient> ConnectAsync(this ChatServerProcess node, string userName, ChatProtocol protocol = ChatProtocol.Json)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(node.HubUrl, options => options.AccessTokenProvider = async () => (await node.GetTokenAsync(userName)).AccessToken)
            .WithProtocol(protocol)
            .Build();
        var client = new TestClient(connection, userName);
        await connection.StartAsync().WithTimeout();
        return client;
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

/// <summary>Polls a condition until it holds or the deadline passes: for state that has no event to wait on.</summary>
public static class Eventually
{
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var limit = timeout ?? TestDefaults.Timeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {limit}: {because}. Last value: {value}");
            }

            await Task.Delay(100);
        }
    }
}
