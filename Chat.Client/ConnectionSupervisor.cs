using System.Net;
using System.Net.WebSockets;
using System.Runtime.ExceptionServices;
using Chat.Shared;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// Keeps one hub connection up for as long as the client is started: connects, reconnects after any loss (backoff
/// with jitter, without end), runs the recovery it is given before it reports <see cref="ChatConnectionState.Connected"/>,
/// and runs calls on whatever connection is current, again after a loss and again after <c>unavailable</c>.
/// </summary>
internal sealed class ConnectionSupervisor : IAsyncDisposable
{
    private static readonly TimeSpan LostConnectionGrace = TimeSpan.FromSeconds(10);

    private readonly ChatClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AccessTokenSource _tokens;
    private readonly Uri _hubUrl;
    private readonly Func<CancellationToken, Task> _recover;
    private readonly Action<ChatConnectionStateChangedEventArgs> _stateChanged;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private TaskCompletionSource<Session> _ready = NewReadySignal();
    private TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task? _supervisor;
    private ChatConnectionState _state;
    private bool _disposed;

    /// <param name="options">Validated options.</param>
    /// <param name="loggerFactory">Where SignalR logs.</param>
    /// <param name="time">The clock of every delay.</param>
    /// <param name="logger">Where the supervisor logs.</param>
    /// <param name="recover">Runs on each new connection before calls may use it (re-join, catch up).</param>
    /// <param name="stateChanged">Called under the supervisor's lock for every state change, in order.</param>
    public ConnectionSupervisor(
        ChatClientOptions options,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        ILogger logger,
        Func<CancellationToken, Task> recover,
        Action<ChatConnectionStateChangedEventArgs> stateChanged)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _recover = recover;
        _stateChanged = stateChanged;

        var baseUrl = options.ServerUrl!.AbsoluteUri.EndsWith('/') ? options.ServerUrl : new Uri(options.ServerUrl.AbsoluteUri + "/");
        BaseUrl = baseUrl;
        _hubUrl = new Uri(baseUrl, ChatRoutes.Hub.TrimStart('/'));
        _tokens = new AccessTokenSource(options, baseUrl, time, logger);

        // WebSockets straight away, without negotiating: one request per (re)connect instead of two, and no fallback.
        // After a restart, an overloaded server let negotiated connections expire before their WebSocket came; the
        // client then fell back to Server-Sent Events or long polling and stayed there (hundreds of 5,000 clients).
        var builder = new HubConnectionBuilder()
            .WithUrl(_hubUrl, HttpTransportType.WebSockets, http =>
            {
                http.SkipNegotiation = true;
                http.AccessTokenProvider = async () => await _tokens.GetAsync(StopToken);
            });
        builder.Services.AddSingleton(loggerFactory);
        _ = options.Protocol == ChatHubProtocol.Json ? builder.AddJsonProtocol() : builder.AddMessagePackProtocol();
        Connection = builder.Build();
        Connection.Closed += exception =>
        {
            lock (_lock)
            {
                _closed.TrySetResult(exception);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>The one hub connection, for registering callbacks and for calls during recovery.</summary>
    public HubConnection Connection { get; }

    /// <summary>The server's base address, ending in '/': the server's paths are resolved against it without their leading '/'.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The bearer tokens the hub presents, for the client's HTTP requests (uploads) as well.</summary>
    public AccessTokenSource Tokens => _tokens;

    public ChatConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The signed-in user's id, once known (see <see cref="AccessTokenSource.UserId"/>).</summary>
    public string? UserId => _tokens.UserId;

    /// <summary>Cancelled when the client stops, so that background work (a sign-in, a fetch) cannot outlive it.</summary>
    public CancellationToken StopToken
    {
        get
        {
            lock (_lock)
            {
                return _stopping?.Token ?? CancellationToken.None;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Task<Session> ready;
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(ChatClient));
            lock (_lock)
            {
                if (_stopping is null)
                {
                    var stopping = new CancellationTokenSource();
                    _stopping = stopping;
                    _ready = NewReadySignal();
                    SetState(ChatConnectionState.Connecting, null);
                    var supervising = Task.Run(() => SuperviseAsync(stopping), CancellationToken.None);
                    var renewing = Task.Run(() => _tokens.KeepFreshAsync(stopping.Token), CancellationToken.None);
                    _supervisor = Task.WhenAll(supervising, renewing);
                }

                ready = _ready.Task;
            }
        }
        finally
        {
            _lifecycle.Release();
        }

        try
        {
            await ready.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            CancellationTokenSource? stopping;
            Task? supervisor;
            lock (_lock)
            {
                stopping = _stopping;
                supervisor = _supervisor;
                _stopping = null;
                _supervisor = null;
                _ready.TrySetException(new InvalidOperationException("The chat client was stopped."));
            }

            if (stopping is null)
            {
                return;
            }

            await stopping.CancelAsync();
            await supervisor!.WaitAsync(cancellationToken);
            await Connection.StopAsync(cancellationToken);
            stopping.Dispose();
            lock (_lock)
            {
                SetState(ChatConnectionState.Disconnected, null);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Runs a hub call on the current connection. A call cut by a lost connection (also by the server closing it with
    /// an error) waits for the reconnect and runs again; so does one the server answers <see cref="ChatErrorCodes.Unavailable"/> (nothing was stored), after a
    /// backoff and for at most <see cref="ChatClientOptions.UnavailableRetryTimeout"/>. Any other refusal becomes a
    /// <see cref="ChatRequestException"/>.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<HubConnection, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var unavailableRetries = 0;
        var firstUnavailable = (long?)null;
        while (true)
        {
            Task<Session> ready;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, typeof(ChatClient));
                if (_stopping is null)
                {
                    throw new InvalidOperationException("Start the chat client (StartAsync) before calling the server.");
                }

                ready = _ready.Task;
            }

            var session = await ready.WaitAsync(cancellationToken);
            ExceptionDispatchInfo failure;
            try
            {
                return await call(Connection, cancellationToken);
            }
            catch (HubException exception) when (IsClosedUnderTheCall(exception))
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }
            catch (HubException exception)
            {
                var refused = ChatRequestException.From(exception);
                firstUnavailable ??= _time.GetTimestamp();
                if (refused.Code != ChatErrorCodes.Unavailable || _time.GetElapsedTime(firstUnavailable.Value) >= _options.UnavailableRetryTimeout)
                {
                    throw refused;
                }

                var delay = _options.Reconnect.GetDelay(unavailableRetries++, Random.Shared.NextDouble());
                ChatClientLog.RetryingUnavailable(_logger, delay);
                await Task.Delay(delay, _time, cancellationToken);
                continue;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }

            // A call cut by a lost connection goes round and runs again on the next connection; anything else fails.
            if (!await EndsSoonAsync(session, cancellationToken))
            {
                if (failure.SourceException is HubException hubException)
                {
                    throw ChatRequestException.From(hubException);
                }

                failure.Throw();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        await Connection.DisposeAsync();
        _tokens.Dispose();
    }

    private static TaskCompletionSource<Session> NewReadySignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Not an answer to the call: the server closed the connection under it with an error (a client it had not heard
    /// from in time, as when a storm of reconnects overloads it), and SignalR fails the calls under way with a
    /// HubException of its own, which carries no code of the contract.
    /// </summary>
    private static bool IsClosedUnderTheCall(HubException exception) =>
        ChatErrorCodes.FromErrorMessage(exception.Message) is null
        && exception.Message.StartsWith("The server closed the connection", StringComparison.Ordinal);

    private static bool IsUnauthorized(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: HttpStatusCode.Unauthorized } => true,
        // The WebSocket upgrade refused: the status code is only in the message ("returned status code '401' when ...").
        WebSocketException { WebSocketErrorCode: WebSocketError.NotAWebSocket } refused => refused.Message.Contains("'401'", StringComparison.Ordinal),
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnauthorized),
        _ => exception.InnerException is { } inner && IsUnauthorized(inner),
    };

    /// <summary>The reconnect loop: one connection at a time, for as long as the client is started.</summary>
    private async Task SuperviseAsync(CancellationTokenSource stopping)
    {
        var stop = stopping.Token;
        var retry = 0;
        var everConnected = false;
        var renewedAfterRefusal = false;
        while (!stop.IsCancellationRequested)
        {
            TaskCompletionSource<Exception?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _closed = closed;
            }

            try
            {
                await Connection.StartAsync(stop);
                await _recover(stop);
                var session = new Session();
                lock (_lock)
                {
                    if (_stopping != stopping)
                    {
                        return;
                    }

                    SetState(ChatConnectionState.Connected, null);
                    _ready.TrySetResult(session);
                }

                ChatClientLog.Connected(_logger, _hubUrl);
                everConnected = true;
                renewedAfterRefusal = false;

                Exception reason;
                try
                {
                    reason = await closed.Task.WaitAsync(stop) ?? new IOException("The server closed the connection.");
                    lock (_lock)
                    {
                        if (_stopping != stopping)
                        {
                            return;
                        }

                        _ready = NewReadySignal();
                        SetState(ChatConnectionState.Reconnecting, reason);
                    }
                }
                finally
                {
                    // Calls cut by the loss retry once they see this, on whatever comes next.
                    session.Ended.TrySetResult();
                }

                ChatClientLog.ConnectionLost(_logger, reason);
                retry = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                await StopConnectionQuietlyAsync();
                if (IsUnauthorized(exception))
                {
                    ChatClientLog.TokenRejected(_logger);
                    if (_tokens.Current is { } refused)
                    {
                        _tokens.Invalidate(refused);
                    }

                    if (!renewedAfterRefusal)
                    {
                        // A renewed token usually fixes a 401 at once: retry without waiting, but only once in a row.
                        renewedAfterRefusal = true;
                        continue;
                    }
                }

                lock (_lock)
                {
                    if (_stopping != stopping)
                    {
                        return;
                    }

                    SetState(everConnected ? ChatConnectionState.Reconnecting : ChatConnectionState.Connecting, exception);
                }

                ChatClientLog.AttemptFailed(_logger, retry + 1, exception);
            }

            // Also before the first attempt after a loss: jitter spreads out the many clients one server restart cuts off.
            try
            {
                await Task.Delay(_options.Reconnect.GetDelay(retry++, Random.Shared.NextDouble()), _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopConnectionQuietlyAsync()
    {
        try
        {
            await Connection.StopAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            ChatClientLog.ConnectionLost(_logger, exception);
        }
    }

    private async Task<bool> EndsSoonAsync(Session session, CancellationToken cancellationToken)
    {
        try
        {
            await session.Ended.Task.WaitAsync(LostConnectionGrace, _time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Call under the lock.</summary>
    private void SetState(ChatConnectionState state, Exception? reason)
    {
        var previous = _state;
        if (previous == state && reason is null)
        {
            return;
        }

        _state = state;
        _stateChanged(new ChatConnectionStateChangedEventArgs(previous, state, reason));
    }

    private sealed class Session
    {
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
