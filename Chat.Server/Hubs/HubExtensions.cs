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
        app.MapHub<ChatHub>(ChatRoutes.Hub, options => options.AllowStatefulReconnects = true);
        return app;
    }
}
