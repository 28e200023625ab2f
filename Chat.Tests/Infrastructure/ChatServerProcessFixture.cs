namespace Chat.Tests.Infrastructure;

/// <summary>One out-of-process server per test class, for tests that kill and restart it.</summary>
public class ChatServerProcessFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private ChatServerProcess? _server;

    public ChatServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public string DataDirectory => _directory.Path;

    /// <summary>Configuration on top of the test defaults.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync() => _server = await ChatServerProcess.StartAsync(_directory.Path, Settings);

    public virtual async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _directory.Dispose();
    }
}
