using System.Collections.Concurrent;
using System.IO.Pipelines;
using Chat.Server.Observability;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Chat.Server.Security;

/// <summary>
/// Closes TCP connections whose peer stopped reading. SignalR's buffers are bounded, but when a connection's pipe is
/// full its writes wait forever (Kestrel enforces no minimum data rate on upgraded WebSocket connections), and every
/// group send to it leaves one more waiting write holding its message. Kestrel connection middleware wraps each
/// connection's output: a flush that returns at once costs one check; only a flush that waits on the peer is timed,
/// and a background scan aborts the connections whose flush has waited longer than
/// <see cref="SecurityOptions.StalledWriteTimeout"/>. Aborting fails the waiting writes, which frees what they hold,
/// and the hub's normal disconnect path runs.
/// </summary>
public sealed class StalledWriteWatchdog(IOptions<SecurityOptions> options, TimeProvider time, ChatMetrics metrics, ILogger<StalledWriteWatchdog> logger)
    : BackgroundService
{
    public const string StalledWrites = "stalled_writes";

    private readonly ConcurrentDictionary<WatchedConnection, byte> _connections = new();
    private readonly TimeSpan _timeout = options.Value.StalledWriteTimeout;
    private long _closed;

    /// <summary>Connections aborted because they stopped reading, since start.</summary>
    public long StalledConnectionsClosed => Interlocked.Read(ref _closed);

    public ConnectionDelegate Watch(ConnectionDelegate next) => async connection =>
    {
        var watched = new WatchedConnection(connection, time);
        connection.Transport = new WatchedDuplexPipe(connection.Transport, watched);
        _connections.TryAdd(watched, 0);
        try
        {
            await next(connection);
        }
        finally
        {
            _connections.TryRemove(watched, out _);
        }
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_timeout / 4, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var connection in _connections.Keys)
            {
                if (connection.StalledFor() is { } stalled && stalled >= _timeout)
                {
                    _connections.TryRemove(connection, out _);
                    Interlocked.Increment(ref _closed);
                    metrics.SecurityRefusal(StalledWrites);
                    ChatLog.StalledConnectionClosed(logger, connection.Context.ConnectionId, connection.Context.RemoteEndPoint?.ToString(), stalled.TotalSeconds);
                    connection.Context.Abort(new ConnectionAbortedException("The peer stopped reading."));
                }
            }
        }
    }

    private sealed class WatchedConnection(ConnectionContext context, TimeProvider time)
    {
        private long _flushWaitingSince;

        public ConnectionContext Context { get; } = context;

        public void FlushWaiting() => Volatile.Write(ref _flushWaitingSince, time.GetTimestamp());

        public void FlushDone() => Volatile.Write(ref _flushWaitingSince, 0);

        public TimeSpan? StalledFor()
        {
            var since = Volatile.Read(ref _flushWaitingSince);
            return since == 0 ? null : time.GetElapsedTime(since);
        }
    }

    private sealed class WatchedDuplexPipe(IDuplexPipe inner, WatchedConnection connection) : IDuplexPipe
    {
        public PipeReader Input { get; } = inner.Input;

        public PipeWriter Output { get; } = new WatchedPipeWriter(inner.Output, connection);
    }

    private sealed class WatchedPipeWriter(PipeWriter inner, WatchedConnection connection) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var flush = inner.FlushAsync(cancellationToken);
            return flush.IsCompleted ? flush : WaitForPeerAsync(flush);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            var write = inner.WriteAsync(source, cancellationToken);
            return write.IsCompleted ? write : WaitForPeerAsync(write);
        }

        private async ValueTask<FlushResult> WaitForPeerAsync(ValueTask<FlushResult> flush)
        {
            connection.FlushWaiting();
            try
            {
                return await flush;
            }
            finally
            {
                connection.FlushDone();
            }
        }
    }
}
