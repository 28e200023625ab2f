using Chat.Server.History;
using Microsoft.EntityFrameworkCore;

namespace Chat.Tests.History;

/// <summary>Every change of the history model ships as a migration for each provider (an upgrade must be able to reach it).</summary>
public sealed class MigrationCompletenessTests
{
    [Fact]
    public void TheSqliteMigrationsMatchTheModel()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);

        db.Database.HasPendingModelChanges().Should().BeFalse("a model change needs `dotnet ef migrations add` for SQLite");
    }

    [Fact]
    public void ThePostgresMigrationsMatchTheModel()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);

        db.Database.HasPendingModelChanges().Should().BeFalse("a model change needs `dotnet ef migrations add` for PostgreSQL");
    }
}
