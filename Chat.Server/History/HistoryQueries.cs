using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>The read side of the hub: paging rules on top of the store.</summary>
public sealed class HistoryQueries(IMessageStore store, IOptions<EventsOptions> events)
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

    public async Task<EventsPage> GetEventsSinceAsync(string roomName, long afterEventSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxEventsSincePage);
        var room = ChatRules.NormalizeRoomName(roomName);
        var after = Math.Max(afterEventSequence, 0);
        var last = (await store.GetCountersAsync(room, cancellationToken)).LastEventSequence;
        if (last - after > events.Value.MaxReplay)
        {
            return new EventsPage(room, [], last, ResetRequired: true);
        }

        var through = Math.Min(last, after + limit);
        var page = through > after ? await store.GetEventsAsync(room, after, through, cancellationToken) : [];
        return new EventsPage(room, page, last, ResetRequired: false);
    }

    private static void EnsureLimit(int limit, int max)
    {
        if (limit < 1 || limit > max)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {max}");
        }
    }
}
