using Chat.Shared;

namespace Chat.Server.Notifications;

/// <summary>A user's stored notifications.</summary>
public sealed class NotificationService
{
    public Task<Notification[]> GetNotificationsAsync(string connectionId, string? beforeId, int limit, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
