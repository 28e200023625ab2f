namespace Chat.Shared;

/// <summary>The server's HTTP paths.</summary>
public static class ChatRoutes
{
    /// <summary>The SignalR hub.</summary>
    public const string Hub = "/hubs/chat";

    /// <summary>Guest login: POST <c>{"userName":"alice"}</c>.</summary>
    public const string GuestToken = "/api/auth/token";

    /// <summary>Liveness.</summary>
    public const string Health = "/healthz";

    /// <summary>Readiness.</summary>
    public const string Ready = "/readyz";

    /// <summary>Prometheus metrics.</summary>
    public const string Metrics = "/metrics";
}
