using Chat.Tests.Infrastructure;

namespace Chat.Tests.Webhooks;

/// <summary>Webhook settings are checked when the server starts, not when the first delivery trips over them.</summary>
public sealed class WebhookOptionsTests
{
    [Theory]
    [InlineData("Webhooks:LeaseDuration", "00:00:05", "*LeaseDuration*AttemptTimeout*")]
    [InlineData("Webhooks:MaxRetryDelay", "00:00:01", "*MaxRetryDelay*FirstRetryDelay*")]
    [InlineData("Webhooks:AttemptTimeout", "00:10:00", "*AttemptTimeout*")]
    public async Task AnInconsistentSettingStopsTheServerFromStarting(string key, string value, string message)
    {
        using var directory = new TempDirectory();

        var starting = () => ChatServer.StartAsync(directory.Path, new Dictionary<string, string?> { [key] = value });

        await starting.Should().ThrowAsync<Exception>().WithMessage(message);
    }
}
