using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Chat.Server.Security;

/// <summary>Counts the open hub connections of each user on this node and holds them to <see cref="SecurityOptions.MaxConnectionsPerUser"/>.</summary>
public sealed class ConnectionLimiter(IOptions<SecurityOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _connectionsByUser = new(StringComparer.Ordinal);

    // Which user each counted connection is counted for. Kept here rather than in the connection's Items, which
    // SignalR creates on first use as a concurrent dictionary of its own: several hundred bytes per connection.
    private readonly ConcurrentDictionary<string, string> _userByConnection = new(StringComparer.Ordinal);

    public int MaxConnectionsPerUser { get; } = options.Value.MaxConnectionsPerUser;

    public int ConnectionsOf(string userId) => _connectionsByUser.GetValueOrDefault(userId);

    public bool IsAtLimit(string userId) => ConnectionsOf(userId) >= MaxConnectionsPerUser;

    /// <summary>True while the connection is counted: between a successful <see cref="TryAcquire"/> and its <see cref="Release"/>.</summary>
    public bool IsCounted(string connectionId) => _userByConnection.ContainsKey(connectionId);

    /// <summary>Counts the connection for its user, unless that would pass the user's limit.</summary>
    public bool TryAcquire(string connectionId, string userId)
    {
        while (true)
        {
            if (!_connectionsByUser.TryGetValue(userId, out var count))
            {
                if (_connectionsByUser.TryAdd(userId, 1))
                {
                    break;
                }

                continue;
            }

            if (count >= MaxConnectionsPerUser)
            {
                return false;
            }

            if (_connectionsByUser.TryUpdate(userId, count + 1, count))
            {
                break;
            }
        }

        _userByConnection[connectionId] = userId;
        return true;
    }

    /// <summary>Stops counting the connection; nothing happens for a connection that was not counted.</summary>
    public void Release(string connectionId)
    {
        if (!_userByConnection.TryRemove(connectionId, out var userId))
        {
            return;
        }

        while (_connectionsByUser.TryGetValue(userId, out var count))
        {
            if (count <= 1
                ? _connectionsByUser.TryRemove(new KeyValuePair<string, int>(userId, count))
                : _connectionsByUser.TryUpdate(userId, count - 1, count))
            {
                return;
            }
        }
    }
}
