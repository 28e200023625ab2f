using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>Every log line of the chat client, with stable event ids (3000–3099).</summary>
internal static partial class ChatClientLog
{
    [LoggerMessage(3000, LogLevel.Information, "Connected to {HubUrl}.", EventName = "Connected")]
    public static partial void Connected(ILogger logger, Uri hubUrl);

    [LoggerMessage(3001, LogLevel.Warning, "Connection lost; reconnecting.", EventName = "ConnectionLost")]
    public static partial void ConnectionLost(ILogger logger, Exception? exception);

    [LoggerMessage(3002, LogLevel.Information, "Connection attempt {Attempt} failed.", EventName = "AttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, int attempt, Exception exception);

    [LoggerMessage(3003, LogLevel.Information, "The server refused the access token (401); renewing it.", EventName = "TokenRejected")]
    public static partial void TokenRejected(ILogger logger);

    [LoggerMessage(3004, LogLevel.Debug, "Renewed the access token; it expires at {ExpiresAt}.", EventName = "TokenRenewed")]
    public static partial void TokenRenewed(ILogger logger, DateTimeOffset? expiresAt);

    [LoggerMessage(3005, LogLevel.Warning, "Renewing the access token failed; retrying.", EventName = "TokenRenewalFailed")]
    public static partial void TokenRenewalFailed(ILogger logger, Exception exception);

    [LoggerMessage(3010, LogLevel.Warning, "Could not re-join room {Room} after a reconnect.", EventName = "RejoinFailed")]
    public static partial void RejoinFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(3011, LogLevel.Debug, "Fetching missed changes of {Room} after event #{EventSequence}.", EventName = "CatchingUp")]
    public static partial void CatchingUp(ILogger logger, string room, long eventSequence);

    [LoggerMessage(3012, LogLevel.Warning, "The change log of {Room} has no events {From}–{To}; delivering what follows.", EventName = "HistoryGap")]
    public static partial void HistoryGap(ILogger logger, string room, long from, long to);

    [LoggerMessage(3013, LogLevel.Debug, "Fetching missed changes of {Room} failed; the next reconnect retries.", EventName = "CatchUpFailed")]
    public static partial void CatchUpFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(3014, LogLevel.Warning, "Too many changes of {Room} were missed to replay; joining it again (RoomReset).", EventName = "RoomReset")]
    public static partial void RoomReset(ILogger logger, string room);

    [LoggerMessage(3015, LogLevel.Information, "The server could not store the change right now (unavailable); retrying in {Delay}.", EventName = "RetryingUnavailable")]
    public static partial void RetryingUnavailable(ILogger logger, TimeSpan delay);

    [LoggerMessage(3016, LogLevel.Information, "This user is no longer a member of {Room} (removed by {ActorId}, banned: {Banned}); the client stops delivering and re-joining it.", EventName = "RemovedFromRoom")]
    public static partial void RemovedFromRoom(ILogger logger, string room, string actorId, bool banned);

    [LoggerMessage(3017, LogLevel.Information, "The server refused room {Room} ({Code}): this user was removed from it; the client stops delivering and re-joining it.", EventName = "RoomRefused")]
    public static partial void RoomRefused(ILogger logger, string room, string code, Exception exception);

    [LoggerMessage(3018, LogLevel.Warning, "Could not list this user's rooms after a reconnect; fetching every room's missed changes before re-joining it.", EventName = "MembershipsUnknown")]
    public static partial void MembershipsUnknown(ILogger logger, Exception exception);

    [LoggerMessage(3020, LogLevel.Error, "An event handler for {Event} threw.", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, string @event, Exception exception);

    [LoggerMessage(3021, LogLevel.Debug, "A typing notice for {Room} failed.", EventName = "TypingFailed")]
    public static partial void TypingFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(3022, LogLevel.Debug, "Marking {Room} read up to {Sequence}.", EventName = "MarkingRead")]
    public static partial void MarkingRead(ILogger logger, string room, long sequence);

    [LoggerMessage(3030, LogLevel.Debug, "Uploaded attachment {AttachmentId} ({Size} bytes, {ContentType}).", EventName = "AttachmentUploaded")]
    public static partial void AttachmentUploaded(ILogger logger, string attachmentId, long size, string contentType);

    [LoggerMessage(3031, LogLevel.Debug, "The server refused the URL of {Path} ({StatusCode}); opening it with the bearer token.", EventName = "AttachmentUrlRefused")]
    public static partial void AttachmentUrlRefused(ILogger logger, string path, int statusCode);
}
