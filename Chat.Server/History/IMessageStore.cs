using Chat.Server.Rooms;
using Chat.Shared;

namespace Chat.Server.History;

/// <summary>A message accepted by the send pipeline, not yet stored.</summary>
public sealed record NewMessage(string Room, ChatUser Sender, string Content, string? ClientMessageId);

/// <summary>The stored message, and whether this call stored it (false: an idempotent retry of an earlier send).</summary>
public sealed record AppendResult(ChatMessage Message, bool IsNew);

/// <summary>The history: the truth that every client recovers from.</summary>
public interface IMessageStore
{
    /// <summary>Stores the message with the room's next sequence; completes only after the commit.</summary>
    Task<AppendResult> AppendAsync(NewMessage message, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> messages before <paramref name="beforeSequence"/> (null: the newest), oldest first.</summary>
    Task<ChatMessage[]> GetHistoryAsync(string room, long? beforeSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> messages after <paramref name="afterSequence"/>, oldest first.</summary>
    Task<ChatMessage[]> GetSinceAsync(string room, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every room with history and its latest sequence.</summary>
    Task<IReadOnlyDictionary<string, long>> GetRoomSequencesAsync(CancellationToken cancellationToken = default);
}

/// <summary>Told of every newly stored message, in commit order, right after the commit.</summary>
public interface IMessageCommitListener
{
    /// <summary>
    /// Must not block or throw: it runs on the store's one publishing loop, a batch at a time in commit order, beside
    /// the writer's next transaction; the batch's appends are acknowledged right after it returns.
    /// </summary>
    void OnCommitted(IReadOnlyList<ChatMessage> messages);
}
