namespace Chat.Server.Presence;

public static class PresenceExtensions
{
    public static WebApplicationBuilder AddChatPresence(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IPresenceTracker, InMemoryPresenceTracker>();
        return builder;
    }
}
