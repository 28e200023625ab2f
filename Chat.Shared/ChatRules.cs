using System.Text.RegularExpressions;

namespace Chat.Shared;

/// <summary>Name rules shared by server and clients, so clients can check before they call.</summary>
public static partial class ChatRules
{
    /// <summary>1–64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit; compared case-insensitively.</summary>
    public static bool IsValidRoomName(string? room) => room is not null && RoomNamePattern().IsMatch(room);

    /// <summary>The canonical (lower-case) form of a valid room name.</summary>
    public static string NormalizeRoomName(string room) => room.ToLowerInvariant();

    /// <summary>1–32 characters of letters, digits, '_', '-', '.'.</summary>
    public static bool IsValidUserName(string? userName) => userName is not null && UserNamePattern().IsMatch(userName);

    /// <summary>A call id: 8–64 characters of a-z, A-Z, 0-9, '_' and '-' (a UUID fits), compared exactly.</summary>
    public static bool IsValidCallId(string? callId) => callId is not null && CallIdPattern().IsMatch(callId);

    /// <summary>
    /// Whether every store can keep the text exactly: no NUL (PostgreSQL refuses it in text) and no half of a
    /// surrogate pair (no character at all, so UTF-8 cannot hold it: SQLite would keep U+FFFD instead). Free text a
    /// client sends (messages, titles, topics, reasons, ids) is checked with it before it reaches the store.
    /// </summary>
    public static bool IsStorableText(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    /// <summary>
    /// 1–32 UTF-16 code units without whitespace or control characters: an emoji (ZWJ sequences and variation
    /// selectors included) or a <c>:short_name:</c>.
    /// </summary>
    public static bool IsValidReaction(string? reaction)
    {
        if (string.IsNullOrEmpty(reaction) || reaction.Length > ChatLimits.MaxReactionLength)
        {
            return false;
        }

        foreach (var c in reaction)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }

        return IsStorableText(reaction);
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoomNamePattern();

    [GeneratedRegex(@"^[\p{L}\p{Nd}_.-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9_-]{8,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex CallIdPattern();
}
