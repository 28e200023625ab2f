namespace Chat.Shared;

/// <summary>The limits of the wire contract.</summary>
public static class ChatLimits
{
    /// <summary>Longest room name.</summary>
    public const int MaxRoomNameLength = 64;

    /// <summary>Longest user name.</summary>
    public const int MaxUserNameLength = 32;

    /// <summary>Longest message, in characters after trimming.</summary>
    public const int MaxMessageLength = 4000;

    /// <summary>Rooms one connection may be in at once.</summary>
    public const int MaxRoomsPerConnection = 100;

    /// <summary>Messages returned by <see cref="IChatHub.JoinRoom"/>.</summary>
    public const int RecentMessagesOnJoin = 50;

    /// <summary>Largest <c>limit</c> of <see cref="IChatHub.GetHistory"/>.</summary>
    public const int MaxHistoryPage = 200;

    /// <summary>Largest <c>limit</c> of <see cref="IChatHub.GetMessagesSince"/>.</summary>
    public const int MaxMessagesSincePage = 500;

    /// <summary>Largest hub message the server accepts, in bytes.</summary>
    public const int MaxHubMessageBytes = 64 * 1024;

    /// <summary>Seconds after the last <c>SetTyping(true)</c> when the server ends a typing state.</summary>
    public const int TypingTimeoutSeconds = 5;

    /// <summary>Default sustained send rate per user, messages per second.</summary>
    public const int DefaultMessagesPerSecond = 10;

    /// <summary>Default send burst per user.</summary>
    public const int DefaultMessageBurst = 20;
}
