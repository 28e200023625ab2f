using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

/// <summary>
/// A writer's one connection and its prepared <see cref="BatchCommands"/>, kept for as long as it works and opened
/// again after a failure.
/// </summary>
public sealed class WriterConnection(IDbContextFactory<ChatDbContext> contexts, WriteAheadLog log) : IAsyncDisposable
{
    private ChatDbContext? _context;
    private BatchCommands? _commands;

    public async Task<BatchCommands> GetAsync()
    {
        if (_commands is { } open)
        {
            return open;
        }

        var context = await contexts.CreateDbContextAsync();
        try
        {
            _commands = await BatchCommands.OpenAsync(context, log);
            _context = context;
            return _commands;
        }
        catch
        {
            await context.DisposeAsync();
            throw;
        }
    }

    /// <summary>After a failure: the next <see cref="GetAsync"/> starts on a fresh connection.</summary>
    public async Task CloseAsync()
    {
        if (_commands is { } commands)
        {
            _commands = null;
            await commands.DisposeAsync();
        }

        if (_context is { } context)
        {
            _context = null;
            await context.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync());
}
