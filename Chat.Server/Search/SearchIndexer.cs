using Chat.Server.History;
using Chat.Server.Observability;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Search;

/// <summary>
/// Keeps an after-the-commit index (SQLite's) close behind the writer, a few times a second, so that a search rarely
/// has more than a moment's posts to index before it answers.
/// </summary>
internal sealed class SearchIndexer(IDbContextFactory<ChatDbContext> contexts, SearchEngine engine, ILogger<SearchIndexer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(stoppingToken);
                await db.Database.OpenConnectionAsync(stoppingToken);
                await engine.CatchUpAsync(db.Database.GetDbConnection(), stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing is lost: the mark did not move, and the next pass (or the next search) indexes the same rows.
                ChatLog.SearchIndexingFailed(logger, exception);
            }
        }
    }
}
