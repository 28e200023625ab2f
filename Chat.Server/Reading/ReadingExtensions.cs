using Chat.Server.Notifications;

namespace Chat.Server.Reading;

public static class ReadingExtensions
{
    public static WebApplicationBuilder AddChatReading(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReadStateService>();
        builder.Services.AddSingleton<NotificationService>();
        return builder;
    }
}
