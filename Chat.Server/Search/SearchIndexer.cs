using Chat.Server.Messaging;
using Chat.Server.Observability;

namespace Chat.Server.Search;

/// <summary>
/// Keeps an after-the-commit index (SQLite's) close behind the writer, a few times a second, so that a search rarely
/// has more than a moment's posts to index before it answers.
/// </summary>
internal sealed class SearchIndexer(ChangePipeline pipeline, SearchEngine engine, ILogger<SearchIndexer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await pipeline.RunOnWriterConnectionAsync((commands, cancellationToken) => engine.CatchUpAsync(commands.Connection, cancellationToken), stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing is lost: the mark did not move, and the next pass (or the next search) indexes the same rows.
                ChatLog.SearchIndexingFailed(logger, exception);
            }
        }
    }
}
