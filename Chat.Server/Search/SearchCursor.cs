using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.Search;

/// <summary>
/// Where a page of hits ended: the last hit's place in the engine's newest-first order (<see cref="Position"/>: SQLite's
/// row number, PostgreSQL's sent-at ticks), then its room and sequence. Opaque to clients.
/// </summary>
public readonly record struct SearchCursor(long Position, string Room, long Sequence)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Position}:{Sequence}:{Room}")));

    public static SearchCursor? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':', 3);
            if (parts.Length == 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && parts[2].Length is > 0 and <= ChatLimits.MaxRoomNameLength)
            {
                return new SearchCursor(position, parts[2], sequence);
            }
        }
        catch (FormatException)
        {
        }

        throw new ChatException(ChatErrorCodes.InvalidRequest, "cursor is not one a search answered; start the search again without it");
    }
}
