using System.Text.RegularExpressions;
using Chat.Shared;
using Chat.Tests.Client;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.TypeScriptClient;

/// <summary>
/// The TypeScript client against <see cref="FlakyHubTests"/>' stand-in hub, which answers <c>unavailable</c> before it
/// stores: calls are retried with the same idempotency id until stored, and the code reaches the caller once the retry
/// time is spent.
/// </summary>
public sealed class TypeScriptClientUnavailableTests(FlakyHubTests.Fixture fixture) : IClassFixture<FlakyHubTests.Fixture>
{
    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task CallsAnsweredUnavailableAreRetriedWithTheSameIdempotencyIdUntilStored(string protocol)
    {
        var okLine = $"typescript unavailable ({protocol}): ok";
        var printed = await JsClientScript.PackageTestShouldPassAsync("unavailable", protocol, okLine, fixture.BaseAddress);

        var clientMessageId = Regex.Match(printed, Regex.Escape(okLine) + @" (\S+)").Groups[1].Value;
        fixture.Attempts(clientMessageId).Should().Equal(
            [nameof(IChatHub.PostMessage), nameof(IChatHub.PostMessage), nameof(IChatHub.PostMessage)], "two refusals, then stored");
        fixture.Attempts($"edit-{protocol}").Should().Equal([nameof(IChatHub.EditMessage), nameof(IChatHub.EditMessage)]);
    }
}
