using System.Data.Common;
using Chat.Server.History;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Chat.Tests.History;

/// <summary>
/// Rooms from before read pointers (issue 18) upgrade with every member having read everything: nothing old turns
/// into a flood of unread badges, and what is posted after the upgrade counts as usual.
/// </summary>
public sealed class SqliteReadStateUpgradeTests
{
    /// <summary>The migrations of the release before read state: the first one, and the last.</summary>
    private const string FirstMigration = "20261122215023_Initial";
    private const string LastMigrationBeforeReadState = "20261202193236_Conversations";

    [Fact]
    public async Task MembersOfRoomsFromBeforeReadStateHaveReadThemAll()
    {
        using var directory = new TempDirectory();
        var connectionString = $"Data Source={Path.Combine(directory.Path, "chat.db")};Pooling=False";
        var options = new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite(connectionString).Options;
        await using (var db = new SqliteChatDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(FirstMigration);
        }

        PreviousReleaseHistory history;
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            history = await PreviousReleaseHistory.WriteAsync(connection);
        }

        await using (var db = new SqliteChatDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(LastMigrationBeforeReadState);
        }

        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await ReadStateUpgrade.AddOldMembersAsync(connection, history);
        }

        await using var server = await ChatServer.StartAsync(directory.Path, PreviousReleaseHistory.Settings);
        await ReadStateUpgrade.ShouldHaveReadEverythingAsync(server, history);
    }
}

/// <summary>The same upgrade on a PostgreSQL history.</summary>
public sealed class PostgresReadStateUpgradeTests
{
    private const string FirstMigration = "20261122220129_Initial";
    private const string LastMigrationBeforeReadState = "20261202193244_Conversations";

    [Fact]
    public async Task MembersOfRoomsFromBeforeReadStateHaveReadThemAll()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("chat");
        var options = new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new PostgresChatDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(FirstMigration);
        }

        PreviousReleaseHistory history;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            history = await PreviousReleaseHistory.WriteAsync(connection);
        }

        await using (var db = new PostgresChatDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(LastMigrationBeforeReadState);
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ReadStateUpgrade.AddOldMembersAsync(connection, history);
        }

        using var directory = new TempDirectory();
        var settings = PreviousReleaseHistory.Settings;
        settings["Database:Provider"] = "postgres";
        settings["ConnectionStrings:Chat"] = connectionString;
        await using var server = await ChatServer.StartAsync(directory.Path, settings);
        await ReadStateUpgrade.ShouldHaveReadEverythingAsync(server, history);
    }
}

/// <summary>Memberships as the release before read state stored them, and what the upgrade must make of them.</summary>
internal static class ReadStateUpgrade
{
    private static readonly DateTime JoinedAt = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Makes everyone who wrote in a room a member of it, as joining it did before read state.</summary>
    public static async Task AddOldMembersAsync(DbConnection connection, PreviousReleaseHistory history)
    {
        foreach (var (room, messages) in history.Rooms)
        {
            foreach (var (senderId, senderName) in messages.Select(m => (m.SenderId, m.SenderName)).Distinct())
            {
                await using var command = connection.CreateCommand();
                command.CommandText =
                    "INSERT INTO room_members (room, user_id, user_name, role, joined_at_ticks) VALUES (@room, @user, @name, @role, @joined)";
                foreach (var (name, value) in new (string, object)[]
                         { ("room", room), ("user", senderId), ("name", senderName), ("role", MemberRoles.Member), ("joined", JoinedAt.Ticks) })
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = value;
                    command.Parameters.Add(parameter);
                }

                await command.ExecuteNonQueryAsync();
            }
        }
    }

    public static async Task ShouldHaveReadEverythingAsync(ChatServer server, PreviousReleaseHistory history)
    {
        var (busy, old) = history.Rooms.First();
        var senders = old.Select(m => m.SenderName).Distinct().ToList();
        senders.Should().HaveCountGreaterThan(1, "the old room has several members");
        var members = new List<TestClient>();
        try
        {
            foreach (var sender in senders)
            {
                members.Add(await server.ConnectWelcomedAsync(sender));
            }

            foreach (var member in members)
            {
                (await member.ListedReadStateAsync(busy)).Should().Be(
                    new ReadState(busy, old.Count, 0, 0), "{0} had read all of {1} when read pointers came", member.UserName, busy);
            }

            (await members[0].GetReadReceipts(busy)).Select(r => (r.UserId, r.LastReadSequence, r.At)).Should().BeEquivalentTo(
                members.Select(m => (m.UserId, (long)old.Count, JoinedAt)), "a pointer that never moved dates from the joining");

            await members[0].JoinRoom(busy);
            var next = await members[0].PostMessage(busy, new PostMessageRequest("the first news after the upgrade", Mentions: [members[1].UserId]));
            (await members[1].ListedReadStateAsync(busy)).Should().Be(new ReadState(busy, old.Count, 1, 1), "what comes after the upgrade counts");
            (await members[1].MarkRead(busy, next.Sequence)).Should().Be(new ReadState(busy, next.Sequence, 0, 0));
            (await members[0].ListedReadStateAsync(busy)).Should().Be(new ReadState(busy, next.Sequence, 0, 0));
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }
}
