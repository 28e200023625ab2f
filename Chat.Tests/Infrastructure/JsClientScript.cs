using System.Diagnostics;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Runs JavaScript under Node against a server: a script of Chat.Tests/JsClient (the official SignalR JS client), or a
/// test of the TypeScript client package (clients/typescript, compiled by the build).
/// </summary>
public static class JsClientScript
{
    /// <summary>Runs <paramref name="script"/> with the server's address and the protocol; asserts it exits 0 and prints its "ok" line.</summary>
    public static Task ShouldPassAsync(string script, Uri server, string protocol, string okLine) =>
        RunAsync(Path.Combine(RepositoryPaths.Root, "Chat.Tests", "JsClient"), [script, server.ToString().TrimEnd('/'), protocol], okLine, TimeSpan.FromSeconds(90));

    /// <summary>
    /// Runs the TypeScript client's test <paramref name="test"/> (clients/typescript/test, compiled to test-dist) with
    /// the servers' addresses and the protocol; asserts it exits 0 and prints its "ok" line. Returns what it printed.
    /// </summary>
    public static Task<string> PackageTestShouldPassAsync(string test, string protocol, string okLine, params Uri[] servers) =>
        RunAsync(
            Path.Combine(RepositoryPaths.Root, "clients", "typescript"),
            ["test-dist/run.js", test, string.Join(',', servers.Select(s => s.ToString().TrimEnd('/'))), protocol],
            okLine,
            TimeSpan.FromMinutes(4));

    private static async Task<string> RunAsync(string workingDirectory, IEnumerable<string> arguments, string okLine, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WithTimeout(timeout);
        }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        var printed = await output + await errors;
        node.ExitCode.Should().Be(0, printed);
        printed.Should().Contain(okLine);
        return printed;
    }
}
