using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.History;

/// <summary>The read side of the hub: paging rules on top of the store.</summary>
public sealed class HistoryQueries(IMessageStore store)
{
    public Task<ChatMessage[]> GetHistoryAsync(string room, long? beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxHistoryPage);
        return store.GetHistoryAsync(ChatRules.NormalizeRoomName(room), beforeSequence, limit, cancellationToken);
    }

    public Task<ChatMessage[]> GetMessagesSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxMessagesSincePage);
        return store.GetSinceAsync(ChatRules.NormalizeRoomName(room), afterSequence, limit, cancellationToken);
    }

    private static void EnsureLimit(int limit, int max)
    {
        if (limit < 1 || limit > max)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {max}");
        }
    }
}
