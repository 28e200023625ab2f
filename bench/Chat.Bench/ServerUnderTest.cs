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
/// A server as a child process, listening on one port of one or more loopback addresses (127.0.0.x: each address
/// has its own ephemeral-port space, so one client process can open more connections). Reads its CPU time and RSS
/// from /proc.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string? _dataDirectory;
    private const int MaxOutputChars = 1 << 20;
    private int _disposed;

    private ServerUnderTest(ServerKind kind, string name, Process process, IReadOnlyList<Uri> addresses, string? dataDirectory)
    {
        Kind = kind;
        Name = name;
        _process = process;
        Addresses = addresses;
        _dataDirectory = dataDirectory;
    }

    public ServerKind Kind { get; }

    public string Name { get; }

    public IReadOnlyList<Uri> Addresses { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts Chat.Server (rate limits raised, fresh SQLite store, generated signing key) or the baseline.</summary>
    public static async Task<ServerUnderTest> StartAsync(
        ServerKind kind,
        int loopbackAddresses = 1,
        string? name = null,
        string? sharedDataDirectory = null,
        IDictionary<string, string>? settings = null,
        CancellationToken cancellationToken = default)
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
        string? dataDirectory = null;
        if (kind == ServerKind.Chat)
        {
            dataDirectory = sharedDataDirectory ?? Directory.CreateTempSubdirectory("chat-bench-").FullName;
            info.WorkingDirectory = dataDirectory;
            info.ArgumentList.Add(RepositoryPaths.ServerAssembly);
            info.ArgumentList.Add("--contentRoot");
            info.ArgumentList.Add(RepositoryPaths.ServerProjectDirectory);
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["ConnectionStrings__Chat"] = $"Data Source={Path.Combine(dataDirectory, "chat.db")}";
            info.Environment["Auth__SigningKey"] = BenchKeys.SigningKey;
            info.Environment["Messaging__MessagesPerSecond"] = "100000";
            info.Environment["Messaging__Burst"] = "100000";
            // Every load connection signs in as its own guest from one address: lift the per-address token limit.
            info.Environment["Security__TokenRequestsPerMinute"] = "1000000";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        else
        {
            info.ArgumentList.Add(typeof(BaselineServer).Assembly.Location);
            info.ArgumentList.Add("baseline-server");
        }

        var process = new Process { StartInfo = info };
        var server = new ServerUnderTest(kind, name ?? kind.ToString().ToLowerInvariant(), process, addresses, sharedDataDirectory is null ? dataDirectory : null);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitHealthyAsync(cancellationToken);
        return server;
    }

    /// <summary>utime + stime of the server process (what /proc/&lt;pid&gt;/stat says).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>VmRSS from /proc/&lt;pid&gt;/status, in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }

            throw new InvalidOperationException("No VmRSS in /proc status.");
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

    public bool HasExited => _process.HasExited;

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

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
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

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Addresses[0], Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(ChatRoutes.Health, UriKind.Relative), cancellationToken);
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

        throw new TimeoutException($"{Name} did not become healthy:\n{Output}");
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
