using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Chat.Shared;

namespace Chat.Bench;

public enum ServerKind
{
    Chat,
    Baseline,
}

/// <summary>
/// A server as one child process, listening on one port of one or more loopback addresses (127.0.0.x: each address
/// has its own ephemeral-port space, so one client process can open more connections), or a cluster of chat nodes
/// (one process each, one store, one Redis) measured as one server. Reads CPU time and RSS from /proc, summed over
/// the processes.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly List<(ProcessStartInfo Info, Uri Address)> _starts = [];
    private readonly List<Uri> _addresses = [];
    private readonly StringBuilder _output = new();
    private readonly string? _dataDirectory;
    private const int MaxOutputChars = 1 << 20;
    private int _disposed;

    private ServerUnderTest(ServerKind kind, string name)
    {
        Kind = kind;
        Name = name;
        _dataDirectory = kind == ServerKind.Chat ? Directory.CreateTempSubdirectory("chat-bench-").FullName : null;
    }

    public ServerKind Kind { get; }

    public string Name { get; }

    /// <summary>Where clients connect: every address of every node.</summary>
    public IReadOnlyList<Uri> Addresses => _addresses;

    public int ProcessId => _processes[0].Id;

    /// <summary>Which Chat.Server.dll our server runs and with what extra environment (<c>--chat-server</c>, <c>--chat-env</c>).</summary>
    public static ChatLaunch ChatLaunch { get; set; } = new(null, new Dictionary<string, string>());

    /// <summary>Whether the baseline announces joins (<c>--baseline-joins</c>).</summary>
    public static bool BaselineAnnouncesJoins { get; set; }

    /// <summary>Starts Chat.Server (rate limits raised, fresh SQLite store, generated signing key) or the baseline.</summary>
    public static Task<ServerUnderTest> StartAsync(
        ServerKind kind,
        int loopbackAddresses = 1,
        string? name = null,
        IDictionary<string, string>? settings = null,
        CancellationToken cancellationToken = default) =>
        StartNodesAsync(new ServerUnderTest(kind, name ?? kind.ToString().ToLowerInvariant()), 1, loopbackAddresses, settings, cancellationToken);

    /// <summary>
    /// Starts <paramref name="nodes"/> chat nodes, one after the other (the first applies the migrations), on one
    /// SQLite store (the group commit allocates sequences under the database's write lock, so nodes can share it)
    /// with the given settings (the Redis backplane).
    /// </summary>
    public static Task<ServerUnderTest> StartClusterAsync(
        int nodes, string name, IDictionary<string, string> settings, CancellationToken cancellationToken = default) =>
        StartNodesAsync(new ServerUnderTest(ServerKind.Chat, name), nodes, 1, settings, cancellationToken);

    private static async Task<ServerUnderTest> StartNodesAsync(
        ServerUnderTest server, int nodes, int loopbackAddresses, IDictionary<string, string>? settings, CancellationToken cancellationToken)
    {
        try
        {
            for (var node = 0; node < nodes; node++)
            {
                await server.StartProcessAsync(loopbackAddresses, settings, cancellationToken);
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessAsync(int loopbackAddresses, IDictionary<string, string>? settings, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var addresses = Enumerable.Range(1, loopbackAddresses).Select(i => new Uri($"http://127.0.0.{i}:{port}")).ToList();
        var urls = string.Join(';', addresses.Select(a => a.ToString().TrimEnd('/')));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["ASPNETCORE_URLS"] = urls;
        if (_dataDirectory is { } dataDirectory)
        {
            info.WorkingDirectory = dataDirectory;
            // A published server (--chat-server) is its own content root, as in the container; the build output uses the project's.
            info.ArgumentList.Add(ChatLaunch.Assembly ?? RepositoryPaths.ServerAssembly);
            info.ArgumentList.Add("--contentRoot");
            info.ArgumentList.Add(ChatLaunch.Assembly is { } published ? Path.GetDirectoryName(published)! : RepositoryPaths.ServerProjectDirectory);
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["ConnectionStrings__Chat"] = $"Data Source={Path.Combine(dataDirectory, "chat.db")}";
            info.Environment["Auth__SigningKey"] = BenchKeys.SigningKey;
            info.Environment["Messaging__MessagesPerSecond"] = "100000";
            info.Environment["Messaging__Burst"] = "100000";
            // Every load connection signs in as its own guest from one address: lift the per-address token limit.
            info.Environment["Security__TokenRequestsPerMinute"] = "1000000";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            var webhook = ChatLaunch.HangingWebhook ? HangingWebhook.Settings : [];
            foreach (var (key, value) in (settings ?? new Dictionary<string, string>()).Concat(webhook).Concat(ChatLaunch.Environment))
            {
                info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        else
        {
            info.ArgumentList.Add(typeof(BaselineServer).Assembly.Location);
            info.ArgumentList.Add("baseline-server");
            info.Environment[BaselineServer.AnnounceJoinsVariable] = BaselineAnnouncesJoins ? "true" : "false";
        }

        _starts.Add((info, addresses[0]));
        await RunProcessAsync(info, addresses[0], cancellationToken);
        _addresses.AddRange(addresses);
        if (_dataDirectory is not null && ChatLaunch.HangingWebhook && _processes.Count == 1)
        {
            await HangingWebhook.RegisterAsync(addresses[0], cancellationToken);
        }
    }

    private async Task RunProcessAsync(ProcessStartInfo info, Uri address, CancellationToken cancellationToken, string? route = null)
    {
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        _processes.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitReadyAsync(process, address, route ?? ReadinessRoute, cancellationToken);
    }

    /// <summary>Kills every process of the server at once (SIGKILL): no shutdown, no goodbyes. Its store stays.</summary>
    public async Task KillAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        _processes.Clear();
    }

    /// <summary>
    /// Starts the killed server again: the same ports, store and settings; returns once every node answers its
    /// liveness route (it takes connections; /readyz may still say it is warming up).
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (info, address) in _starts)
        {
            await RunProcessAsync(info, address, cancellationToken, ChatRoutes.Health);
        }
    }

    /// <summary>utime + stime of the server's processes (what /proc/&lt;pid&gt;/stat says).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var process in _processes)
            {
                process.Refresh();
                total += process.TotalProcessorTime;
            }

            return total;
        }
    }

    /// <summary>VmRSS from /proc/&lt;pid&gt;/status, in bytes, summed over the server's processes.</summary>
    public long ResidentBytes => _processes.Sum(process => ResidentBytesOf(process.Id));

    /// <summary>Threads of the server's processes (/proc/&lt;pid&gt;/status), summed.</summary>
    public int ThreadCount => _processes.Sum(process => (int)StatusField(process.Id, "Threads:"));

    /// <summary>
    /// Open SQLite connections of the server's processes: descriptors of the store's main file (each connection opens
    /// it once; its -wal and -shm files are not counted). Zero for the baseline.
    /// </summary>
    public int StoreConnections
    {
        get
        {
            if (_dataDirectory is null)
            {
                return 0;
            }

            var database = Path.Combine(_dataDirectory, "chat.db");
            var count = 0;
            foreach (var process in _processes)
            {
                try
                {
                    foreach (var descriptor in Directory.EnumerateFiles($"/proc/{process.Id}/fd"))
                    {
                        try
                        {
                            count += new FileInfo(descriptor).LinkTarget == database ? 1 : 0;
                        }
                        catch (IOException)
                        {
                            // Closed while listed.
                        }
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // The process is gone.
                }
            }

            return count;
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _processes.Any(process => process.HasExited);

    /// <summary>The server's /metrics text (Prometheus format), kept beside the results for the server-side view of a run.</summary>
    public async Task<string> ScrapeMetricsAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = Addresses[0], Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri(ChatRoutes.Metrics, UriKind.Relative), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        if (_dataDirectory is not null)
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long ResidentBytesOf(int processId) => StatusField(processId, "VmRSS:") * 1024;

    /// <summary>The number at the start of a /proc/&lt;pid&gt;/status field (VmRSS in KiB, Threads).</summary>
    private static long StatusField(int processId, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"No {field} in /proc status.");
    }

    // A chat node is ready once its store and its backplane (with Redis) serve; the baseline has only a health route.
    private string ReadinessRoute => Kind == ServerKind.Chat ? ChatRoutes.Ready : ChatRoutes.Health;

    private async Task WaitReadyAsync(Process process, Uri address, string route, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        // A restart under a storm of clients, on a busy machine, took up to a minute just to listen.
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * (route == ChatRoutes.Health && Kind == ServerKind.Chat ? 180 : 60));
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(route, UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{Name} did not become ready:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Enough for a failure message; an overloaded server may warn about every slow call.
            if (_output.Length < MaxOutputChars)
            {
                _output.AppendLine(line);
            }
        }
    }
}

/// <summary>One generated guest-token key per bench run, never written anywhere.</summary>
internal static class BenchKeys
{
    public static string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}

/// <summary>Where the repository's build outputs are, found from the bench assembly's own location.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ServerProjectDirectory => Path.Combine(Root, "Chat.Server");

    /// <summary>Chat.Server.dll of the bench's own configuration (the project reference builds it).</summary>
    public static string ServerAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var path = Path.Combine(ServerProjectDirectory, "bin", configuration, "net10.0", "Chat.Server.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build Chat.Server first.", path);
        }
    }

    /// <summary>Whether the server build ships the Redis backplane (the scale-out work).</summary>
    public static bool ServerHasRedisBackplane =>
        File.Exists(Path.Combine(Path.GetDirectoryName(ServerAssembly)!, "Microsoft.AspNetCore.SignalR.StackExchangeRedis.dll"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Chat.sln not found above " + AppContext.BaseDirectory);
    }
}
