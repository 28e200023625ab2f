using System.Security.Cryptography;
using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Api;

/// <summary>
/// The bots and their keys. Every request with a key reads the store (one indexed row, no cache), so a revoked key
/// stops working at once on every node.
/// </summary>
public sealed class BotDirectory(
    IDbContextFactory<ChatDbContext> contexts, StoreReadGate gate, UserDirectory users, TimeProvider time, ILogger<BotDirectory> logger)
{
    public async Task<BotCreated> CreateAsync(string? name, ChatUser admin, CancellationToken cancellationToken = default)
    {
        if (!ChatRules.IsValidUserName(name))
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, "bot names are 1-32 characters of letters, digits, '_', '-' and '.'");
        }

        var key = BotKeys.New();
        var bot = new BotRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            UserId = BotKeys.UserIdFor(name!),
            Name = name!,
            KeyHash = BotKeys.Hash(key),
            CreatedBy = admin.Id,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Bots.AnyAsync(b => b.UserId == bot.UserId, cancellationToken))
            {
                throw NameTaken(bot.Name);
            }

            db.Bots.Add(bot);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another request (or node) created a bot of this name in between; anything else is the store's failure.
                db.ChangeTracker.Clear();
                if (await db.Bots.AnyAsync(b => b.UserId == bot.UserId, cancellationToken))
                {
                    throw NameTaken(bot.Name);
                }

                throw;
            }
        }

        // Known to the store before anyone uses the key: rooms can add, ban or mention the bot by its user id.
        await users.SeenAsync(new ChatUser(bot.UserId, bot.Name), cancellationToken);
        ChatLog.BotCreated(logger, bot.Id, bot.UserId, admin.Id);
        return new BotCreated(bot.Id, bot.UserId, key);
    }

    /// <summary>Deletes the bot and so its key; the user it acted as keeps its messages and memberships.</summary>
    public async Task RevokeAsync(string botId, ChatUser admin, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        if (botId.Length <= 32)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            deleted = await db.Bots.Where(b => b.Id == botId).ExecuteDeleteAsync(cancellationToken);
        }

        if (deleted == 0)
        {
            throw new ChatException(ChatErrorCodes.NotFound, "there is no such bot");
        }

        ChatLog.BotRevoked(logger, botId, admin.Id);
    }

    /// <summary>Every live bot, by user id. Bots are made by hand, by administrators: a page would be more than they are.</summary>
    public async Task<BotSummary[]> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Bots.AsNoTracking()
            .OrderBy(b => b.UserId)
            .Select(b => new BotSummary(b.Id, b.UserId, b.Name, b.CreatedAt, b.CreatedBy))
            .ToArrayAsync(cancellationToken);
    }

    /// <summary>The bot whose key this is, or null: a malformed, wrong or revoked key.</summary>
    public async Task<BotRecord?> FindAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (!BotKeys.IsWellFormed(key))
        {
            return null;
        }

        var hash = BotKeys.Hash(key!);
        BotRecord? bot;
        using (await gate.EnterAsync(cancellationToken))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            bot = await db.Bots.AsNoTracking().FirstOrDefaultAsync(b => b.KeyHash == hash, cancellationToken);
        }

        // The index found the row by the hash; comparing again in constant time keeps a near miss from showing in the
        // time the answer takes, whatever the store's own comparison does.
        return bot is not null && CryptographicOperations.FixedTimeEquals(bot.KeyHash, hash) ? bot : null;
    }

    private static ChatException NameTaken(string name) =>
        new(ChatErrorCodes.InvalidRequest, $"a bot named '{name}' exists already: pick another name, or revoke it first");
}
