using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Notifications;

/// <summary>
/// A user's stored notifications. They are made by the change pipeline with the change that causes them (and go with
/// a deleted message), and sent live by its broadcaster; this pages them.
/// </summary>
public sealed class NotificationService(ConnectionRegistry connections, IDbContextFactory<ChatDbContext> contexts)
{
    public async Task<Notification[]> GetNotificationsAsync(string connectionId, string? beforeId, int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > ChatLimits.MaxNotificationsPage)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit is 1–{ChatLimits.MaxNotificationsPage}");
        }

        if (beforeId is { Length: > ChatLimits.MaxMessageIdLength })
        {
            throw new ChatException(ChatErrorCodes.InvalidRequest, "beforeId is a notification's id");
        }

        var userId = connections.Get(connectionId).User.Id;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var page = db.Notifications.AsNoTracking().Where(n => n.UserId == userId);
        if (beforeId is not null)
        {
            page = page.Where(n => string.Compare(n.Id, beforeId) < 0);
        }

        var records = await page.OrderByDescending(n => n.Id).Take(limit).ToListAsync(cancellationToken);
        return [.. records.Select(n => n.ToNotification())];
    }
}
