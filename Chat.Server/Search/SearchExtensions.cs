using Chat.Server.History;

namespace Chat.Server.Search;

public static class SearchExtensions
{
    public static WebApplicationBuilder AddChatSearch(this WebApplicationBuilder builder)
    {
        // The engine follows the history's store: each searches with its own full-text index.
        var provider = builder.Configuration[$"{DatabaseOptions.SectionName}:Provider"] ?? DatabaseOptions.Sqlite;
        if (provider == DatabaseOptions.Postgres)
        {
            builder.Services.AddSingleton<SearchEngine, PostgresSearchEngine>();
        }
        else
        {
            // SQLite indexes after the commit: the indexer keeps it close behind.
            builder.Services.AddSingleton<SearchEngine, SqliteSearchEngine>();
            builder.Services.AddHostedService<SearchIndexer>();
        }

        builder.Services.AddSingleton<SearchService>();
        return builder;
    }
}
