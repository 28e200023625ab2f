using Chat.Server.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Conversations;

public static class ConversationsExtensions
{
    public static WebApplicationBuilder AddChatConversations(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<RoomPolicy>();
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<ConversationService>();
        // Clients.User(id) reaches every connection of a user on every node: an added or removed member hears of it
        // on each device.
        builder.Services.AddSingleton<IUserIdProvider, ChatUserIdProvider>();
        return builder;
    }

    private sealed class ChatUserIdProvider : IUserIdProvider
    {
        public string? GetUserId(HubConnectionContext connection) => connection.User.ToChatUser().Id;
    }
}
