using Chat.Server.Security;
using Chat.Shared;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Server.Hubs;

public static class HubExtensions
{
    public static WebApplicationBuilder AddChatHub(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatHubFilter>();
        builder.Services
            .AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = ChatLimits.MaxHubMessageBytes;
                options.KeepAliveInterval = TimeSpan.FromSeconds(10);
                options.ClientTimeoutInterval = TimeSpan.FromSeconds(30);
                options.HandshakeTimeout = TimeSpan.FromSeconds(10);
                // One invocation at a time per connection: a flooding client queues behind itself, not beside everyone else.
                options.MaximumParallelInvocationsPerClient = 1;
                options.EnableDetailedErrors = false;
                options.AddFilter<ChatHubFilter>();
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol(options =>
                options.SerializerOptions = options.SerializerOptions.WithSecurity(MessagePackSecurity.UntrustedData));
        DecorateHubProtocols(builder.Services);
        return builder;
    }

    private static void DecorateHubProtocols(IServiceCollection services)
    {
        var protocols = services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType is not null).ToList();
        foreach (var descriptor in protocols)
        {
            services.Remove(descriptor);
            services.AddSingleton<IHubProtocol>(sp =>
                new CodedErrorHubProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!)));
        }
    }

    public static WebApplication MapChatHub(this WebApplication app)
    {
        app.MapHub<ChatHub>(ChatRoutes.Hub, options =>
            {
                options.AllowStatefulReconnects = true;
                // A connection lives no longer than the token it was opened with.
                options.CloseOnAuthenticationExpiration = true;
                // Both directions stay bounded per connection. Inbound holds two of the largest messages, so one
                // maximal message never waits on itself; outbound fills up for a client that stops reading, and then
                // StalledWriteWatchdog closes it.
                options.TransportMaxBufferSize = 2 * ChatLimits.MaxHubMessageBytes;
                options.ApplicationMaxBufferSize = ChatLimits.MaxHubMessageBytes;
            })
            .RequireCors(OriginPolicy.CorsPolicyName);
        return app;
    }
}
