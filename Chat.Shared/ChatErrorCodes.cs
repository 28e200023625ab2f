namespace Chat.Shared;

/// <summary>
/// Stable error codes. A rejected hub call fails with a HubException whose message is
/// <c>"{code}: {sentence for people}"</c>; match on the code, never on the sentence.
/// </summary>
public static class ChatErrorCodes
{
    /// <summary>The room name breaks <see cref="ChatRules.IsValidRoomName"/>.</summary>
    public const string InvalidRoomName = "invalid_room_name";

    /// <summary>Sending or typing in a room this connection has not joined.</summary>
    public const string NotAMember = "not_a_member";

    /// <summary>The message content is empty after trimming.</summary>
    public const string EmptyMessage = "empty_message";

    /// <summary>The message content is longer than <see cref="ChatLimits.MaxMessageLength"/> after trimming.</summary>
    public const string MessageTooLong = "message_too_long";

    /// <summary>The user sends faster than the configured rate.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>A paging limit outside its allowed range.</summary>
    public const string InvalidLimit = "invalid_limit";

    /// <summary>The connection has joined <see cref="ChatLimits.MaxRoomsPerConnection"/> rooms already.</summary>
    public const string TooManyRooms = "too_many_rooms";

    /// <summary>All codes, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
        [InvalidRoomName, NotAMember, EmptyMessage, MessageTooLong, RateLimited, InvalidLimit, TooManyRooms];

    /// <summary>The code at the start of a hub error message, or null when it carries none.</summary>
    public static string? FromErrorMessage(string? message)
    {
        if (message is null)
        {
            return null;
        }

        foreach (var code in All)
        {
            var at = message.IndexOf(code + ":", StringComparison.Ordinal);
            // The .NET client prefixes server messages with its own text; the code still leads the server's part.
            if (at == 0 || (at > 0 && message[at - 1] == ' '))
            {
                return code;
            }
        }

        return null;
    }
}
