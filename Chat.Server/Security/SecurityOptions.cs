using System.ComponentModel.DataAnnotations;

namespace Chat.Server.Security;

public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// Browser origins (<c>https://chat.example.com</c>) allowed to call the hub and the token endpoint besides the
    /// server's own origin. Requests without an <c>Origin</c> header (native apps, servers) are not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Open hub connections one user may hold on this node; the next one is refused with 429.</summary>
    [Range(1, 10_000)]
    public int MaxConnectionsPerUser { get; set; } = 20;

    /// <summary>Guest tokens one client address may request per minute; more are refused with 429.</summary>
    [Range(1, 1_000_000)]
    public int TokenRequestsPerMinute { get; set; } = 30;

    /// <summary>
    /// How long a connection may leave the server's writes unread (its socket buffers full) before it is closed,
    /// so a client that stops reading cannot hold server memory or a room's broadcasts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StalledWriteTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
