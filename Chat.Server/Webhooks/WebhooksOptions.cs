using System.ComponentModel.DataAnnotations;

namespace Chat.Server.Webhooks;

public sealed class WebhooksOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Lets webhook URLs reach loopback, private, link-local and metadata addresses and the server itself. Off in
    /// production: a webhook is an HTTP request the server makes on an administrator's behalf (SSRF).
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long one delivery attempt may take, connect to last byte: a hanging receiver costs this much once.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the first retry; each further failure doubles it (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A webhook that has failed for this long without one success is disabled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RetryHorizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How often every node looks for work without being woken: changes committed by other nodes, due retries,
    /// leases of dead nodes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a node's claim on a webhook lasts unless renewed; a dead node's webhooks move on after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Changes read from a room's log at once.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Webhooks the server keeps at most.</summary>
    [Range(1, 10_000)]
    public int MaxWebhooks { get; set; } = 100;
}
