namespace Chat.Shared;

/// <summary>The server's HTTP paths.</summary>
public static class ChatRoutes
{
    /// <summary>The SignalR hub.</summary>
    public const string Hub = "/hubs/chat";

    /// <summary>Guest login: POST <c>{"userName":"alice"}</c>.</summary>
    public const string GuestToken = "/api/auth/token";

    /// <summary>
    /// Uploads: POST <c>multipart/form-data</c> with one <c>file</c> and a bearer token, answering 201 with an
    /// <see cref="Attachment"/>. An attachment is fetched at <c>{Attachments}/{id}</c> (its signed
    /// <see cref="Attachment.Url"/>, or with the bearer token of someone who may read its room).
    /// </summary>
    public const string Attachments = "/api/attachments";

    /// <summary>Liveness.</summary>
    public const string Health = "/healthz";

    /// <summary>Readiness.</summary>
    public const string Ready = "/readyz";

    /// <summary>Prometheus metrics.</summary>
    public const string Metrics = "/metrics";
}
