using MessagePack;

namespace Chat.Shared;

/// <summary>
/// The server API's HTTP paths (contract v2, section 6). Bots send <c>Authorization: Bot &lt;apiKey&gt;</c>;
/// administrators (<c>Admin:UserIds</c>) use their bearer token. Every refusal is problem details whose <c>code</c>
/// member holds one of <see cref="ChatErrorCodes"/>.
/// </summary>
public static class ChatApiRoutes
{
    /// <summary>The authorization scheme of a bot's API key: <c>Authorization: Bot &lt;apiKey&gt;</c>.</summary>
    public const string BotScheme = "Bot";

    /// <summary>The header whose value becomes the posted message's <c>clientMessageId</c>.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>
    /// POST <see cref="CreateBotRequest"/> (admin) → 201 <see cref="BotCreated"/>; GET (admin) → <see cref="BotSummary"/>[];
    /// DELETE <c>{Bots}/{botId}</c> revokes.
    /// </summary>
    public const string Bots = "/api/bots";

    /// <summary>
    /// POST <see cref="CreateWebhookRequest"/> (admin) → 201 <see cref="WebhookCreated"/>; GET → <see cref="WebhookInfo"/>[];
    /// DELETE <c>{Webhooks}/{id}</c> removes one; POST <c>{Webhooks}/{id}/enable</c> resumes a disabled one.
    /// </summary>
    public const string Webhooks = "/api/webhooks";

    /// <summary>The rooms of the API: <c>{Rooms}/{room}/messages</c>, <c>…/events</c>, <c>…/members</c>.</summary>
    public const string Rooms = "/api/rooms";

    /// <summary>The OpenAPI document of the HTTP API.</summary>
    public const string OpenApiDocument = "/openapi/v1.json";
}

/// <summary>The body of POST <see cref="ChatApiRoutes.Bots"/>.</summary>
/// <param name="Name">The bot's user name, by the rules of user names (<see cref="ChatRules.IsValidUserName"/>).</param>
[MessagePackObject]
public sealed record CreateBotRequest([property: Key("name")] string Name);

/// <summary>A new bot. The key is shown this once: the server keeps only its hash.</summary>
/// <param name="BotId">The bot's id, to revoke it with DELETE <c>{Bots}/{botId}</c>.</param>
/// <param name="UserId">The user the bot acts as: its messages, reactions and memberships are this user's.</param>
/// <param name="ApiKey">The secret to send as <c>Authorization: Bot &lt;apiKey&gt;</c>.</param>
[MessagePackObject]
public sealed record BotCreated(
    [property: Key("botId")] string BotId,
    [property: Key("userId")] string UserId,
    [property: Key("apiKey")] string ApiKey);

/// <summary>A bot as GET <see cref="ChatApiRoutes.Bots"/> lists it (administrators only): never its key.</summary>
/// <param name="BotId">The bot's id, to revoke it with DELETE <c>{Bots}/{botId}</c>.</param>
/// <param name="UserId">The user the bot acts as.</param>
/// <param name="Name">The bot's name, as given when it was created.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="CreatedBy">The administrator who created it.</param>
[MessagePackObject]
public sealed record BotSummary(
    [property: Key("botId")] string BotId,
    [property: Key("userId")] string UserId,
    [property: Key("name")] string Name,
    [property: Key("createdAt")] DateTime CreatedAt,
    [property: Key("createdBy")] string CreatedBy);

/// <summary>The body of POST <see cref="ChatApiRoutes.Webhooks"/>.</summary>
/// <param name="Url">An https (or http) URL the server POSTs each matching <see cref="RoomEvent"/> to.</param>
/// <param name="Events">The <see cref="RoomEventTypes"/> to deliver.</param>
/// <param name="Rooms">Only these rooms; every room when absent.</param>
[MessagePackObject]
public sealed record CreateWebhookRequest(
    [property: Key("url")] string Url,
    [property: Key("events")] string[] Events,
    [property: Key("rooms")] string[]? Rooms = null);

/// <summary>A registered webhook.</summary>
/// <param name="Id">The webhook's id.</param>
/// <param name="Secret">The Standard Webhooks signing secret (<c>whsec_…</c>), shown this once.</param>
[MessagePackObject]
public sealed record WebhookCreated(
    [property: Key("id")] string Id,
    [property: Key("secret")] string Secret);

/// <summary>The body of PATCH <c>{Rooms}/{room}/messages/{id}</c>: the message's new text.</summary>
[MessagePackObject]
public sealed record EditMessageRequest([property: Key("content")] string? Content);
