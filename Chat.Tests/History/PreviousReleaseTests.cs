using System.Data.Common;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.History;

/// <summary>
/// A SQLite file written by the first release opens with all its history, through every migration since (the change
/// log, conversations), numbered as a change log.
/// </summary>
public sealed class SqlitePreviousReleaseTests
{
    /// <summary>The only migration the previous release had.</summary>
    private const string PreviousReleaseMigration = "20261122215023_Initial";

    [Fact]
    public Task ADatabaseOfThePreviousReleaseKeepsItsHistoryAndCarriesOnNumbering() =>
        EarlierRelease.OnSqliteAsync(PreviousReleaseMigration, PreviousReleaseHistory.WriteAsync, (history, server) => history.ShouldBeServedAsIfLoggedAsync(server), PreviousReleaseHistory.Settings);
}

/// <summary>A PostgreSQL database written by the previous release opens with all its history, numbered as a change log.</summary>
public sealed class PostgresPreviousReleaseTests
{
    /// <summary>The only migration the previous release had.</summary>
    private const string PreviousReleaseMigration = "20261122220129_Initial";

    [Fact]
    public Task ADatabaseOfThePreviousReleaseKeepsItsHistoryAndCarriesOnNumbering() =>
        EarlierRelease.OnPostgresAsync(PreviousReleaseMigration, PreviousReleaseHistory.WriteAsync, (history, server) => history.ShouldBeServedAsIfLoggedAsync(server), PreviousReleaseHistory.Settings);
}

/// <summary>
/// History as the previous release stored it (the rows its BatchCommands wrote: a room's last sequence, messages
/// with ticks), and what the new release must make of it.
/// </summary>
internal sealed class PreviousReleaseHistory
{
    public static Dictionary<string, string?> Settings => new()
    {
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };

    private readonly Dictionary<string, List<ChatMessage>> _rooms;

    private PreviousReleaseHistory(Dictionary<string, List<ChatMessage>> rooms) => _rooms = rooms;

    private string BusyRoom => _rooms.Keys.First();

    /// <summary>Writes two rooms' history through <paramref name="connection"/> with the previous release's SQL.</summary>
    public static async Task<PreviousReleaseHistory> WriteAsync(DbConnection connection)
    {
        string[] senders = [TestDefaults.UniqueUser("old-alice"), TestDefaults.UniqueUser("old-bob"), TestDefaults.UniqueUser("old-carol")];
        var rooms = new Dictionary<string, List<ChatMessage>>
        {
            [TestDefaults.UniqueRoom("busy")] = [],
            [TestDefaults.UniqueRoom("quiet")] = [],
        };
        var sentAt = new DateTime(DateTime.UtcNow.AddDays(-30).Ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        foreach (var (room, messages) in rooms)
        {
            var count = messages == rooms.First().Value ? 30 : 3;
            for (var sequence = 1L; sequence <= count; sequence++)
            {
                var sender = senders[sequence % senders.Length];
                sentAt = sentAt.AddSeconds(7);
                messages.Add(new ChatMessage(
                    Guid.CreateVersion7().ToString("N"), room, sequence, "guest:" + sender, sender, $"old message {sequence} in {room}", sentAt,
                    sequence % 2 == 0 ? $"old-{room}-{sequence}" : null, sequence, null, null, null, [], [], []));
            }

            await ExecuteAsync(connection, "INSERT INTO rooms (name, last_sequence) VALUES (@room, @count)", ("room", room), ("count", (long)count));
            foreach (var m in messages)
            {
                await ExecuteAsync(
                    connection,
                    "INSERT INTO messages (id, room, sequence, sender_id, sender_name, content, sent_at_ticks, client_message_id) " +
                    "VALUES (@id, @room, @sequence, @sender, @name, @content, @ticks, @client)",
                    ("id", m.Id), ("room", m.Room), ("sequence", m.Sequence), ("sender", m.SenderId), ("name", m.SenderName),
                    ("content", m.Content), ("ticks", m.SentAt.Ticks), ("client", m.ClientMessageId));
            }
        }

        return new PreviousReleaseHistory(rooms);
    }

    /// <summary>Every old message is there with its sequence, each is the <c>message.posted</c> change of its sequence, and new changes follow.</summary>
    public async Task ShouldBeServedAsIfLoggedAsync(ChatServer server)
    {
        await using var reader = await server.ConnectAsync(TestDefaults.UniqueUser("reader"));
        foreach (var (room, old) in _rooms)
        {
            (await reader.GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage)).Should().Equal(old);
            (await reader.GetHistory(room, null, ChatLimits.MaxHistoryPage)).Should().Equal(old);
            var log = await reader.ReadAllEventsAsync(room);
            log.Select(e => e.EventSequence).Should().Equal(old.Select(m => m.Sequence));
            log.Should().OnlyContain(e => e.Type == RoomEventTypes.MessagePosted && e.Room == room && e.Reaction == null);
            log.Select(e => (e.MessageId, e.Message, e.ActorId, e.ActorName, e.At))
                .Should().Equal(old.Select(m => ((string?)m.Id, (ChatMessage?)m, m.SenderId, m.SenderName, m.SentAt)));
        }

        (await reader.ListRooms()).Where(r => _rooms.ContainsKey(r.Room)).Should().BeEquivalentTo(
            _rooms.Select(r => new RoomSummary(r.Key, 0, r.Value.Count, r.Value.Count)));

        var busy = _rooms[BusyRoom];
        var joined = await reader.JoinRoom(BusyRoom);
        joined.Should().BeEquivalentTo(new { LastSequence = 30L, LastEventSequence = 30L, MemberCount = 1 });
        joined.RecentMessages.Should().Equal(busy);

        // Conversations came later: an old room is public and has no owner (administrators moderate it), it was made
        // by its first message, and everyone who wrote before is a user that rooms can name.
        var mine = (await reader.ListMyRooms()).Should().ContainSingle(r => r.Room.Room == BusyRoom).Subject;
        mine.Should().BeEquivalentTo(new { Role = MemberRoles.Member, LastMessage = busy[^1] });
        mine.Room.Should().BeEquivalentTo(new { Kind = RoomKinds.Public, CreatedAt = busy[0].SentAt, MemberCount = 1, LastSequence = 30L });
        var direct = await reader.OpenDirect(busy[0].SenderId);
        direct.Members!.Select(m => (m.UserId, m.UserName)).Should().Contain((busy[0].SenderId, busy[0].SenderName));

        var next = await reader.PostMessage(BusyRoom, new PostMessageRequest("new in the new release", ReplyToId: busy[0].Id));
        next.Should().BeEquivalentTo(new { Sequence = 31L, EventSequence = 31L });
        next.ReplyTo.Should().Be(new MessageRef(busy[0].Id, 1, busy[0].SenderName, busy[0].Content));

        var oldRetried = busy[1];
        await using var oldSender = await server.ConnectAsync(oldRetried.SenderName);
        await oldSender.JoinRoom(BusyRoom);
        (await oldSender.SendMessage(BusyRoom, oldRetried.Content, oldRetried.ClientMessageId)).Should().Be(oldRetried, "an old send retried is still the same send");
        var edited = await oldSender.EditMessage(BusyRoom, oldRetried.Id, "edited after the upgrade");
        edited.EventSequence.Should().Be(32);
        (await reader.GetEventsSince(BusyRoom, 30, 10)).Events.Select(e => (e.EventSequence, e.Type)).Should().Equal(
            (31L, RoomEventTypes.MessagePosted), (32L, RoomEventTypes.MessageEdited));
    }

    /// <summary>Runs SQL as an earlier release did: plain commands, no EF Core.</summary>
    public static async Task ExecuteAsync(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}
