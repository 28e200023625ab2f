using System.Threading.Channels;
using Chat.Shared;
using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// Raises the client's events one at a time, in the order they were queued, on a background task of its own: a slow
/// handler delays later events but never the connection, and a throwing one is logged and skipped.
/// </summary>
internal sealed class EventDispatcher
{
    // Set inside the loop, so that a handler that disposes the client does not wait for the loop it is running on.
    private static readonly AsyncLocal<EventDispatcher?> Running = new();

    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<IChatClient> _handlers = [];
    private readonly Channel<Func<Task>> _events = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RaiseEventsAsync);
    }

    /// <summary>Queues one event: <paramref name="raise"/> first, then every subscribed handler's <paramref name="callback"/>.</summary>
    public void Enqueue(string name, Action raise, Func<IChatClient, Task>? callback) =>
        _events.Writer.TryWrite(async () =>
        {
            try
            {
                raise();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                ChatClientLog.HandlerFailed(_logger, name, exception);
            }

            if (callback is null)
            {
                return;
            }

            IChatClient[] handlers;
            lock (_lock)
            {
                handlers = [.. _handlers];
            }

            foreach (var handler in handlers)
            {
                try
                {
                    await callback(handler);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    ChatClientLog.HandlerFailed(_logger, name, exception);
                }
            }
        });

    public IDisposable Subscribe(IChatClient handler)
    {
        lock (_lock)
        {
            _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>Accepts no more events and waits until those queued have been raised (unless called from a handler).</summary>
    public Task CompleteAsync()
    {
        _events.Writer.TryComplete();
        return Running.Value == this ? Task.CompletedTask : _loop;
    }

    private async Task RaiseEventsAsync()
    {
        Running.Value = this;
        await foreach (var raise in _events.Reader.ReadAllAsync())
        {
            await raise();
        }
    }

    private void Unsubscribe(IChatClient handler)
    {
        lock (_lock)
        {
            _handlers.Remove(handler);
        }
    }

    private sealed class Subscription(EventDispatcher dispatcher, IChatClient handler) : IDisposable
    {
        public void Dispose() => dispatcher.Unsubscribe(handler);
    }
}
