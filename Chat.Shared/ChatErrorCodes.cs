namespace Chat.Shared;

/// <summary>
/// Stable error codes: the one list of every code a client can see. A rejected hub call fails with a HubException
/// whose message is <c>"{code}: {sentence for people}"</c>; an HTTP endpoint answers problem details whose
/// <c>code</c> member (and title) holds the code. Match on the code, never on the sentence.
/// </summary>
public static class ChatErrorCodes
{
    /// <summary>The room name breaks <see cref="ChatRules.IsValidRoomName"/>.</summary>
    public const string InvalidRoomName = "invalid_room_name";

    /// <summary>Sending, changing or typing in a room this connection has not joined.</summary>
    public const string NotAMember = "not_a_member";

    /// <summary>The message content is empty after trimming.</summary>
    public const string EmptyMessage = "empty_message";

    /// <summary>The message content is longer than <see cref="ChatLimits.MaxMessageLength"/> after trimming.</summary>
    public const string MessageTooLong = "message_too_long";

    /// <summary>The user sends or changes faster than the configured rate (also: too many token requests).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>A paging limit outside its allowed range.</summary>
    public const string InvalidLimit = "invalid_limit";

    /// <summary>The connection has joined <see cref="ChatLimits.MaxRoomsPerConnection"/> rooms already.</summary>
    public const string TooManyRooms = "too_many_rooms";

    /// <summary>The user has as many connections open as the server allows (20 by default); the new one is closed.</summary>
    public const string TooManyConnections = "too_many_connections";

    /// <summary>A browser request from an origin the server does not allow.</summary>
    public const string OriginNotAllowed = "origin_not_allowed";

    /// <summary>The caller may not do this (e.g. edit someone else's message).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The message (or other target) does not exist in that room, or no longer does.</summary>
    public const string NotFound = "not_found";

    /// <summary>A room of that name exists already.</summary>
    public const string RoomExists = "room_exists";

    /// <summary>A malformed request: a field outside its rules (e.g. an over-long <c>clientMessageId</c>).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The message is older than the server's edit window.</summary>
    public const string EditWindowExpired = "edit_window_expired";

    /// <summary>The reaction breaks <see cref="ChatRules.IsValidReaction"/>.</summary>
    public const string InvalidReaction = "invalid_reaction";

    /// <summary>The message has <see cref="ChatLimits.MaxReactionsPerMessage"/> distinct reactions already.</summary>
    public const string TooManyReactions = "too_many_reactions";

    /// <summary>The user is banned from the room.</summary>
    public const string Banned = "banned";

    /// <summary>The user is muted in the room.</summary>
    public const string Muted = "muted";

    /// <summary>The room's slow mode: the user posted too recently.</summary>
    public const string SlowMode = "slow_mode";

    /// <summary>A search query the engine cannot parse.</summary>
    public const string InvalidQuery = "invalid_query";

    /// <summary>An attachment id that is unknown, not the caller's, or already used.</summary>
    public const string InvalidAttachment = "invalid_attachment";

    /// <summary>An upload larger than the server's <c>Attachments:MaxBytes</c> (HTTP 413; nothing of it was kept), or an SDP over <see cref="ChatLimits.MaxSdpLength"/>.</summary>
    public const string TooLarge = "too_large";

    /// <summary>A call that is over or not the caller's.</summary>
    public const string CallNotFound = "call_not_found";

    /// <summary>
    /// The server could not store the change right now (disk full, store down or locked). Nothing was changed; a
    /// retry with the same <c>clientMessageId</c> is safe.
    /// </summary>
    public const string Unavailable = "unavailable";

    /// <summary>HTTP only: no credentials, or a wrong, expired or revoked token or API key (401).</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>All codes, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        InvalidRoomName, NotAMember, EmptyMessage, MessageTooLong, RateLimited, InvalidLimit, TooManyRooms,
        TooManyConnections, OriginNotAllowed, Forbidden, NotFound, RoomExists, InvalidRequest, EditWindowExpired,
        InvalidReaction, TooManyReactions, Banned, Muted, SlowMode, InvalidQuery, InvalidAttachment, CallNotFound,
        Unavailable, TooLarge, Unauthorized,
    ];

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
