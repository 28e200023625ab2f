using Chat.Server.Conversations;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>The read side of the hub: paging rules on top of the store, for those the room policy lets read.</summary>
public sealed class HistoryQueries(IMessageStore store, ConnectionRegistry connections, RoomPolicy policy, IOptions<EventsOptions> events)
{
    public async Task<ChatMessage[]> GetHistoryAsync(string connectionId, RoomName room, long? beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxHistoryPage);
        await AuthorizeAsync(connectionId, room, cancellationToken);
        return await store.GetHistoryAsync(room, beforeSequence, limit, cancellationToken);
    }

    public async Task<ChatMessage[]> GetMessagesSinceAsync(string connectionId, RoomName room, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxMessagesSincePage);
        await AuthorizeAsync(connectionId, room, cancellationToken);
        return await store.GetSinceAsync(room, afterSequence, limit, cancellationToken);
    }

    public async Task<EventsPage> GetEventsSinceAsync(string connectionId, RoomName room, long afterEventSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxEventsSincePage);
        await AuthorizeAsync(connectionId, room, cancellationToken);
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

    private Task AuthorizeAsync(string connectionId, RoomName room, CancellationToken cancellationToken)
    {
        var state = connections.Get(connectionId);
        return policy.AuthorizeAsync(state.User, room, RoomAction.Read, state, cancellationToken);
    }

    private static void EnsureLimit(int limit, int max)
    {
        if (limit < 1 || limit > max)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {max}");
        }
    }
}
