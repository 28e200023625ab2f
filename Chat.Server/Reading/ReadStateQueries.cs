using Chat.Server.History;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.Reading;

/// <summary>
/// Unread and mention counts, the one place they are computed. A post moves its sender's read pointer, so no message of
/// the reader lies after it: unread = the room's last sequence − the pointer − deleted messages after it. Deleted
/// messages (a filtered index) and mentions (the reader's notifications) after a pointer are few whatever the
/// room's size, so a count costs the same in a room of ten or of ten thousand.
/// </summary>
public static class ReadStateQueries
{
    /// <summary>The user's read state in each of their rooms (all of them when <paramref name="room"/> is null).</summary>
    public static Task<Dictionary<string, RoomReadState>> ReadStatesAsync(
        ChatDbContext db, string userId, string? room = null, CancellationToken cancellationToken = default)
    {
        var members = db.Members.AsNoTracking().Where(m => m.UserId == userId);
        if (room is not null)
        {
            members = members.Where(m => m.Room == room);
        }

        return (
                from m in members
                join r in db.Rooms.AsNoTracking() on m.Room equals r.Name
                select new
                {
                    m.Room,
                    m.LastReadSequence,
                    m.LastReadAt,
                    r.LastSequence,
                    Deleted = db.Messages.Count(d => d.Room == m.Room && d.Sequence > m.LastReadSequence && d.DeletedAt != null),
                    Mentions = db.Notifications.Count(n => n.UserId == userId && n.Room == m.Room
                        && n.MessageSequence > m.LastReadSequence && n.Kind == NotificationKinds.Mention),
                })
            .ToDictionaryAsync(
                x => x.Room,
                x => new RoomReadState(
                    new ReadState(x.Room, x.LastReadSequence, (int)Math.Max(0, x.LastSequence - x.LastReadSequence - x.Deleted), x.Mentions),
                    x.LastReadAt),
                StringComparer.Ordinal,
                cancellationToken);
    }
}

/// <summary>A member's read state, and when the pointer last moved (what a receipt shows).</summary>
public sealed record RoomReadState(ReadState State, DateTime? LastReadAt);
