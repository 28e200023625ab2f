using Chat.Server.Auth;
using Chat.Server.Calls;
using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Messaging;
using Chat.Server.Notifications;
using Chat.Server.Reading;
using Chat.Server.Rooms;
using Chat.Server.Search;
using Chat.Server.Typing;
using Chat.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Hubs;

/// <summary>
/// The hub: maps each call of the contract to its service. Room names become <see cref="RoomName"/> here, checked once;
/// who may do what is the room policy's; error mapping is <see cref="ChatHubFilter"/>'s.
/// </summary>
[Authorize]
public sealed class ChatHub(
    ConnectionRegistry connections, RoomService rooms, MessagingService messaging, TypingService typing, HistoryQueries history, ConversationService conversations,
    ReadStateService reading, NotificationService notifications, SearchService search, CallService calls)
    : Hub<IChatClient>, IChatHub
{
    /// <summary>The caller of messaging and history: this connection, which has joined the rooms it is subscribed to.</summary>
    private ChatCaller Caller => ChatCaller.Of(connections.Get(Context.ConnectionId));

    public override Task OnConnectedAsync() =>
        rooms.ConnectedAsync(Context.ConnectionId, Context.User!.ToChatUser(), Context.ConnectionAborted);

    // Not the aborted token: the cleanup and its announcements must run to the end.
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await calls.DisconnectedAsync(Context.ConnectionId);
        await rooms.DisconnectedAsync(Context.ConnectionId);
    }

    public Task<JoinResult> JoinRoom(string room) => rooms.JoinAsync(Context.ConnectionId, RoomName.Parse(room), Context.ConnectionAborted);

    public Task LeaveRoom(string room) => rooms.LeaveAsync(Context.ConnectionId, RoomName.Parse(room), Context.ConnectionAborted);

    public Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId) =>
        messaging.SendAsync(Caller, RoomName.Parse(room), content, clientMessageId, Context.ConnectionAborted);

    public Task SetTyping(string room, bool isTyping) =>
        typing.SetTypingAsync(Context.ConnectionId, RoomName.Parse(room), isTyping, Context.ConnectionAborted);

    public Task<ChatMessage[]> GetHistory(string room, long? beforeSequence, int limit) =>
        history.GetHistoryAsync(Caller, RoomName.Parse(room), beforeSequence, limit, Context.ConnectionAborted);

    public Task<ChatMessage[]> GetMessagesSince(string room, long afterSequence, int limit) =>
        history.GetMessagesSinceAsync(Caller, RoomName.Parse(room), afterSequence, limit, Context.ConnectionAborted);

    public Task<EventsPage> GetEventsSince(string room, long afterEventSequence, int limit) =>
        history.GetEventsSinceAsync(Caller, RoomName.Parse(room), afterEventSequence, limit, Context.ConnectionAborted);

    public async Task<ChatMessage> PostMessage(string room, PostMessageRequest request) =>
        (await messaging.PostAsync(Caller, RoomName.Parse(room), request, Context.ConnectionAborted)).Message;

    public Task<ChatMessage> EditMessage(string room, string messageId, string content) =>
        messaging.EditAsync(Caller, RoomName.Parse(room), messageId, content, Context.ConnectionAborted);

    public Task DeleteMessage(string room, string messageId) =>
        messaging.DeleteAsync(Caller, RoomName.Parse(room), messageId, Context.ConnectionAborted);

    public Task<ChatMessage> AddReaction(string room, string messageId, string reaction) =>
        messaging.ReactAsync(Caller, RoomName.Parse(room), messageId, reaction, add: true, Context.ConnectionAborted);

    public Task<ChatMessage> RemoveReaction(string room, string messageId, string reaction) =>
        messaging.ReactAsync(Caller, RoomName.Parse(room), messageId, reaction, add: false, Context.ConnectionAborted);

    public Task<RoomSummary[]> ListRooms() => rooms.ListRoomsAsync(Context.ConnectionId, Context.ConnectionAborted);

    public Task<UserPresence[]> GetPresence(string room) => rooms.GetPresenceAsync(Context.ConnectionId, RoomName.Parse(room), Context.ConnectionAborted);

    public Task<RoomInfo> CreateRoom(CreateRoomRequest request) =>
        conversations.CreateRoomAsync(Context.ConnectionId, request, Context.ConnectionAborted);

    public Task<RoomInfo> OpenDirect(string userId) => conversations.OpenDirectAsync(Context.ConnectionId, userId, Context.ConnectionAborted);

    public Task<RoomInfo> UpdateRoom(string room, UpdateRoomRequest request) =>
        conversations.UpdateRoomAsync(Context.ConnectionId, RoomName.Parse(room), request, Context.ConnectionAborted);

    public Task<MyRoom[]> ListMyRooms() => conversations.ListMyRoomsAsync(Context.ConnectionId, Context.ConnectionAborted);

    public Task<RoomMember[]> GetMembers(string room, string? afterUserId, int limit) =>
        conversations.GetMembersAsync(Context.ConnectionId, RoomName.Parse(room), afterUserId, limit, Context.ConnectionAborted);

    public Task<RoomMember> AddMember(string room, string userId) =>
        conversations.AddMemberAsync(Context.ConnectionId, RoomName.Parse(room), userId, Context.ConnectionAborted);

    public Task RemoveMember(string room, string userId) =>
        conversations.RemoveMemberAsync(Context.ConnectionId, RoomName.Parse(room), userId, Context.ConnectionAborted);

    public Task<RoomMember> SetMemberRole(string room, string userId, string role) =>
        conversations.SetMemberRoleAsync(Context.ConnectionId, RoomName.Parse(room), userId, role, Context.ConnectionAborted);

    public Task BanMember(string room, string userId, DateTime? until, string? reason) =>
        conversations.BanMemberAsync(Context.ConnectionId, RoomName.Parse(room), userId, until, reason, Context.ConnectionAborted);

    public Task UnbanMember(string room, string userId) =>
        conversations.UnbanMemberAsync(Context.ConnectionId, RoomName.Parse(room), userId, Context.ConnectionAborted);

    public Task<RoomMember> MuteMember(string room, string userId, DateTime? until) =>
        conversations.MuteMemberAsync(Context.ConnectionId, RoomName.Parse(room), userId, until, Context.ConnectionAborted);

    public Task<ReadState> MarkRead(string room, long sequence) =>
        reading.MarkReadAsync(Context.ConnectionId, RoomName.Parse(room), sequence, Context.ConnectionAborted);

    public Task<ReadReceipt[]> GetReadReceipts(string room) =>
        reading.GetReadReceiptsAsync(Context.ConnectionId, RoomName.Parse(room), Context.ConnectionAborted);

    public Task<Notification[]> GetNotifications(string? beforeId, int limit) =>
        notifications.GetNotificationsAsync(Context.ConnectionId, beforeId, limit, Context.ConnectionAborted);

    public Task<SearchResult> SearchMessages(SearchRequest request) =>
        search.SearchAsync(Context.ConnectionId, request, Context.ConnectionAborted);

    public Task StartCall(string room, CallOffer offer) =>
        calls.StartCallAsync(Context.ConnectionId, RoomName.Parse(room), offer, Context.ConnectionAborted);

    public Task AnswerCall(string callId, string sdp) => calls.AnswerCallAsync(Context.ConnectionId, callId, sdp, Context.ConnectionAborted);

    public Task SendIceCandidates(string callId, IceCandidate[] candidates) =>
        calls.SendIceCandidatesAsync(Context.ConnectionId, callId, candidates, Context.ConnectionAborted);

    public Task EndCall(string callId, string reason) => calls.EndCallAsync(Context.ConnectionId, callId, reason, Context.ConnectionAborted);

    public Task<IceServer[]> GetIceServers() => Task.FromResult(calls.GetIceServers(Context.ConnectionId));
}
