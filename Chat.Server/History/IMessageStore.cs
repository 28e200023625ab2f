using Chat.Shared;

namespace Chat.Server.History;

/// <summary>A room's two counters: the last message sequence and the last change.</summary>
public readonly record struct RoomCounters(long LastSequence, long LastEventSequence);

/// <summary>What a join answers of the history: the counters, and the newest messages as they were at their count.</summary>
public readonly record struct JoinView(RoomCounters Counters, ChatMessage[] Recent);

/// <summary>
/// The read side of the history: the truth that every client recovers from. Changes are written only by the change
/// pipeline (Messaging) through <see cref="BatchCommands"/>.
/// </summary>
public interface IMessageStore
{
    /// <summary>Up to <paramref name="limit"/> messages before <paramref name="beforeSequence"/> (null: the newest), oldest first.</summary>
    Task<ChatMessage[]> GetHistoryAsync(string room, long? beforeSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> messages after <paramref name="afterSequence"/>, oldest first.</summary>
    Task<ChatMessage[]> GetSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The changes numbered <paramref name="afterEventSequence"/> + 1 to <paramref name="throughEventSequence"/>, oldest first, carrying their messages as they are now.</summary>
    Task<RoomEvent[]> GetEventsAsync(string room, long afterEventSequence, long throughEventSequence, CancellationToken cancellationToken = default);

    /// <summary>The message at each room's given sequence (rooms without one are left out).</summary>
    Task<IReadOnlyDictionary<string, ChatMessage>> GetMessagesAtAsync(IReadOnlyDictionary<string, long> sequences, CancellationToken cancellationToken = default);

    /// <summary>Stored messages of any rooms as clients see them now (replied-to messages read, URLs signed), in their order.</summary>
    Task<ChatMessage[]> DescribeAsync(IReadOnlyList<MessageRecord> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// The room's counters, then its <see cref="ChatLimits.RecentMessagesOnJoin"/> newest messages, oldest first: a
    /// change committed in between shows in the messages and has a number above the counters, never the reverse.
    /// </summary>
    Task<JoinView> GetJoinViewAsync(string room, CancellationToken cancellationToken = default);

    /// <summary>The room's counters (zero for a room without history).</summary>
    Task<RoomCounters> GetCountersAsync(string room, CancellationToken cancellationToken = default);

    /// <summary>Every room with history and its counters.</summary>
    Task<IReadOnlyDictionary<string, RoomCounters>> GetRoomCountersAsync(CancellationToken cancellationToken = default);
}
