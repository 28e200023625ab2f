using Chat.Server.Observability;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>
/// Copies SQLite's write-ahead log into the database file from a connection of its own, once the writers have added
/// <see cref="WriteAheadLog.CheckpointPages"/> pages to it (looking four times a second), so that the group commit's
/// serial loop does not stop to do it. A PASSIVE checkpoint neither waits for nor holds up the writer or any reader;
/// what it cannot copy yet it copies next time, and should it fall behind, the writer checkpoints the log itself at
/// <see cref="SqliteSetup.WriterCheckpointPages"/>. Durability is the log's, not the checkpoint's:
/// a crash in the middle of one loses nothing.
/// </summary>
internal sealed class SqliteCheckpointer(IDbContextFactory<ChatDbContext> contexts, WriteAheadLog log, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        ChatDbContext? context = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!log.TakeCheckpointDue())
                {
                    continue;
                }

                try
                {
                    context ??= await OpenAsync(stoppingToken);
                    await using var command = context.Database.GetDbConnection().CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    ChatLog.BackgroundCheckpointFailed(logger, exception);
                    await CloseAsync(context);
                    context = null;
                }
            }
        }
        finally
        {
            await CloseAsync(context);
        }
    }

    private async Task<ChatDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        var context = await contexts.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        return context;
    }

    private static async Task CloseAsync(ChatDbContext? context)
    {
        if (context is not null)
        {
            await context.DisposeAsync();
        }
    }
}
