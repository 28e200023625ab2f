using System.Net.Http.Json;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace Chat.Tests.Web;

/// <summary>
/// One Chat.Server process (serving the page from Chat.Server/wwwroot) and one headless Debian Chromium per test class;
/// each simulated user gets their own browser context.
/// </summary>
public class WebChatFixture : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // Quiet, deterministic Chromium: no GPU, no QUIC, no background traffic to Google, no sandbox (tests may run as root).
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly TempDirectory _directory = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private ChatServerProcess? _server;

    /// <summary>How long a page expectation waits: generous, since a 2-core machine runs many test classes at once.</summary>
    public static readonly TimeSpan ExpectTimeout = TimeSpan.FromSeconds(40);

    /// <summary>Starting a browser and a server process are the slowest steps on a loaded machine.</summary>
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public ChatServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    /// <summary>Configuration for the server process (<c>Section:Key</c>).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Chromium switches a test class needs besides the quiet ones.</summary>
    protected virtual IEnumerable<string> MoreChromiumArgs => [];

    /// <summary>Where the server keeps its SQLite file: more nodes of a cluster share it.</summary>
    protected string DataDirectory => _directory.Path;

    /// <summary>Starts what the server needs before it starts (e.g. Redis for a cluster).</summary>
    protected virtual Task StartDependenciesAsync() => Task.CompletedTask;

    public virtual async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout((float)ExpectTimeout.TotalMilliseconds);
        await StartDependenciesAsync();
        var server = ChatServerProcess.StartAsync(_directory.Path, Settings);
        _playwright = await Playwright.CreateAsync().WithTimeout(StartTimeout);
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = [.. ChromiumArgs, .. MoreChromiumArgs],
            Timeout = (float)StartTimeout.TotalMilliseconds,
        }).WithTimeout(StartTimeout);
        _server = await server.WithTimeout(StartTimeout);
    }

    /// <summary>A raw SignalR client (MessagePack) of a user, for seeding rooms and talking to the pages from outside.</summary>
    public async Task<TestClient> ConnectClientAsync(string userName)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(Server.HubUrl, options => options.AccessTokenProvider = () => GuestTokenAsync(userName))
            .WithProtocol(ChatProtocol.MessagePack)
            .Build();
        var client = new TestClient(connection, userName);
        await connection.StartAsync().WithTimeout();
        return client;
    }

    public virtual async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _directory.Dispose();
    }

    private async Task<string?> GuestTokenAsync(string userName)
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TestDefaults.Timeout };
        using var response = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>())!.AccessToken;
    }
}

/// <summary>
/// The page tests' server: a small send budget (burst 8, then 1 message/s per user), so the page can be driven into
/// <c>rate_limited</c> with a handful of sends; and typing states that outlive a slow step of a loaded machine, so
/// they end only when the tests end them.
/// </summary>
public sealed class WebChatServerFixture : WebChatFixture
{
    public const int Burst = 8;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Messaging:MessagesPerSecond"] = "1",
        ["Typing:Timeout"] = "00:01:00",
    };
}

/// <summary>
/// A server of its own for the restart tests, which kill it; it replays at most <see cref="MaxReplay"/> missed changes,
/// so a page can be made to miss more.
/// </summary>
public sealed class WebChatRestartFixture : WebChatFixture
{
    public const int MaxReplay = 20;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Events:MaxReplay"] = MaxReplay.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The search and files tests' server: a send budget large enough to seed a room with more history than a join
/// brings, at once.
/// </summary>
public sealed class WebSearchFixture : WebChatFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging:Burst"] = "200",
        ["Messaging:MessagesPerSecond"] = "100",
    };
}

/// <summary>
/// The big-room tests' server: rooms are large from <see cref="LargeRoomThreshold"/> users online, so a handful of
/// clients make one; typing states outlive a slow step of a loaded machine, so they end only when the tests end them.
/// </summary>
public sealed class WebBigRoomFixture : WebChatFixture
{
    public const int LargeRoomThreshold = 5;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rooms:LargeRoomThreshold"] = LargeRoomThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Typing:Timeout"] = "00:01:00",
    };
}

/// <summary>
/// The call tests' cluster: two server processes on one Redis and one SQLite file (<see cref="ProcessClusterFixture"/>'s
/// setting; <see cref="WebChatFixture.Server"/> is node 0, <see cref="SecondNode"/> node 1), and a Chromium with fake
/// camera and microphone whose permission prompts say yes.
/// </summary>
public sealed class WebCallFixture : WebChatFixture
{
    private readonly string _signingKey = TestDefaults.NewSigningKey();
    private RedisServer? _redis;
    private ChatServerProcess? _secondNode;

    public ChatServerProcess SecondNode => _secondNode ?? throw new InvalidOperationException("The second node has not started.");

    protected override IDictionary<string, string?> Settings =>
        ChatClusterSettings.For(_redis ?? throw new InvalidOperationException("Redis has not started."), _signingKey);

    protected override IEnumerable<string> MoreChromiumArgs => ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

    protected override async Task StartDependenciesAsync() => _redis = await RedisServer.StartNewAsync().WithTimeout(StartTimeout);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _secondNode = await ChatServerProcess.StartAsync(DataDirectory, Settings).WithTimeout(StartTimeout);
    }

    public override async Task DisposeAsync()
    {
        if (_secondNode is not null)
        {
            await _secondNode.DisposeAsync();
        }

        await base.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
