using Chat.Server.History;

namespace Chat.Server.Messaging;

public static class MessagingExtensions
{
    public static WebApplicationBuilder AddChatMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SendRateLimiter>();
        builder.Services.AddSingleton<IMessageCommitListener, MessageBroadcaster>();
        builder.Services.AddSingleton<MessagingService>();
        return builder;
    }
}
