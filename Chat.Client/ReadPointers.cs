namespace Chat.Client;

/// <summary>
/// How far this user has read each room, as far as this client has heard: from <c>MarkRead</c> answers,
/// <c>ReadStateChanged</c>, <c>ListMyRooms</c>, and this user's own posts (posting moves the pointer to the post, and
/// the server tells no one). A pointer only moves forward, so what was heard once stays a lower bound of the truth;
/// that lets the client skip marks that would change nothing and drop a <c>ReadStateChanged</c> overtaken by news of
/// a pointer further on. Thread-safe.
/// </summary>
internal sealed class ReadPointers
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _pointers = new(StringComparer.Ordinal);

    /// <summary>The pointer of <paramref name="room"/> as far as known; null when nothing was heard of it.</summary>
    public long? Get(string room)
    {
        lock (_lock)
        {
            return _pointers.TryGetValue(room, out var pointer) ? pointer : null;
        }
    }

    /// <summary>
    /// Heard that the pointer of <paramref name="room"/> is at <paramref name="sequence"/>. False when a pointer further
    /// on was heard already: the news is stale (it is not recorded).
    /// </summary>
    public bool Advance(string room, long sequence)
    {
        lock (_lock)
        {
            if (_pointers.TryGetValue(room, out var pointer) && pointer > sequence)
            {
                return false;
            }

            _pointers[room] = sequence;
            return true;
        }
    }

    /// <summary>Whether every message of <paramref name="room"/> up to <paramref name="sequence"/> is known to be read.</summary>
    public bool Covers(string room, long sequence) => Get(room) >= sequence;
}
