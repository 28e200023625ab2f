using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Chat.Server.Security;

/// <summary>Counts the open hub connections of each user on this node and holds them to <see cref="SecurityOptions.MaxConnectionsPerUser"/>.</summary>
public sealed class ConnectionLimiter(IOptions<SecurityOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _connectionsByUser = new(StringComparer.Ordinal);

    public int MaxConnectionsPerUser { get; } = options.Value.MaxConnectionsPerUser;

    public int ConnectionsOf(string userId) => _connectionsByUser.GetValueOrDefault(userId);

    public bool IsAtLimit(string userId) => ConnectionsOf(userId) >= MaxConnectionsPerUser;

    /// <summary>Counts one more connection of the user, unless that would pass the limit.</summary>
    public bool TryAcquire(string userId)
    {
        while (true)
        {
            if (!_connectionsByUser.TryGetValue(userId, out var count))
            {
                if (_connectionsByUser.TryAdd(userId, 1))
                {
                    return true;
                }

                continue;
            }

            if (count >= MaxConnectionsPerUser)
            {
                return false;
            }

            if (_connectionsByUser.TryUpdate(userId, count + 1, count))
            {
                return true;
            }
        }
    }

    public void Release(string userId)
    {
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
