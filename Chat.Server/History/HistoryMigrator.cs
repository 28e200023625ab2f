using Chat.Server.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>Applies the provider's migrations before the server takes traffic (EF Core serialises concurrent migrators).</summary>
internal sealed class HistoryMigrator(
    IDbContextFactory<ChatDbContext> contexts,
    IOptions<DatabaseOptions> options,
    ILogger<HistoryMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        ChatLog.HistoryMigrated(logger, options.Value.Provider);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
