using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chat.Shared;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Chat.Server as its own OS process (<c>dotnet Chat.Server.dll</c> from its build output), for tests that kill it
/// (<c>kill -9</c>) and start it again on the same port and data.
/// </summary>
public sealed class ChatServerProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public bool IsRunning => _process is { HasExited: false };

    private ChatServerProcess(int port, string dataDirectory, Dictionary<string, string?> environment)
    {
        Port = port;
        DataDirectory = dataDirectory;
        _environment = environment;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public Uri HubUrl => new(BaseAddress, ChatRoutes.Hub);

    public string DataDirectory { get; }

    public int? ProcessId => _process?.Id;

    /// <summary>What the process printed, for failure messages.</summary>
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

    /// <summary>
    /// Starts a server over <paramref name="dataDirectory"/>. <paramref name="settings"/> use configuration keys
    /// (<c>Section:Key</c>); they are passed as environment variables.
    /// </summary>
    public static async Task<ChatServerProcess> StartAsync(string dataDirectory, IDictionary<string, string?>? settings = null, int port = 0)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Chat"] = $"Data Source={Path.Combine(dataDirectory, "chat.db")}",
            ["Auth:SigningKey"] = TestDefaults.NewSigningKey(),
            ["Security:TokenRequestsPerMinute"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Chat"] = "Information",
            // Tests want their servers up at once; WarmUpTests turn the warm-up on.
            ["WarmUp:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var server = new ChatServerProcess(port == 0 ? FreePort() : port, dataDirectory, environment);
        await server.StartAsync();
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the process (again) and waits until <c>/readyz</c> answers: its store is open and, in a cluster, its backplane is up.</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryPaths.ServerAssembly);
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(RepositoryPaths.ServerProjectDirectory);
        info.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in _environment)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Chat.Server exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(ChatRoutes.Ready, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Chat.Server did not become ready on {BaseAddress}:\n{Output}");
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown, no goodbyes.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WithTimeout();
        }
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>Where the repository's build outputs are, found from the test assembly's own location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ServerProjectDirectory => Path.Combine(Root, "Chat.Server");

    /// <summary>Chat.Server.dll of the same configuration as the tests (Debug or Release).</summary>
    public static string ServerAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var path = Path.Combine(ServerProjectDirectory, "bin", configuration, "net10.0", "Chat.Server.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build Chat.Server first.", path);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Chat.sln not found above " + AppContext.BaseDirectory);
    }
}
