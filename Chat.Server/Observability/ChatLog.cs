namespace Chat.Server.Observability;

/// <summary>Every log line of the chat server, with stable event ids.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(1, LogLevel.Information, "Chat server listening on {Addresses}; history store: {Provider}; backplane: {Backplane}.", EventName = "Listening")]
    public static partial void Listening(ILogger logger, string addresses, string provider, string backplane);

    [LoggerMessage(2, LogLevel.Information, "Generated a new guest-token signing key at {Path}.", EventName = "SigningKeyGenerated")]
    public static partial void SigningKeyGenerated(ILogger logger, string path);

    [LoggerMessage(3, LogLevel.Information, "History store migrated ({Provider}).", EventName = "HistoryMigrated")]
    public static partial void HistoryMigrated(ILogger logger, string provider);

    [LoggerMessage(4, LogLevel.Information, "Warmed up in {Seconds:F1} s ({Methods} methods compiled); ready.", EventName = "WarmedUp")]
    public static partial void WarmedUp(ILogger logger, double seconds, long methods);

    [LoggerMessage(5, LogLevel.Warning, "The start-up warm-up failed after {Seconds:F1} s; ready, but the first requests will be slow.", EventName = "WarmUpFailed")]
    public static partial void WarmUpFailed(ILogger logger, double seconds, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Warm-up step {Step} took {Seconds:F2} s ({Methods} methods compiled).", EventName = "WarmUpStep")]
    public static partial void WarmUpStep(ILogger logger, string step, double seconds, long methods);

    [LoggerMessage(7, LogLevel.Debug, "Warm-up rehearsal round {Round} took {Seconds:F2} s ({Methods} methods compiled).", EventName = "WarmUpRound")]
    public static partial void WarmUpRound(ILogger logger, int round, double seconds, long methods);

    [LoggerMessage(10, LogLevel.Debug, "Rejected {Method}: {Code}.", EventName = "InvocationRejected")]
    public static partial void InvocationRejected(ILogger logger, string method, string code);

    [LoggerMessage(11, LogLevel.Error, "Hub method {Method} failed.", EventName = "InvocationFailed")]
    public static partial void InvocationFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(20, LogLevel.Error, "History store commit of {Count} change(s) failed; attempt {Attempt}.", EventName = "CommitFailed")]
    public static partial void CommitFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "Broadcast of change {Room}#{EventSequence} failed; clients recover it from the change log.", EventName = "BroadcastFailed")]
    public static partial void BroadcastFailed(ILogger logger, string room, long eventSequence, Exception exception);

    [LoggerMessage(22, LogLevel.Warning, "Checkpoint after a delete failed; the deleted text leaves the write-ahead log at the next checkpoint.", EventName = "CheckpointFailed")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(23, LogLevel.Warning, "The history store refused a change ({Change}) of {UserId} in room {Room}; it alone was answered invalid_request.", EventName = "ChangeRefused")]
    public static partial void ChangeRefused(ILogger logger, string change, string userId, string room, Exception exception);

    [LoggerMessage(24, LogLevel.Warning, "Background checkpoint of the write-ahead log failed; the writer checkpoints it itself once it is long.", EventName = "BackgroundCheckpointFailed")]
    public static partial void BackgroundCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(30, LogLevel.Warning, "Typing broadcast for {Room} failed.", EventName = "TypingBroadcastFailed")]
    public static partial void TypingBroadcastFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(31, LogLevel.Warning, "Reporting the activity of large rooms failed; trying again in a second.", EventName = "RoomActivityFailed")]
    public static partial void RoomActivityFailed(ILogger logger, Exception exception);

    [LoggerMessage(100, LogLevel.Warning, "Redis connection to {EndPoint} ({ConnectionType}) failed: {FailureType}. Serving local clients; reconnecting.", EventName = "RedisConnectionFailed")]
    public static partial void RedisConnectionFailed(ILogger logger, string endPoint, string connectionType, string failureType);

    [LoggerMessage(101, LogLevel.Information, "Redis connection to {EndPoint} ({ConnectionType}) restored.", EventName = "RedisConnectionRestored")]
    public static partial void RedisConnectionRestored(ILogger logger, string endPoint, string connectionType);

    [LoggerMessage(102, LogLevel.Warning, "Presence store unavailable during {Operation}; answering from this node's connections until Redis is back.", EventName = "PresenceStoreUnavailable")]
    public static partial void PresenceStoreUnavailable(ILogger logger, string operation, Exception exception);

    [LoggerMessage(103, LogLevel.Information, "Presence of node {Node} written back to Redis: {Connections} connection(s).", EventName = "PresenceResynchronised")]
    public static partial void PresenceResynchronised(ILogger logger, string node, int connections);

    [LoggerMessage(104, LogLevel.Warning, "Node {Node} let its presence lease expire; removed {Connections} of its connection(s).", EventName = "NodeExpired")]
    public static partial void NodeExpired(ILogger logger, string node, int connections);

    [LoggerMessage(105, LogLevel.Warning, "Presence lease of node {Node} could not be renewed.", EventName = "PresenceLeaseFailed")]
    public static partial void PresenceLeaseFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(106, LogLevel.Warning, "Presence announcement to {Room} failed.", EventName = "PresenceAnnouncementFailed")]
    public static partial void PresenceAnnouncementFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(107, LogLevel.Information, "Backplane connected: {Connections} local connection(s) subscribed; sends reach every node again.", EventName = "BackplaneConnected")]
    public static partial void BackplaneConnected(ILogger logger, int connections);

    [LoggerMessage(108, LogLevel.Warning, "Backplane dropped: sends reach this node's connections only until Redis is back.", EventName = "BackplaneDropped")]
    public static partial void BackplaneDropped(ILogger logger, Exception? exception);

    [LoggerMessage(109, LogLevel.Warning, "Backplane could not be connected; this node serves its own clients and tries again.", EventName = "BackplaneConnectFailed")]
    public static partial void BackplaneConnectFailed(ILogger logger, Exception exception);

    [LoggerMessage(200, LogLevel.Warning, "Refused a request to {Path} from origin {Origin}: not an allowed origin.", EventName = "OriginRefused")]
    public static partial void OriginRefused(ILogger logger, string origin, string path);

    [LoggerMessage(201, LogLevel.Warning, "Closed a new connection of {UserId}: the user has {Limit} connections open already.", EventName = "ConnectionLimitReached")]
    public static partial void ConnectionLimitReached(ILogger logger, string userId, int limit);

    [LoggerMessage(202, LogLevel.Warning, "Closed connection {ConnectionId} from {RemoteEndPoint}: it has not read the server's writes for {Seconds:F1} s.", EventName = "StalledConnectionClosed")]
    public static partial void StalledConnectionClosed(ILogger logger, string connectionId, string? remoteEndPoint, double seconds);

    [LoggerMessage(300, LogLevel.Debug, "Group commit stored {Count} change(s) in {ElapsedMilliseconds:F1} ms.", EventName = "GroupCommitted")]
    public static partial void GroupCommitted(ILogger logger, int count, double elapsedMilliseconds);

    [LoggerMessage(301, LogLevel.Warning, "Hub method {Method} took {ElapsedMilliseconds:F0} ms.", EventName = "SlowInvocation")]
    public static partial void SlowInvocation(ILogger logger, string method, double elapsedMilliseconds);

    [LoggerMessage(302, LogLevel.Information, "Backplane link is {State}.", EventName = "BackplaneStateChanged")]
    public static partial void BackplaneStateChanged(ILogger logger, string state);

    [LoggerMessage(400, LogLevel.Warning, "Could not tell the other nodes that a user left room {Room}; their connections there stay until they reconnect.", EventName = "EvictionNotPublished")]
    public static partial void EvictionNotPublished(ILogger logger, string room, Exception exception);

    [LoggerMessage(401, LogLevel.Error, "Ending a removed user's subscriptions to room {Room} failed.", EventName = "EvictionFailed")]
    public static partial void EvictionFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(402, LogLevel.Warning, "Could not remember user {UserId}; rooms cannot name them until they connect again.", EventName = "UserNotRemembered")]
    public static partial void UserNotRemembered(ILogger logger, string userId, Exception exception);

    [LoggerMessage(500, LogLevel.Warning, "Sending a notification to user {UserId} failed; it stays stored for GetNotifications.", EventName = "NotificationFailed")]
    public static partial void NotificationFailed(ILogger logger, string userId, Exception exception);

    [LoggerMessage(501, LogLevel.Warning, "Storing {Count} read pointer(s) failed (attempt {Attempt}).", EventName = "ReadPointersFailed")]
    public static partial void ReadPointersFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(502, LogLevel.Warning, "Sending the read state of room {Room} failed.", EventName = "ReadStateBroadcastFailed")]
    public static partial void ReadStateBroadcastFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(600, LogLevel.Debug, "User {UserId} uploaded attachment {AttachmentId}: {ContentType}, {Size} bytes.", EventName = "AttachmentUploaded")]
    public static partial void AttachmentUploaded(ILogger logger, string userId, string attachmentId, string contentType, long size);

    [LoggerMessage(601, LogLevel.Information, "Refused an upload of user {UserId}: larger than {MaxBytes} bytes.", EventName = "AttachmentTooLarge")]
    public static partial void AttachmentTooLarge(ILogger logger, string userId, long maxBytes);

    [LoggerMessage(602, LogLevel.Information, "Attachment cleanup removed {Unposted} unposted upload(s) and {Orphans} file(s) without a row.", EventName = "AttachmentsCleanedUp")]
    public static partial void AttachmentsCleanedUp(ILogger logger, int unposted, int orphans);

    [LoggerMessage(603, LogLevel.Warning, "Attachment cleanup failed; it tries again in {Interval}.", EventName = "AttachmentCleanupFailed")]
    public static partial void AttachmentCleanupFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(604, LogLevel.Warning, "Attachment {AttachmentId} has a row but no stored bytes.", EventName = "AttachmentBytesMissing")]
    public static partial void AttachmentBytesMissing(ILogger logger, string attachmentId);

    [LoggerMessage(620, LogLevel.Warning, "Removing the files of {Count} attachment(s) of a deleted message failed; cleanup removes them later.", EventName = "AttachmentFilesNotDeleted")]
    public static partial void AttachmentFilesNotDeleted(ILogger logger, int count, Exception exception);

    [LoggerMessage(700, LogLevel.Warning, "Indexing new messages for search failed; the next pass retries them.", EventName = "SearchIndexingFailed")]
    public static partial void SearchIndexingFailed(ILogger logger, Exception exception);

    [LoggerMessage(800, LogLevel.Debug, "Rejected API request {Method} {Path}: {Code}.", EventName = "ApiRequestRejected")]
    public static partial void ApiRequestRejected(ILogger logger, string method, string path, string code);

    [LoggerMessage(801, LogLevel.Information, "Bot {BotId} created as user {UserId} by {AdminId}.", EventName = "BotCreated")]
    public static partial void BotCreated(ILogger logger, string botId, string userId, string adminId);

    [LoggerMessage(802, LogLevel.Information, "Bot {BotId} revoked by {AdminId}.", EventName = "BotRevoked")]
    public static partial void BotRevoked(ILogger logger, string botId, string adminId);

    [LoggerMessage(803, LogLevel.Warning, "A bot's API key could not be checked: the store did not answer; the request was answered 503.", EventName = "BotKeyNotChecked")]
    public static partial void BotKeyNotChecked(ILogger logger, Exception exception);

    [LoggerMessage(900, LogLevel.Information, "Administrator {UserId} registered webhook {WebhookId} to {Url}.", EventName = "WebhookCreated")]
    public static partial void WebhookCreated(ILogger logger, string userId, string webhookId, string url);

    [LoggerMessage(901, LogLevel.Information, "Administrator {UserId} deleted webhook {WebhookId}.", EventName = "WebhookDeleted")]
    public static partial void WebhookDeleted(ILogger logger, string userId, string webhookId);

    [LoggerMessage(902, LogLevel.Information, "Webhook {WebhookId} failed to take change {EventSequence} of room {Room}: {Error} (failure {Failures}); next attempt in {Delay}.", EventName = "WebhookDeliveryFailed")]
    public static partial void WebhookDeliveryFailed(ILogger logger, string webhookId, string room, long eventSequence, string error, int failures, TimeSpan delay);

    [LoggerMessage(903, LogLevel.Warning, "Webhook {WebhookId} to {Url} is disabled: it has failed since {FailingSince:O} (last: {Error}).", EventName = "WebhookDisabled")]
    public static partial void WebhookDisabled(ILogger logger, string webhookId, string url, DateTime failingSince, string error);

    [LoggerMessage(904, LogLevel.Information, "Webhook {WebhookId} delivers again after {Failures} failure(s) since {FailingSince:O}.", EventName = "WebhookRecovered")]
    public static partial void WebhookRecovered(ILogger logger, string webhookId, int failures, DateTime failingSince);

    [LoggerMessage(905, LogLevel.Warning, "Looking for webhook work failed; the next poll in {Interval} tries again.", EventName = "WebhookLoopFailed")]
    public static partial void WebhookLoopFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(906, LogLevel.Warning, "Delivering webhook {WebhookId} stopped on an error; the next poll resumes it.", EventName = "WebhookWorkerFailed")]
    public static partial void WebhookWorkerFailed(ILogger logger, string webhookId, Exception exception);

    [LoggerMessage(907, LogLevel.Information, "Administrator {UserId} enabled webhook {WebhookId} again.", EventName = "WebhookEnabled")]
    public static partial void WebhookEnabled(ILogger logger, string userId, string webhookId);

    [LoggerMessage(1000, LogLevel.Debug, "Call {CallId} rings in {Room}.", EventName = "CallStarted")]
    public static partial void CallStarted(ILogger logger, string callId, string room);

    [LoggerMessage(1001, LogLevel.Debug, "Call {CallId} answered.", EventName = "CallAnswered")]
    public static partial void CallAnswered(ILogger logger, string callId);

    [LoggerMessage(1002, LogLevel.Debug, "Call {CallId} ended: {Reason}.", EventName = "CallEnded")]
    public static partial void CallEnded(ILogger logger, string callId, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Ending call {CallId} failed; it ends by its TTL.", EventName = "CallEndFailed")]
    public static partial void CallEndFailed(ILogger logger, string callId, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning, "The call sweep failed; the next round tries again.", EventName = "CallSweepFailed")]
    public static partial void CallSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "The end of call {CallId} was not published to the other nodes; their ringing connections ring until the ring timeout.", EventName = "CallSignalNotPublished")]
    public static partial void CallSignalNotPublished(ILogger logger, string callId, Exception exception);

    [LoggerMessage(1006, LogLevel.Warning, "Telling this node's connections that call {CallId} ended failed.", EventName = "CallSignalFailed")]
    public static partial void CallSignalFailed(ILogger logger, string callId, Exception exception);
}
