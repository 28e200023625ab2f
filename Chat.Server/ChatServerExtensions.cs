using Chat.Server.Auth;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Observability;
using Chat.Server.Presence;
using Chat.Server.Rooms;
using Chat.Server.Security;
using Chat.Server.Typing;

namespace Chat.Server;

public static class ChatServerExtensions
{
    /// <summary>Registers every feature of the chat server. The single-node vs cluster choices live in each feature's own extension.</summary>
    public static WebApplicationBuilder AddChatServer(this WebApplicationBuilder builder)
    {
        builder.AddChatObservability();
        builder.AddChatHistory();
        builder.AddChatSecurity();
        builder.AddChatAuth();
        builder.AddChatPresence();
        builder.AddChatRooms();
        builder.AddChatTyping();
        builder.AddChatMessaging();
        builder.AddChatHub();
        return builder;
    }

    public static WebApplication MapChatEndpoints(this WebApplication app)
    {
        app.UseChatSecurity();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseChatConnectionLimit();

        app.MapChatObservability();
        app.MapChatAuth();
        app.MapChatHub();
        return app;
    }
}
