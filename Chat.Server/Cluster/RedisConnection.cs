using Chat.Server.Observability;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Server.Cluster;

/// <summary>
/// The node's Redis connection for presence and the readiness check, and the maker of the backplane's own connections.
/// A node starts and keeps serving without Redis: the multiplexer reconnects by itself, and while it is down every
/// call fails at once instead of queueing, so callers fall back to what the node knows locally.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly ILogger<RedisConnection> _logger;
    private readonly RedisClusterOptions _options;

    public RedisConnection(IOptions<RedisClusterOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        _options = options.Value;
        var configuration = CreateConfiguration("chat-");
        configuration.AbortOnConnectFail = false;
        // Back within seconds of Redis: the default back-off can leave a node cut off for tens of seconds.
        configuration.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5000);
        Multiplexer = ConnectionMultiplexer.Connect(configuration);
        Multiplexer.ConnectionFailed += OnConnectionFailed;
        Multiplexer.ConnectionRestored += OnConnectionRestored;
    }

    public IConnectionMultiplexer Multiplexer { get; }

    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>
    /// A connection of its own for one SignalR backplane, which is thrown away with it when Redis fails
    /// (<see cref="ResilientRedisHubLifetimeManager{THub}"/>): it never reconnects by itself, so no subscription of a
    /// dropped backplane can come back to life. Throws when Redis cannot be reached.
    /// </summary>
    public async Task<IConnectionMultiplexer> ConnectBackplaneAsync()
    {
        var configuration = CreateConfiguration("chat-backplane-");
        configuration.AbortOnConnectFail = true;
        configuration.ConnectRetry = 1;
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    public void Dispose()
    {
        Multiplexer.ConnectionFailed -= OnConnectionFailed;
        Multiplexer.ConnectionRestored -= OnConnectionRestored;
        Multiplexer.Dispose();
    }

    private ConfigurationOptions CreateConfiguration(string clientNamePrefix)
    {
        var configuration = ConfigurationOptions.Parse(_options.Configuration);
        // While Redis is down every call fails at once instead of queueing, so callers fall back to what the node knows.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ChannelPrefix = RedisChannel.Literal(_options.ChannelPrefix + ":");
        configuration.ClientName ??= clientNamePrefix + Environment.MachineName;
        return configuration;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        ChatLog.RedisConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString(), e.FailureType.ToString());
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        ChatLog.RedisConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString());
    }
}
