using System.Diagnostics;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>
/// The official SignalR JS client (Node, @microsoft/signalr from npm), written from the specification alone, logs in,
/// joins, chats, sees typing and presence, pages through history and gets every error code with its connection still
/// usable. The script is Chat.Tests/JsClient/contract.mjs.
/// </summary>
public sealed class JsClientContractTests(ErrorCodeTests.Fixture fixture) : IClassFixture<ErrorCodeTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task ASpecWrittenJsClientCanUseEveryFeature(string protocol)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "Chat.Tests", "JsClient");
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("contract.mjs");
        info.ArgumentList.Add(fixture.Server.BaseAddress.ToString().TrimEnd('/'));
        info.ArgumentList.Add(protocol);

        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WithTimeout(TimeSpan.FromSeconds(90));

        var printed = await output + await errors;
        node.ExitCode.Should().Be(0, printed);
        printed.Should().Contain($"js contract ({protocol}): ok");
    }
}
