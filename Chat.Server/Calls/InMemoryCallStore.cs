using Microsoft.Extensions.Options;

namespace Chat.Server.Calls;

/// <summary>One node: the calls in a dictionary under one lock (calls are few and their transitions tiny).</summary>
internal sealed class InMemoryCallStore(IOptions<CallsOptions> options, TimeProvider time) : ICallStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _calls = new(StringComparer.Ordinal);

    public string NodeId => "";

    public Task<bool> TryCreateAsync(CallState call, DateTimeOffset ringsUntil, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            // Calls are rare next to messages: sweeping on every new one keeps the dictionary small without a timer.
            foreach (var expired in _calls.Where(c => c.Value.ExpiresAt <= now).Select(c => c.Key).ToList())
            {
                _calls.Remove(expired);
            }

            return Task.FromResult(_calls.TryAdd(call.CallId, new Entry(call, ringsUntil, ringsUntil + CallStores.RingGrace, Ended: false)));
        }
    }

    public Task<CallState?> GetAsync(string callId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(callId)?.Call);
        }
    }

    public Task<CallState?> TryAnswerAsync(string callId, string connectionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (Live(callId) is not { Call.IsAnswered: false } entry)
            {
                return Task.FromResult<CallState?>(null);
            }

            var answered = entry.Call with { AnswerConnection = connectionId, AnswerNode = NodeId };
            _calls[callId] = entry with { Call = answered, ExpiresAt = time.GetUtcNow() + options.Value.MaxCallDuration };
            return Task.FromResult<CallState?>(answered);
        }
    }

    public Task<CallState?> TryEndAsync(string callId, bool onlyIfRinging, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (Live(callId) is not { } entry || (onlyIfRinging && entry.Call.IsAnswered))
            {
                return Task.FromResult<CallState?>(null);
            }

            _calls[callId] = entry with { Ended = true, ExpiresAt = time.GetUtcNow() + CallStores.EndedCallMemory };
            return Task.FromResult<CallState?>(entry.Call);
        }
    }

    public Task<IReadOnlyList<string>> OverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<string>>(
                [.. _calls.Where(c => !c.Value.Ended && !c.Value.Call.IsAnswered && c.Value.RingsUntil <= now).Select(c => c.Key)]);
        }
    }

    public Task<IReadOnlyList<RingingCall>> RingingAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<RingingCall>>(
                [.. _calls.Where(c => !c.Value.Ended && !c.Value.Call.IsAnswered).Select(c => new RingingCall(c.Key, c.Value.Call.CallerNode))]);
        }
    }

    public Task<bool> IsNodeAliveAsync(string nodeId, CancellationToken cancellationToken = default) => Task.FromResult(true);

    private Entry? Live(string callId) =>
        _calls.TryGetValue(callId, out var entry) && !entry.Ended && entry.ExpiresAt > time.GetUtcNow() ? entry : null;

    private sealed record Entry(CallState Call, DateTimeOffset RingsUntil, DateTimeOffset ExpiresAt, bool Ended);
}

internal static class CallStores
{
    /// <summary>How long an ended call's id stays taken.</summary>
    public static readonly TimeSpan EndedCallMemory = TimeSpan.FromMinutes(10);

    /// <summary>How long a ringing call outlives its ring timeout, so the timeout is still told when the sweep runs late.</summary>
    public static readonly TimeSpan RingGrace = TimeSpan.FromMinutes(1);
}
