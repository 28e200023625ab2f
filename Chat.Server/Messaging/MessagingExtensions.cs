namespace Chat.Server.Messaging;

public static class MessagingExtensions
{
    public static WebApplicationBuilder AddChatMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<MessagesOptions>()
            .BindConfiguration(MessagesOptions.SectionName)
            .Validate(o => o.EditWindow is null || o.EditWindow > TimeSpan.Zero, "Messages:EditWindow must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<EventsOptions>()
            .BindConfiguration(EventsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SendRateLimiter>();
        builder.Services.AddSingleton<BatchPlanner>();
        builder.Services.AddSingleton<IChangeListener, ChangeBroadcaster>();
        builder.Services.AddSingleton<ChangePipeline>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangePipeline>());
        builder.Services.AddSingleton<MessagingService>();
        return builder;
    }
}
