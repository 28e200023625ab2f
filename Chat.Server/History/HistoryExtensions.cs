using Chat.Server.Observability;
using Microsoft.EntityFrameworkCore;

namespace Chat.Server.History;

public static class HistoryExtensions
{
    public const string ConnectionStringName = "Chat";

    public static WebApplicationBuilder AddChatHistory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The store choice is made here, once: every other part sees only ChatDbContext / IMessageStore. Contexts are
        // pooled: every join and read takes one, and a fresh one costs a service scope and its resolutions.
        var provider = builder.Configuration[$"{DatabaseOptions.SectionName}:Provider"] ?? DatabaseOptions.Sqlite;
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        switch (provider)
        {
            case DatabaseOptions.Sqlite:
                services.AddPooledDbContextFactory<SqliteChatDbContext>(options =>
                    SqliteSetup.Configure(options, connectionString ?? SqliteSetup.DefaultConnectionString));
                services.AddSingleton<IDbContextFactory<ChatDbContext>, ChatDbContextFactory<SqliteChatDbContext>>();
                break;
            case DatabaseOptions.Postgres:
                services.AddPooledDbContextFactory<PostgresChatDbContext>(options => PostgresSetup.Configure(options, connectionString
                    ?? throw new InvalidOperationException("Database:Provider 'postgres' needs ConnectionStrings:Chat.")));
                services.AddSingleton<IDbContextFactory<ChatDbContext>, ChatDbContextFactory<PostgresChatDbContext>>();
                break;
            default:
                throw new InvalidOperationException($"Database:Provider '{provider}' is not supported.");
        }

        services.AddScoped<ChatDbContext>(sp => sp.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContext());
        services.AddHostedService<HistoryMigrator>();
        if (provider == DatabaseOptions.Sqlite)
        {
            // After the migrator: hosted services start in order, and the checkpoints need the migrated file.
            services.AddHostedService<SqliteCheckpointer>();
        }

        services.AddSingleton<StoreReadGate>();
        services.AddSingleton<WriteAheadLog>();
        services.AddSingleton<PreparedReads>();
        services.AddSingleton<RecentMessagesCache>();
        services.AddSingleton<IMessageStore, MessageStore>();
        services.AddSingleton<HistoryQueries>();
        services.AddHealthChecks().AddDbContextCheck<ChatDbContext>("history", tags: [ObservabilityExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>Where files that belong with the history (the generated signing key) are kept.</summary>
    public static string DataDirectory(IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = configuration[$"{DatabaseOptions.SectionName}:Provider"] ?? DatabaseOptions.Sqlite;
        if (provider == DatabaseOptions.Sqlite)
        {
            var connectionString = configuration.GetConnectionString(ConnectionStringName) ?? SqliteSetup.DefaultConnectionString;
            return Path.GetDirectoryName(SqliteSetup.DataSourcePath(connectionString)) ?? environment.ContentRootPath;
        }

        return environment.ContentRootPath;
    }
}
