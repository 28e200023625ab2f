using System.Data.Common;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.History;

/// <summary>A SQLite file of the release before stored member counts opens with every message, and its rooms counted.</summary>
public sealed class SqliteMemberCountUpgradeTests
{
    [Fact]
    public Task RoomsFromBeforeStoredCountsAreCountedAndKeepTheirLastOwner() =>
        EarlierRelease.OnSqliteAsync(WebhooksRelease.SqliteMigration, WebhooksRelease.WriteAsync, (release, server) => release.ShouldBeCountedAsync(server), WebhooksRelease.Settings);
}

/// <summary>The same for a PostgreSQL database of the release before stored member counts.</summary>
public sealed class PostgresMemberCountUpgradeTests
{
    [Fact]
    public Task RoomsFromBeforeStoredCountsAreCountedAndKeepTheirLastOwner() =>
        EarlierRelease.OnPostgresAsync(WebhooksRelease.PostgresMigration, WebhooksRelease.WriteAsync, (release, server) => release.ShouldBeCountedAsync(server), WebhooksRelease.Settings);
}

/// <summary>A public room of three members, one of them its only owner, with history, as the webhooks release's SQL stored it.</summary>
internal sealed class WebhooksRelease
{
    public const string SqliteMigration = "20261203131717_Webhooks";
    public const string PostgresMigration = "20261203131720_Webhooks";
    private const int MessageCount = 5;

    private readonly string _room;
    private readonly string _owner;
    private readonly string _moderator;
    private readonly string _member;

    private WebhooksRelease(string room, string owner, string moderator, string member) =>
        (_room, _owner, _moderator, _member) = (room, owner, moderator, member);

    public static Dictionary<string, string?> Settings => new() { ["Messaging:MessagesPerSecond"] = "1000", ["Messaging:Burst"] = "1000" };

    public static async Task<WebhooksRelease> WriteAsync(DbConnection connection)
    {
        var release = new WebhooksRelease(
            TestDefaults.UniqueRoom("counted"), TestDefaults.UniqueUser("owner"), TestDefaults.UniqueUser("moderator"), TestDefaults.UniqueUser("member"));
        var at = DateTime.UtcNow.AddDays(-3).Ticks;
        await ExecuteAsync(connection,
            "INSERT INTO rooms (name, last_sequence, last_event_sequence, kind, slow_mode_seconds, muted_until_ticks, created_at_ticks) " +
            "VALUES (@room, @count, @count, 'public', 0, 0, @at)",
            ("room", release._room), ("count", (long)MessageCount), ("at", at));
        foreach (var (name, role) in new[] { (release._owner, MemberRoles.Owner), (release._moderator, MemberRoles.Moderator), (release._member, MemberRoles.Member) })
        {
            await ExecuteAsync(connection, "INSERT INTO users (id, name) VALUES (@id, @name)", ("id", "guest:" + name), ("name", name));
            await ExecuteAsync(connection,
                "INSERT INTO room_members (room, user_id, user_name, role, joined_at_ticks, last_read_sequence) VALUES (@room, @user, @name, @role, @at, @count)",
                ("room", release._room), ("user", "guest:" + name), ("name", name), ("role", role), ("at", at), ("count", (long)MessageCount));
        }

        for (var sequence = 1L; sequence <= MessageCount; sequence++)
        {
            await ExecuteAsync(connection,
                "INSERT INTO messages (id, room, sequence, sender_id, sender_name, content, sent_at_ticks, posted_event_sequence, event_sequence) " +
                "VALUES (@id, @room, @sequence, @sender, @name, @content, @at, @sequence, @sequence)",
                ("id", Guid.CreateVersion7().ToString("N")), ("room", release._room), ("sequence", sequence), ("sender", "guest:" + release._member),
                ("name", release._member), ("content", $"before the upgrade {sequence}"), ("at", at + sequence));
        }

        return release;
    }

    public async Task ShouldBeCountedAsync(ChatServer server)
    {
        await using var owner = await server.ConnectAsync(_owner);
        (await CountAsync(owner)).Should().Be(3, "the upgrade counts the members stored before it");
        (await owner.GetHistory(_room, null, ChatLimits.MaxHistoryPage)).Should().HaveCount(MessageCount);
        await Rejected(() => owner.RemoveMember(_room, owner.UserId), ChatErrorCodes.Forbidden, "the upgrade counts the room's one owner");

        await using var newcomer = await server.ConnectAsync(TestDefaults.UniqueUser("newcomer"));
        await newcomer.JoinRoom(_room);
        await owner.RemoveMember(_room, "guest:" + _member);
        (await CountAsync(owner)).Should().Be(3, "a join and a kick after the upgrade move the count on from there");

        await owner.SetMemberRole(_room, "guest:" + _moderator, MemberRoles.Owner);
        await owner.RemoveMember(_room, owner.UserId);
        await using var moderator = await server.ConnectAsync(_moderator);
        (await CountAsync(moderator)).Should().Be(2);
    }

    private async Task<int> CountAsync(TestClient member) =>
        (await member.ListMyRooms()).Should().ContainSingle(r => r.Room.Room == _room).Subject.Room.MemberCount;

    private static Task ExecuteAsync(DbConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        PreviousReleaseHistory.ExecuteAsync(connection, sql, parameters);
}
