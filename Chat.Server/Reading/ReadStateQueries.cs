using System.Data.Common;
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
    private static readonly string EveryRoomSql =
        "SELECT m.room, m.last_read_sequence, m.last_read_at_ticks, r.last_sequence, r.member_count, " +
        "(SELECT COUNT(*) FROM messages d " +
        "WHERE d.room = m.room AND d.sequence > m.last_read_sequence AND d.deleted_at_ticks IS NOT NULL), " +
        "(SELECT COUNT(*) FROM notifications n " +
        $"WHERE n.user_id = m.user_id AND n.room = m.room AND n.message_sequence > m.last_read_sequence AND n.kind = '{NotificationKinds.Mention}') " +
        "FROM room_members m JOIN rooms r ON r.name = m.room " +
        "WHERE m.user_id = @user";

    /// <summary>One room's: what every <c>MarkRead</c> answers, so it is prepared once per kept connection (<see cref="PreparedReads"/>).</summary>
    public static readonly string OneRoomSql = EveryRoomSql + " AND m.room = @room";

    /// <summary>The user's read state in each of their rooms.</summary>
    public static async Task<Dictionary<string, RoomReadState>> ReadStatesAsync(ChatDbContext db, string userId, CancellationToken cancellationToken = default)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = EveryRoomSql;
        var user = command.CreateParameter();
        user.ParameterName = "user";
        user.Value = userId;
        command.Parameters.Add(user);

        var states = new Dictionary<string, RoomReadState>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = Read(reader);
            states[state.State.Room] = state;
        }

        return states;
    }

    /// <summary>A row of <see cref="EveryRoomSql"/> or <see cref="OneRoomSql"/>.</summary>
    public static RoomReadState Read(DbDataReader reader)
    {
        var lastRead = reader.GetInt64(1);
        var unread = reader.GetInt64(3) - lastRead - reader.GetInt64(5);
        return new RoomReadState(
            new ReadState(reader.GetString(0), lastRead, (int)Math.Max(0, unread), (int)reader.GetInt64(6)),
            reader.IsDBNull(2) ? null : new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
            Convert.ToInt32(reader.GetValue(4)));
    }
}

/// <summary>
/// A member's read state, when the pointer last moved (what a receipt shows), and the room's member count (whether it
/// has receipts).
/// </summary>
public sealed record RoomReadState(ReadState State, DateTime? LastReadAt, int MemberCount);
