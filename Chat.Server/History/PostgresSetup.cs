using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Chat.Server.History;

/// <summary>PostgreSQL, for nodes on several hosts. Sequence allocation relies on the room row lock of <c>UPDATE … RETURNING</c>.</summary>
internal static class PostgresSetup
{
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        // No retrying execution strategy: the store's writer runs its own transaction and retries whole batches.
        options.UseNpgsql(connectionString);
}

public sealed class PostgresChatDbContext(DbContextOptions<PostgresChatDbContext> options) : ChatDbContext(options);

/// <summary>For <c>dotnet ef migrations add --context PostgresChatDbContext</c>; generating migrations needs no server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresChatDbContext>
{
    public PostgresChatDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresChatDbContext>();
        PostgresSetup.Configure(options, "Host=localhost;Database=chat_design_time");
        return new PostgresChatDbContext(options.Options);
    }
}
