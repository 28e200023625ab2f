using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Chat.Server.Api;
using Chat.Server.Auth;
using Chat.Server.History;
using Chat.Server.Observability;
using Chat.Shared;
using Microsoft.Extensions.Options;

namespace Chat.Server.Webhooks;

/// <summary>The administrators' webhook API: register (the secret is shown once), list with delivery state, delete.</summary>
internal static class WebhookEndpoints
{
    private static readonly HashSet<string> KnownEvents = [.. RoomEventTypes.All];

    public static void Map(WebApplication app)
    {
        var webhooks = ApiExtensions.Describe(app.MapGroup(ChatApiRoutes.Webhooks))
            .RequireAuthorization(AdminAuthorization.PolicyName)
            .WithTags("Webhooks");
        webhooks.MapPost("", CreateAsync)
            .WithSummary("Registers a webhook; its signing secret is in the answer, and only there.")
            .Produces<WebhookCreated>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        webhooks.MapGet("", ListAsync)
            .WithSummary("Every webhook with its delivery state, without secrets.");
        webhooks.MapDelete("{id}", DeleteAsync)
            .WithSummary("Removes a webhook and its delivery state.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("{id}/enable", EnableAsync)
            .WithSummary("Enables a disabled webhook again: it resumes where it stopped, with its secret, backlog and all.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>Why the request is refused, or null; its rooms come back normalized (lower case, once each).</summary>
    public static string? Validate(CreateWebhookRequest? request, out Uri? url, out string[]? rooms)
    {
        url = null;
        rooms = null;
        if (request is null || string.IsNullOrWhiteSpace(request.Url) || !Uri.TryCreate(request.Url, UriKind.Absolute, out url))
        {
            return "url must be an absolute http or https URL";
        }

        if (WebhookTargets.ShapeError(url) is { } shape)
        {
            return shape;
        }

        if (request.Events is not { Length: > 0 } events || !events.All(e => e is not null && KnownEvents.Contains(e)))
        {
            return $"events must name one or more of: {string.Join(", ", KnownEvents)}";
        }

        if (request.Rooms is { } named)
        {
            if (named.Length is 0 or > ChatLimits.MaxWebhookRooms || !named.All(ChatRules.IsValidRoomName))
            {
                return $"rooms, when given, must be 1 to {ChatLimits.MaxWebhookRooms} room names (1-64 characters of a-z, 0-9, _ and -)";
            }

            rooms = [.. named.Select(ChatRules.NormalizeRoomName).Distinct(StringComparer.Ordinal)];
        }

        return null;
    }

    private static async Task<IResult> CreateAsync(
        CreateWebhookRequest? request,
        ClaimsPrincipal user,
        WebhookStore store,
        WebhookTargets targets,
        IOptions<WebhooksOptions> options,
        TimeProvider time,
        ILogger<WebhookStore> logger,
        CancellationToken cancellationToken)
    {
        if (Validate(request, out var url, out var rooms) is { } invalid)
        {
            return InvalidRequest(invalid);
        }

        if (await targets.CheckAsync(url!, cancellationToken) is { } refused)
        {
            return InvalidRequest($"webhooks may not target {refused}");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var createdBy = user.FindFirst(ChatClaims.UserId)!.Value;
        var webhook = new WebhookRecord
        {
            Id = id,
            Url = url!.OriginalString,
            Events = JsonSerializer.Serialize(request!.Events.Distinct(StringComparer.Ordinal)),
            Rooms = rooms is null ? null : JsonSerializer.Serialize(rooms),
            Secret = secret,
            CreatedBy = createdBy,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            LeaseUntil = DateTime.UnixEpoch,
        };
        if (!await store.CreateAsync(webhook, rooms, options.Value.MaxWebhooks, cancellationToken))
        {
            return InvalidRequest($"the server keeps at most {options.Value.MaxWebhooks} webhooks (Webhooks:MaxWebhooks); delete one first");
        }

        ChatLog.WebhookCreated(logger, createdBy, id, webhook.Url);
        return Results.Created($"{ChatApiRoutes.Webhooks}/{id}", new WebhookCreated(id, secret));
    }

    private static async Task<WebhookInfo[]> ListAsync(WebhookStore store, CancellationToken cancellationToken) =>
        await store.DescribeAsync(cancellationToken);

    private static async Task<IResult> DeleteAsync(
        string id, ClaimsPrincipal user, WebhookStore store, WebhookSignal signal, ILogger<WebhookStore> logger, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(id, cancellationToken))
        {
            return ChatProblems.Problem(ChatErrorCodes.NotFound, "There is no such webhook.");
        }

        signal.Deleted(id);
        ChatLog.WebhookDeleted(logger, user.FindFirst(ChatClaims.UserId)!.Value, id);
        return Results.NoContent();
    }

    private static async Task<IResult> EnableAsync(string id, ClaimsPrincipal user, WebhookStore store, ILogger<WebhookStore> logger, CancellationToken cancellationToken)
    {
        if (!await store.EnableAsync(id, cancellationToken))
        {
            return ChatProblems.Problem(ChatErrorCodes.NotFound, "There is no such webhook.");
        }

        ChatLog.WebhookEnabled(logger, user.FindFirst(ChatClaims.UserId)!.Value, id);
        return Results.NoContent();
    }

    private static IResult InvalidRequest(string detail) => ChatProblems.Problem(ChatErrorCodes.InvalidRequest, detail);
}
