using Chat.Server.History;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Chat.Server.Observability;

/// <summary>Prints where the server listens once Kestrel has bound its addresses (also for port 0).</summary>
internal sealed class StartupReport(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<DatabaseOptions> database,
    IConfiguration configuration,
    ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var backplane = string.IsNullOrEmpty(configuration["Redis:Configuration"]) ? "none" : "redis";
            ChatLog.Listening(logger, string.Join(", ", addresses), database.Value.Provider, backplane);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
