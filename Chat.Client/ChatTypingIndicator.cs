using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// Turns keystrokes into typing notices for one room: the first keystroke sends <c>SetTyping(true)</c>, further ones
/// repeat it at most every <see cref="ChatTypingOptions.RefreshInterval"/> (so it does not time out on the server),
/// and <see cref="ChatTypingOptions.IdleTimeout"/> after the last keystroke it sends <c>SetTyping(false)</c>.
/// Notices go out in order, in the background; a failed one is logged and dropped.
/// </summary>
public sealed class ChatTypingIndicator : IDisposable
{
    private readonly ChatClient _client;
    private readonly string _room;
    private readonly ChatTypingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _idle;
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastTypingSent;
    private Task _sending = Task.CompletedTask;

    internal ChatTypingIndicator(ChatClient client, string room, ChatTypingOptions options, TimeProvider time, ILogger logger)
    {
        _client = client;
        _room = room;
        _options = options;
        _time = time;
        _logger = logger;
        _idle = time.CreateTimer(_ => StopTyping(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The user pressed a key in the message box.</summary>
    public void NotifyTyping()
    {
        lock (_lock)
        {
            _idle.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);
            var now = _time.GetUtcNow();
            if (_lastTypingSent is { } last && now - last < _options.RefreshInterval)
            {
                return;
            }

            _lastTypingSent = now;
            Send(isTyping: true);
        }
    }

    /// <summary>The user stopped (e.g. cleared the box): sends <c>SetTyping(false)</c> now, if typing was announced.</summary>
    public void StopTyping()
    {
        lock (_lock)
        {
            _idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_lastTypingSent is null)
            {
                return;
            }

            _lastTypingSent = null;
            Send(isTyping: false);
        }
    }

    /// <summary>The user sent the message: the server ended the typing state itself, so nothing is sent.</summary>
    public void NotifyMessageSent()
    {
        lock (_lock)
        {
            _idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _lastTypingSent = null;
        }
    }

    /// <summary>Ends a typing state still announced and stops the idle timer.</summary>
    public void Dispose()
    {
        StopTyping();
        _idle.Dispose();
    }

    /// <summary>Call under the lock: chains the notice after the previous one, so true and false never swap.</summary>
    private void Send(bool isTyping) => _sending = SendAfterAsync(_sending, isTyping);

    private async Task SendAfterAsync(Task previous, bool isTyping)
    {
        await previous;
        try
        {
            await _client.SetTypingAsync(_room, isTyping);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ChatClientLog.TypingFailed(_logger, _room, exception);
        }
    }
}
