namespace Chat.Tests.Infrastructure;

/// <summary>
/// One out-of-process server per test class, reached through a <see cref="TcpProxy"/> that a test can cut: the
/// connection drops while the server stays up, as on a flaky network.
/// </summary>
public class ProxiedChatServerProcessFixture : ChatServerProcessFixture
{
    private TcpProxy? _proxy;

    public TcpProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy has not started.");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _proxy = TcpProxy.Start(Server.Port);
    }

    public override async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
