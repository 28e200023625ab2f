using Chat.Server.Conversations;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.History;

/// <summary>The read side of the hub and the HTTP API: paging rules on top of the store, for those the room policy lets read.</summary>
public sealed class HistoryQueries(IMessageStore store, RoomPolicy policy, IOptions<EventsOptions> events)
{
    public async Task<ChatMessage[]> GetHistoryAsync(ChatCaller caller, RoomName room, long? beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxHistoryPage);
        await AuthorizeAsync(caller, room, cancellationToken);
        return await store.GetHistoryAsync(room, beforeSequence, limit, cancellationToken);
    }

    public async Task<ChatMessage[]> GetMessagesSinceAsync(ChatCaller caller, RoomName room, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxMessagesSincePage);
        await AuthorizeAsync(caller, room, cancellationToken);
        return await store.GetSinceAsync(room, afterSequence, limit, cancellationToken);
    }

    public async Task<EventsPage> GetEventsSinceAsync(ChatCaller caller, RoomName room, long afterEventSequence, int limit, CancellationToken cancellationToken = default)
    {
        EnsureLimit(limit, ChatLimits.MaxEventsSincePage);
        await AuthorizeAsync(caller, room, cancellationToken);
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

    private Task AuthorizeAsync(ChatCaller caller, RoomName room, CancellationToken cancellationToken) =>
        policy.AuthorizeAsync(caller.User, room, RoomAction.Read, caller.Connection, cancellationToken);

    private static void EnsureLimit(int limit, int max)
    {
        if (limit < 1 || limit > max)
        {
            throw new ChatException(ChatErrorCodes.InvalidLimit, $"limit must be between 1 and {max}");
        }
    }
}
