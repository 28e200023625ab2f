using Chat.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// In the container's namespace, as ASP.NET Core's own AddXxx methods are: found without an extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ChatClient"/> in a service collection.</summary>
public static class ChatClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="ChatClient"/> (a singleton, disposed with the container) configured by
    /// <paramref name="configure"/>, logging through the container's <see cref="ILoggerFactory"/> and timing with its
    /// <see cref="TimeProvider"/> when it has one.
    /// Call <see cref="ChatClient.StartAsync"/> when the app is ready to connect.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the server URL, the sign-in and the rest of <see cref="ChatClientOptions"/>.</param>
    public static IServiceCollection AddChatClient(this IServiceCollection services, Action<ChatClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ChatClientOptions>().Configure(configure);
        services.TryAddSingleton(provider => new ChatClient(
            provider.GetRequiredService<IOptions<ChatClientOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        return services;
    }
}
