using System.Collections.Concurrent;
using Chat.Server.Messaging;
using Chat.Server.Observability;
using Chat.Server.Rooms;

namespace Chat.Server.Conversations;

/// <summary>
/// Remembers every user who connects, so that rooms can name them (direct rooms, added members, bans) before they
/// are in any room. A node writes a user once per process (and again when their name changes).
/// </summary>
public sealed class UserDirectory(ChangePipeline pipeline, ILogger<UserDirectory> logger)
{
    private readonly ConcurrentDictionary<string, string> _remembered = new(StringComparer.Ordinal);

    public async Task SeenAsync(ChatUser user, CancellationToken cancellationToken = default)
    {
        if (_remembered.TryGetValue(user.Id, out var name) && name == user.Name)
        {
            return;
        }

        try
        {
            await pipeline.SubmitAsync(new UserSeenRequest(user), cancellationToken);
            _remembered[user.Id] = user.Name;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Connecting must not fail for this: the next connection tries again.
            ChatLog.UserNotRemembered(logger, user.Id, exception);
        }
    }
}
