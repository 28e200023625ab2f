using System.Collections.Concurrent;
using Chat.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A real Kestrel serving a stand-in hub at the chat hub's route, for client tests that need the server to misbehave on
/// purpose. The fixture is registered as itself, so the hub can take it and record every attempt of each call.
/// </summary>
public abstract class StandInHubFixture<THub> : IAsyncLifetime
    where THub : Microsoft.AspNetCore.SignalR.Hub
{
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    internal ConcurrentDictionary<string, ConcurrentQueue<string>> Calls { get; } = new();

    public IReadOnlyList<string> Attempts(string key) => Calls.TryGetValue(key, out var calls) ? [.. calls] : [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(GetType(), this);
        builder.Services.AddSignalR(ConfigureHub).AddMessagePackProtocol();
        _app = builder.Build();
        _app.MapHub<THub>(ChatRoutes.Hub);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address + "/");
    }

    /// <summary>Hub options of the stand-in (timeouts), SignalR's defaults unless overridden.</summary>
    protected virtual void ConfigureHub(Microsoft.AspNetCore.SignalR.HubOptions options)
    {
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
