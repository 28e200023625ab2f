using Chat.Server.Api;
using Chat.Server.Attachments;
using Chat.Server.Auth;
using Chat.Server.Calls;
using Chat.Server.Cluster;
using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Messaging;
using Chat.Server.Observability;
using Chat.Server.Reading;
using Chat.Server.Rooms;
using Chat.Server.Search;
using Chat.Server.Security;
using Chat.Server.Typing;
using Chat.Server.WarmUp;
using Chat.Server.Webhooks;

namespace Chat.Server;

public static class ChatServerExtensions
{
    /// <summary>Registers every feature of the chat server. Single node or cluster member: see <see cref="ClusterExtensions"/>.</summary>
    public static WebApplicationBuilder AddChatServer(this WebApplicationBuilder builder)
    {
        builder.AddChatObservability();
        builder.AddChatHistory();
        builder.AddChatSecurity();
        builder.AddChatAuth();
        builder.AddChatCluster();
        builder.AddChatRooms();
        builder.AddChatConversations();
        builder.AddChatAttachments();
        builder.AddChatSearch();
        builder.AddChatTyping();
        builder.AddChatMessaging();
        // After messaging: hosted services stop in reverse order, and the read pointers' last commit borrows the
        // change pipeline's connection, which the pipeline keeps for good once it has stopped.
        builder.AddChatReading();
        builder.AddChatWebhooks();
        builder.AddChatCalls();
        builder.AddChatHub();
        builder.AddChatApi();
        builder.AddChatWarmUp();
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
        app.MapChatAttachments();
        app.MapChatApi();
        app.MapChatWebhooks();
        app.MapChatHub();
        return app;
    }
}
