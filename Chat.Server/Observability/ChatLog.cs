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

    [LoggerMessage(10, LogLevel.Debug, "Rejected {Method}: {Code}.", EventName = "InvocationRejected")]
    public static partial void InvocationRejected(ILogger logger, string method, string code);

    [LoggerMessage(11, LogLevel.Error, "Hub method {Method} failed.", EventName = "InvocationFailed")]
    public static partial void InvocationFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(20, LogLevel.Error, "History store commit of {Count} message(s) failed; attempt {Attempt}.", EventName = "CommitFailed")]
    public static partial void CommitFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "Broadcast of message {Room}#{Sequence} failed; clients recover it from history.", EventName = "BroadcastFailed")]
    public static partial void BroadcastFailed(ILogger logger, string room, long sequence, Exception exception);

    [LoggerMessage(30, LogLevel.Warning, "Typing broadcast for {Room} failed.", EventName = "TypingBroadcastFailed")]
    public static partial void TypingBroadcastFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(300, LogLevel.Debug, "Group commit stored {Count} message(s) in {ElapsedMilliseconds:F1} ms.", EventName = "GroupCommitted")]
    public static partial void GroupCommitted(ILogger logger, int count, double elapsedMilliseconds);

    [LoggerMessage(301, LogLevel.Warning, "Hub method {Method} took {ElapsedMilliseconds:F0} ms.", EventName = "SlowInvocation")]
    public static partial void SlowInvocation(ILogger logger, string method, double elapsedMilliseconds);

    [LoggerMessage(302, LogLevel.Information, "Backplane link is {State}.", EventName = "BackplaneStateChanged")]
    public static partial void BackplaneStateChanged(ILogger logger, string state);
}
