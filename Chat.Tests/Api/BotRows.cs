using Chat.Server.History;
using Chat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Api;

/// <summary>What the server's store holds of bots.</summary>
internal static class BotRows
{
    public static async Task<BotRecord> ReadAsync(IServiceProvider services, string botId)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        return await db.Bots.AsNoTracking().SingleAsync(b => b.Id == botId).WithTimeout();
    }
}
