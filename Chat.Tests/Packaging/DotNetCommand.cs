using System.Diagnostics;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Packaging;

/// <summary>Runs the .NET SDK (or a script that does) as a child process, as a developer would from a shell.</summary>
public static class DotNetCommand
{
    /// <summary>Runs <paramref name="fileName"/>; asserts it exits 0 within <paramref name="timeout"/> and returns what it printed.</summary>
    public static async Task<string> RunAsync(
        string workingDirectory,
        TimeSpan timeout,
        string fileName,
        IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test host runs under `dotnet test`; MSBuild's own variables from that run would steer the child's build.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WithTimeout(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} ran longer than {timeout}.");
        }

        var printed = await output + await errors;
        process.ExitCode.Should().Be(0, $"{fileName} {string.Join(' ', info.ArgumentList)} should succeed; it printed:\n{printed}");
        return printed;
    }
}
