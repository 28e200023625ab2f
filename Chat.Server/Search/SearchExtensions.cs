using Chat.Server.History;

namespace Chat.Server.Search;

public static class SearchExtensions
{
    public static WebApplicationBuilder AddChatSearch(this WebApplicationBuilder builder)
    {
        // The engine follows the history's store: each searches with its own full-text index.
        var provider = builder.Configuration[$"{DatabaseOptions.SectionName}:Provider"] ?? DatabaseOptions.Sqlite;
        builder.Services.AddSingleton<SearchEngine>(provider == DatabaseOptions.Postgres ? new PostgresSearchEngine() : new SqliteSearchEngine());
        builder.Services.AddSingleton<SearchService>();
        return builder;
    }
}
