using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Infrastructure;

public enum ChatProtocol
{
    Json,
    MessagePack,
}

public static class ChatProtocols
{
    /// <summary>For <c>[Theory, MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]</c>.</summary>
    public static TheoryData<ChatProtocol> Both => new() { ChatProtocol.Json, ChatProtocol.MessagePack };

    public static IHubConnectionBuilder WithProtocol(this IHubConnectionBuilder builder, ChatProtocol protocol) =>
        protocol == ChatProtocol.MessagePack ? builder.AddMessagePackProtocol() : builder.AddJsonProtocol();
}
