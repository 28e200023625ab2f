using System.ComponentModel.DataAnnotations;
using Chat.Shared;

namespace Chat.Server.Calls;

/// <summary>The <c>Calls</c> section: ringing, and the STUN/TURN servers browsers are told to use.</summary>
public sealed class CallsOptions
{
    public const string SectionName = "Calls";

    /// <summary>How long a call rings unanswered before it ends with <see cref="CallEndReasons.Timeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RingTimeout { get; set; } = ChatLimits.DefaultCallRingTimeout;

    /// <summary>How long the server remembers an answered call (its signaling, not its media) without a hang-up.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MaxCallDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The STUN and TURN servers <see cref="IChatHub.GetIceServers"/> lists, in order.</summary>
    public List<IceServerOptions> IceServers { get; set; } = [];

    /// <summary>
    /// The secret shared with coturn (<c>use-auth-secret</c>, <c>static-auth-secret</c>): when set, every
    /// <c>turn:</c>/<c>turns:</c> server without its own user name gets TURN REST credentials for the caller.
    /// </summary>
    public string? TurnSecret { get; set; }

    /// <summary>How long TURN REST credentials stay valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan TurnCredentialLifetime { get; set; } = TimeSpan.FromHours(12);

    public static bool HasValidIceServers(CallsOptions options) =>
        options.IceServers.All(s => s.Urls.Length > 0 && s.Urls.All(IsIceUrl));

    private static bool IsIceUrl(string url) =>
        url.StartsWith("stun:", StringComparison.Ordinal) || url.StartsWith("stuns:", StringComparison.Ordinal)
        || url.StartsWith("turn:", StringComparison.Ordinal) || url.StartsWith("turns:", StringComparison.Ordinal);
}

/// <summary>One entry of <c>Calls:IceServers</c>.</summary>
public sealed class IceServerOptions
{
    /// <summary>Its <c>stun:</c>, <c>stuns:</c>, <c>turn:</c> or <c>turns:</c> URLs.</summary>
    public string[] Urls { get; set; } = [];

    /// <summary>A fixed TURN user name (rather than TURN REST credentials from <see cref="CallsOptions.TurnSecret"/>).</summary>
    public string? Username { get; set; }

    /// <summary>The fixed TURN password that goes with <see cref="Username"/>.</summary>
    public string? Credential { get; set; }

    public bool IsTurn => Urls.Any(u => u.StartsWith("turn", StringComparison.Ordinal));
}
