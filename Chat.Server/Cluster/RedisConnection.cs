using Chat.Server.Observability;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Server.Cluster;

/// <summary>
/// The node's one Redis connection, shared by the SignalR backplane, presence and the readiness check.
/// A node starts and keeps serving without Redis: the multiplexer reconnects by itself, and while it is down every
/// call fails at once instead of queueing, so callers fall back to what the node knows locally.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly ILogger<RedisConnection> _logger;
    private readonly BackplaneStatus _backplane;

    public RedisConnection(IOptions<RedisClusterOptions> options, BackplaneStatus backplane, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        _backplane = backplane;
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // Back within seconds of Redis: the default back-off can leave a node cut off for tens of seconds.
        configuration.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5000);
        configuration.ChannelPrefix = RedisChannel.Literal(options.Value.ChannelPrefix + ":");
        configuration.ClientName ??= "chat-" + Environment.MachineName;
        Multiplexer = ConnectionMultiplexer.Connect(configuration);
        Multiplexer.ConnectionFailed += OnConnectionFailed;
        Multiplexer.ConnectionRestored += OnConnectionRestored;
        _backplane.Connected = Multiplexer.IsConnected;
    }

    public IConnectionMultiplexer Multiplexer { get; }

    public IDatabase Database => Multiplexer.GetDatabase();

    public void Dispose()
    {
        Multiplexer.ConnectionFailed -= OnConnectionFailed;
        Multiplexer.ConnectionRestored -= OnConnectionRestored;
        Multiplexer.Dispose();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        _backplane.Connected = false;
        ChatLog.RedisConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString(), e.FailureType.ToString());
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _backplane.Connected = Multiplexer.IsConnected;
        ChatLog.RedisConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString());
    }
}
