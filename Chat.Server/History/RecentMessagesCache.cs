using Chat.Shared;
using Microsoft.Extensions.Caching.Memory;

namespace Chat.Server.History;

/// <summary>
/// The newest messages of rooms people are joining, each page with the change number it was read at
/// (<see cref="MessageStore.GetJoinViewAsync"/>). Bounded by messages held, not rooms, and short-lived: the signed
/// attachment URLs in a page last an hour at least, a page five minutes at most.
/// </summary>
internal sealed class RecentMessagesCache : IDisposable
{
    private const int MaxMessages = 20_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _pages = new(new MemoryCacheOptions { SizeLimit = MaxMessages });

    /// <summary>The room's page when it was read at exactly this change, else null.</summary>
    public ChatMessage[]? TryGet(string room, long eventSequence) =>
        _pages.TryGetValue(room, out Page? page) && page!.EventSequence == eventSequence ? page.Messages : null;

    public void Set(string room, long eventSequence, ChatMessage[] messages) =>
        _pages.Set(room, new Page(eventSequence, messages), new MemoryCacheEntryOptions
        {
            Size = Math.Max(1, messages.Length),
            AbsoluteExpirationRelativeToNow = Lifetime,
        });

    public void Dispose() => _pages.Dispose();

    private sealed record Page(long EventSequence, ChatMessage[] Messages);
}
