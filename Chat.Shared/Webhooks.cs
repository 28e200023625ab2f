using MessagePack;

namespace Chat.Shared;

/// <summary>A webhook as GET <see cref="ChatApiRoutes.Webhooks"/> lists it: never its secret.</summary>
/// <param name="Id">The webhook's id, to remove it with DELETE <c>{Webhooks}/{id}</c>.</param>
/// <param name="Url">Where changes are POSTed.</param>
/// <param name="Events">The <see cref="RoomEventTypes"/> delivered.</param>
/// <param name="Rooms">The rooms delivered; null: every room.</param>
/// <param name="CreatedAt">When it was registered (UTC).</param>
/// <param name="Enabled">False once it failed for longer than the retry horizon: nothing is delivered any more.</param>
/// <param name="FailingSince">The first failed attempt since the last success (UTC); null while deliveries succeed.</param>
/// <param name="LastError">What the last failed attempt met (status code, timeout, refused address).</param>
/// <param name="PendingEvents">Changes of its rooms not yet delivered (or filtered out), as of the last delivery pass.</param>
[MessagePackObject]
public sealed record WebhookInfo(
    [property: Key("id")] string Id,
    [property: Key("url")] string Url,
    [property: Key("events")] string[] Events,
    [property: Key("rooms")] string[]? Rooms,
    [property: Key("createdAt")] DateTime CreatedAt,
    [property: Key("enabled")] bool Enabled,
    [property: Key("failingSince")] DateTime? FailingSince,
    [property: Key("lastError")] string? LastError,
    [property: Key("pendingEvents")] long PendingEvents);
