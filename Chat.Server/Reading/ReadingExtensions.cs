using Chat.Server.Notifications;

namespace Chat.Server.Reading;

public static class ReadingExtensions
{
    public static WebApplicationBuilder AddChatReading(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReadStateOptions>()
            .BindConfiguration(ReadStateOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ReadPointerWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReadPointerWriter>());
        builder.Services.AddSingleton<ReadStateService>();
        builder.Services.AddSingleton<NotificationService>();
        return builder;
    }
}
