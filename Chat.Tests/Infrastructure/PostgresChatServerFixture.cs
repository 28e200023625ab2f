namespace Chat.Tests.Infrastructure;

/// <summary>One server per test class on its own PostgreSQL: for features whose store engines differ (search, files).</summary>
public class PostgresChatServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private PostgresServer? _postgres;
    private ChatServer? _server;

    public ChatServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL has not started.");

    /// <summary>Configuration on top of the test defaults and the PostgreSQL store.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Chat"] = await _postgres.CreateDatabaseAsync("chat"),
        };
        _server = await ChatServer.StartAsync(_directory.Path, settings);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _directory.Dispose();
    }
}
