using System.Data.Common;
using Chat.Server.History;
using Chat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Chat.Tests.History;

/// <summary>
/// A store as an earlier release left it: migrated only as far as that release's last migration, with rows written by
/// that release's SQL, then opened by this server (which migrates the rest at start).
/// </summary>
internal static class EarlierRelease
{
    public static async Task OnSqliteAsync<T>(
        string migration, Func<DbConnection, Task<T>> write, Func<T, ChatServer, Task> check, Dictionary<string, string?> settings)
    {
        using var directory = new TempDirectory();
        var connectionString = $"Data Source={Path.Combine(directory.Path, "chat.db")};Pooling=False";
        await using (var db = new SqliteChatDbContext(new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite(connectionString).Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(migration);
        }

        T written;
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            written = await write(connection);
        }

        await using var server = await ChatServer.StartAsync(directory.Path, settings);
        await check(written, server);
    }

    public static async Task OnPostgresAsync<T>(
        string migration, Func<DbConnection, Task<T>> write, Func<T, ChatServer, Task> check, Dictionary<string, string?> settings)
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("chat");
        await using (var db = new PostgresChatDbContext(new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql(connectionString).Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(migration);
        }

        T written;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            written = await write(connection);
        }

        using var directory = new TempDirectory();
        settings["Database:Provider"] = "postgres";
        settings["ConnectionStrings:Chat"] = connectionString;
        await using var server = await ChatServer.StartAsync(directory.Path, settings);
        await check(written, server);
    }
}
