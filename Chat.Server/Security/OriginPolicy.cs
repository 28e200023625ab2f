using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Chat.Server.Security;

/// <summary>
/// Refuses browser requests to the hub and the token endpoint from origins other than the server's own and
/// <see cref="SecurityOptions.AllowedOrigins"/>. CORS alone does not protect these: a browser sends a cross-origin
/// WebSocket upgrade without any preflight and the server must refuse it by its <c>Origin</c> header.
/// </summary>
internal sealed class OriginPolicy
{
    public const string CorsPolicyName = "chat-origins";

    private readonly HashSet<string> _allowed;
    private readonly ChatMetrics _metrics;
    private readonly ILogger<OriginPolicy> _logger;

    public OriginPolicy(IOptions<SecurityOptions> options, ChatMetrics metrics, ILogger<OriginPolicy> logger)
    {
        _allowed = new HashSet<string>(options.Value.AllowedOrigins.Select(Normalize), StringComparer.OrdinalIgnoreCase);
        _metrics = metrics;
        _logger = logger;
    }

    public IReadOnlyCollection<string> AllowedOrigins => _allowed;

    public static bool AppliesTo(PathString path) =>
        path.StartsWithSegments(ChatRoutes.Hub) || path.StartsWithSegments(ChatRoutes.GuestToken);

    /// <summary>True when the request carries no <c>Origin</c> header, its own origin, or an allowed one.</summary>
    public bool IsAllowed(HttpRequest request)
    {
        var origin = request.Headers[HeaderNames.Origin].ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        var own = request.Scheme + "://" + request.Host.Value;
        return string.Equals(Normalize(origin), own, StringComparison.OrdinalIgnoreCase) || _allowed.Contains(Normalize(origin));
    }

    /// <summary>
    /// Not async on the way through: a WebSocket request stays in this call for the life of its connection, and an
    /// awaiting frame would stay allocated with it.
    /// </summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next) =>
        !AppliesTo(context.Request.Path) || IsAllowed(context.Request) ? next(context) : RefuseAsync(context);

    private async Task RefuseAsync(HttpContext context)
    {
        _metrics.SecurityRefusal(ChatErrorCodes.OriginNotAllowed);
        ChatLog.OriginRefused(_logger, context.Request.Headers[HeaderNames.Origin].ToString(), context.Request.Path);
        await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: ChatErrorCodes.OriginNotAllowed,
                detail: "This origin may not use the chat server; ask its operator to add it to Security:AllowedOrigins.",
                extensions: new Dictionary<string, object?> { ["code"] = ChatErrorCodes.OriginNotAllowed })
            .ExecuteAsync(context);
    }

    private static string Normalize(string origin) => origin.Trim().TrimEnd('/');
}
