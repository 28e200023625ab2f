using System.ComponentModel.DataAnnotations;

namespace Chat.Server.Cluster;

/// <summary>The <c>Redis</c> section: set <see cref="Configuration"/> to run as one node of a cluster.</summary>
public sealed class RedisClusterOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>. Empty: a single node.</summary>
    [Required]
    public string Configuration { get; set; } = "";

    /// <summary>Namespaces the backplane channels and the presence keys, so several clusters can share one Redis.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "Redis:ChannelPrefix must be 1-64 characters of letters, digits, '_', '.' and '-'.")]
    public string ChannelPrefix { get; set; } = "chat";

    /// <summary>
    /// How long a node's connections outlive its last heartbeat. With the default heartbeat, a node that dies
    /// without cleaning up is noticed and its users announced gone within lease + heartbeat (11 s), inside the
    /// 15 s the contract promises.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(9);

    /// <summary>How often a node renews its lease and looks for expired nodes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The prefix of every presence key, hash-tagged so that all of them live in one slot.</summary>
    public string PresenceKeyPrefix => "{" + ChannelPrefix + "}:presence:";

    /// <summary>Two heartbeats may be missed (a GC pause, a slow Redis) before a live node is taken for dead.</summary>
    public static bool LeaseOutlivesMissedHeartbeats(RedisClusterOptions options) =>
        options.HeartbeatInterval * 3 <= options.LeaseDuration;
}
