using Chat.Server.History;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Chat.Server.Observability;

/// <summary>Starts the metrics listener, and prints where the server listens once Kestrel has bound its addresses (also for port 0).</summary>
internal sealed class StartupReport(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<DatabaseOptions> database,
    IConfiguration configuration,
    ILogger<StartupReport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // prometheus-net starts its Meter listener at the first scrape: without this, counts before it would be lost.
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);

        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var backplane = string.IsNullOrEmpty(configuration["Redis:Configuration"]) ? "none" : "redis";
            ChatLog.Listening(logger, string.Join(", ", addresses), database.Value.Provider, backplane);
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
