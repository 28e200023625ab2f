using System.Diagnostics;

namespace Chat.Tests.Infrastructure;

/// <summary>Runs a script of Chat.Tests/JsClient (the official SignalR JS client under Node) against a server.</summary>
public static class JsClientScript
{
    /// <summary>Runs <paramref name="script"/> with the server's address and the protocol; asserts it exits 0 and prints its "ok" line.</summary>
    public static async Task ShouldPassAsync(string script, Uri server, string protocol, string okLine)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "Chat.Tests", "JsClient"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(server.ToString().TrimEnd('/'));
        info.ArgumentList.Add(protocol);

        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WithTimeout(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        var printed = await output + await errors;
        node.ExitCode.Should().Be(0, printed);
        printed.Should().Contain(okLine);
    }
}
