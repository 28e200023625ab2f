using Chat.Server.Auth;
using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Rooms;
using Chat.Server.Typing;
using Chat.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Hubs;

/// <summary>The hub: maps each call of the contract to its service. Validation and error mapping live in <see cref="ChatHubFilter"/>.</summary>
[Authorize]
public sealed class ChatHub(RoomService rooms, MessagingService messaging, TypingService typing, HistoryQueries history)
    : Hub<IChatClient>, IChatHub
{
    public override Task OnConnectedAsync() =>
        rooms.ConnectedAsync(Context.ConnectionId, Context.User!.ToChatUser(), Context.ConnectionAborted);

    // Not the aborted token: the cleanup and its announcements must run to the end.
    public override Task OnDisconnectedAsync(Exception? exception) => rooms.DisconnectedAsync(Context.ConnectionId);

    public Task<JoinResult> JoinRoom(string room) => rooms.JoinAsync(Context.ConnectionId, room, Context.ConnectionAborted);

    public Task LeaveRoom(string room) => rooms.LeaveAsync(Context.ConnectionId, room, Context.ConnectionAborted);

    public Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId) =>
        messaging.SendAsync(Context.ConnectionId, room, content, clientMessageId, Context.ConnectionAborted);

    public Task SetTyping(string room, bool isTyping) => typing.SetTypingAsync(Context.ConnectionId, room, isTyping, Context.ConnectionAborted);

    public Task<ChatMessage[]> GetHistory(string room, long? beforeSequence, int limit) =>
        history.GetHistoryAsync(room, beforeSequence, limit, Context.ConnectionAborted);

    public Task<ChatMessage[]> GetMessagesSince(string room, long afterSequence, int limit) =>
        history.GetMessagesSinceAsync(room, afterSequence, limit, Context.ConnectionAborted);

    public Task<EventsPage> GetEventsSince(string room, long afterEventSequence, int limit) =>
        history.GetEventsSinceAsync(room, afterEventSequence, limit, Context.ConnectionAborted);

    public Task<ChatMessage> PostMessage(string room, PostMessageRequest request) =>
        messaging.PostAsync(Context.ConnectionId, room, request, Context.ConnectionAborted);

    public Task<ChatMessage> EditMessage(string room, string messageId, string content) =>
        messaging.EditAsync(Context.ConnectionId, room, messageId, content, Context.ConnectionAborted);

    public Task DeleteMessage(string room, string messageId) =>
        messaging.DeleteAsync(Context.ConnectionId, room, messageId, Context.ConnectionAborted);

    public Task<ChatMessage> AddReaction(string room, string messageId, string reaction) =>
        messaging.ReactAsync(Context.ConnectionId, room, messageId, reaction, add: true, Context.ConnectionAborted);

    public Task<ChatMessage> RemoveReaction(string room, string messageId, string reaction) =>
        messaging.ReactAsync(Context.ConnectionId, room, messageId, reaction, add: false, Context.ConnectionAborted);

    public Task<RoomSummary[]> ListRooms() => rooms.ListRoomsAsync(Context.ConnectionAborted);

    public Task<UserPresence[]> GetPresence(string room) => rooms.GetPresenceAsync(room, Context.ConnectionAborted);
}
