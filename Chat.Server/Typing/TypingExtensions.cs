namespace Chat.Server.Typing;

public static class TypingExtensions
{
    public static WebApplicationBuilder AddChatTyping(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TypingOptions>()
            .BindConfiguration(TypingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<TypingService>();
        builder.Services.AddHostedService<TypingExpiryLoop>();
        return builder;
    }
}
