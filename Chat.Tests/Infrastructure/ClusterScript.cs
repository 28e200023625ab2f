using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// <c>scripts/cluster.sh</c>, run the way a newcomer runs it (redis-server, PostgreSQL, two nodes and nginx from Debian
/// packages), on ports and a state directory of its own. Stopped like a user stops it: SIGTERM, and its trap tears
/// everything down.
/// </summary>
public sealed partial class ClusterScript : IAsyncDisposable
{
    private readonly TempDirectory _state = new();
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Uri> _nodes = [];
    private Process? _process;

    public Uri LoadBalancer { get; private set; } = null!;

    public IReadOnlyList<Uri> Nodes => _nodes;

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

    public static async Task<ClusterScript> StartAsync(string store)
    {
        var script = new ClusterScript();
        await script.RunAsync(store);
        return script;
    }

    private async Task RunAsync(string store)
    {
        var port = ChatServerProcess.FreePort();
        LoadBalancer = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["scripts/cluster.sh", "--store", store, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-build"])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["CHAT_CLUSTER_DIR"] = _state.Path;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Read(e.Data);
        _process.ErrorDataReceived += (_, e) => Read(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_up.Task, exited).WithTimeout(TimeSpan.FromSeconds(300));
        if (first == exited)
        {
            throw new InvalidOperationException($"scripts/cluster.sh exited with {_process.ExitCode}:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            try
            {
                await process.WaitForExitAsync().WithTimeout(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        _state.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (NodeLine().Match(line) is { Success: true } node)
        {
            _nodes.Add(new Uri(node.Groups[1].Value));
            if (_nodes.Count == 2)
            {
                _up.TrySetResult();
            }
        }
    }

    [GeneratedRegex(@"^\s+node \d\s+(http://\S+/)")]
    private static partial Regex NodeLine();
}
