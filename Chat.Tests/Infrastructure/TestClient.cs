using Chat.Shared;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Infrastructure;

/// <summary>A raw SignalR connection (no Chat.Client) that records every callback, for specifying the hub itself.</summary>
public sealed class TestClient : IAsyncDisposable
{
    public TestClient(HubConnection connection, string userName)
    {
        Connection = connection;
        UserName = userName;
        connection.On<ChatMessage>(nameof(IChatClient.MessageReceived), Messages.Add);
        connection.On<RoomEvent>(nameof(IChatClient.RoomChanged), Changes.Add);
        connection.On<RoomMemberEvent>(nameof(IChatClient.UserJoined), Joined.Add);
        connection.On<RoomMemberEvent>(nameof(IChatClient.UserLeft), Left.Add);
        connection.On<TypingNotice>(nameof(IChatClient.TypingChanged), Typing.Add);
        connection.On<PresenceChange>(nameof(IChatClient.PresenceChanged), Presence.Add);
        connection.On<RoomActivity>(nameof(IChatClient.RoomActivity), Activity.Add);
        connection.On<ReadState>(nameof(IChatClient.ReadStateChanged), ReadStates.Add);
        connection.On<ReadReceipt>(nameof(IChatClient.ReadReceiptChanged), Receipts.Add);
        connection.On<Notification>(nameof(IChatClient.NotificationReceived), Notifications.Add);
        connection.On<IncomingCall>(nameof(IChatClient.CallOffered), CallsOffered.Add);
        connection.On<CallAnswer>(nameof(IChatClient.CallAnswered), CallsAnswered.Add);
        connection.On<IceCandidates>(nameof(IChatClient.IceCandidatesReceived), Candidates.Add);
        connection.On<CallEnd>(nameof(IChatClient.CallEnded), CallsEnded.Add);
    }

    public HubConnection Connection { get; }

    public string UserName { get; }

    public string UserId => "guest:" + UserName.ToLowerInvariant();

    public EventLog<ChatMessage> Messages { get; } = new();

    /// <summary>Every <see cref="IChatClient.RoomChanged"/>: the changes other than new messages.</summary>
    public EventLog<RoomEvent> Changes { get; } = new();

    public EventLog<RoomMemberEvent> Joined { get; } = new();

    public EventLog<RoomMemberEvent> Left { get; } = new();

    public EventLog<TypingNotice> Typing { get; } = new();

    public EventLog<PresenceChange> Presence { get; } = new();

    /// <summary>Every <see cref="IChatClient.RoomActivity"/>: the counts of a large room.</summary>
    public EventLog<RoomActivity> Activity { get; } = new();

    /// <summary>Every <see cref="IChatClient.ReadStateChanged"/>: this user's read pointer moved, here or on another device.</summary>
    public EventLog<ReadState> ReadStates { get; } = new();

    /// <summary>Every <see cref="IChatClient.ReadReceiptChanged"/>: a member's read pointer moved in a joined room.</summary>
    public EventLog<ReadReceipt> Receipts { get; } = new();

    /// <summary>Every <see cref="IChatClient.NotificationReceived"/>.</summary>
    public EventLog<Notification> Notifications { get; } = new();

    public EventLog<IncomingCall> CallsOffered { get; } = new();

    public EventLog<CallAnswer> CallsAnswered { get; } = new();

    public EventLog<IceCandidates> Candidates { get; } = new();

    public EventLog<CallEnd> CallsEnded { get; } = new();

    public Task<JoinResult> JoinRoom(string room) => Invoke<JoinResult>(nameof(IChatHub.JoinRoom), room);

    public Task LeaveRoom(string room) => Connection.InvokeAsync(nameof(IChatHub.LeaveRoom), room).WithTimeout();

    public Task<ChatMessage> SendMessage(string room, string content, string? clientMessageId = null) =>
        Invoke<ChatMessage>(nameof(IChatHub.SendMessage), room, content, clientMessageId);

    public Task SetTyping(string room, bool isTyping) => Connection.InvokeAsync(nameof(IChatHub.SetTyping), room, isTyping).WithTimeout();

    public Task<ChatMessage[]> GetHistory(string room, long? beforeSequence, int limit) =>
        Invoke<ChatMessage[]>(nameof(IChatHub.GetHistory), room, beforeSequence, limit);

    public Task<ChatMessage[]> GetMessagesSince(string room, long afterSequence, int limit) =>
        Invoke<ChatMessage[]>(nameof(IChatHub.GetMessagesSince), room, afterSequence, limit);

    public Task<EventsPage> GetEventsSince(string room, long afterEventSequence, int limit) =>
        Invoke<EventsPage>(nameof(IChatHub.GetEventsSince), room, afterEventSequence, limit);

    /// <summary>The room's whole change log, paged through <see cref="GetEventsSince"/> from the first change.</summary>
    public async Task<List<RoomEvent>> ReadAllEventsAsync(string room)
    {
        var all = new List<RoomEvent>();
        while (true)
        {
            var page = await GetEventsSince(room, all.Count == 0 ? 0 : all[^1].EventSequence, ChatLimits.MaxEventsSincePage);
            if (page.Events.Length == 0)
            {
                return all;
            }

            all.AddRange(page.Events);
        }
    }

    public Task<ChatMessage> PostMessage(string room, PostMessageRequest request) =>
        Invoke<ChatMessage>(nameof(IChatHub.PostMessage), room, request);

    public Task<ChatMessage> EditMessage(string room, string messageId, string content) =>
        Invoke<ChatMessage>(nameof(IChatHub.EditMessage), room, messageId, content);

    public Task DeleteMessage(string room, string messageId) =>
        Connection.InvokeAsync(nameof(IChatHub.DeleteMessage), room, messageId).WithTimeout();

    public Task<ChatMessage> AddReaction(string room, string messageId, string reaction) =>
        Invoke<ChatMessage>(nameof(IChatHub.AddReaction), room, messageId, reaction);

    public Task<ChatMessage> RemoveReaction(string room, string messageId, string reaction) =>
        Invoke<ChatMessage>(nameof(IChatHub.RemoveReaction), room, messageId, reaction);

    public Task<RoomSummary[]> ListRooms() => Invoke<RoomSummary[]>(nameof(IChatHub.ListRooms));

    public Task<UserPresence[]> GetPresence(string room) => Invoke<UserPresence[]>(nameof(IChatHub.GetPresence), room);

    public Task<RoomInfo> CreateRoom(CreateRoomRequest request) => Invoke<RoomInfo>(nameof(IChatHub.CreateRoom), request);

    public Task<RoomInfo> OpenDirect(string userId) => Invoke<RoomInfo>(nameof(IChatHub.OpenDirect), userId);

    public Task<RoomInfo> UpdateRoom(string room, UpdateRoomRequest request) => Invoke<RoomInfo>(nameof(IChatHub.UpdateRoom), room, request);

    public Task<MyRoom[]> ListMyRooms() => Invoke<MyRoom[]>(nameof(IChatHub.ListMyRooms));

    public Task<RoomMember[]> GetMembers(string room, string? afterUserId, int limit) =>
        Invoke<RoomMember[]>(nameof(IChatHub.GetMembers), room, afterUserId, limit);

    public Task<RoomMember> AddMember(string room, string userId) => Invoke<RoomMember>(nameof(IChatHub.AddMember), room, userId);

    public Task RemoveMember(string room, string userId) => Connection.InvokeAsync(nameof(IChatHub.RemoveMember), room, userId).WithTimeout();

    public Task<RoomMember> SetMemberRole(string room, string userId, string role) =>
        Invoke<RoomMember>(nameof(IChatHub.SetMemberRole), room, userId, role);

    public Task BanMember(string room, string userId, DateTime? until = null, string? reason = null) =>
        Connection.InvokeAsync(nameof(IChatHub.BanMember), room, userId, until, reason).WithTimeout();

    public Task UnbanMember(string room, string userId) => Connection.InvokeAsync(nameof(IChatHub.UnbanMember), room, userId).WithTimeout();

    public Task<RoomMember> MuteMember(string room, string userId, DateTime? until) =>
        Invoke<RoomMember>(nameof(IChatHub.MuteMember), room, userId, until);

    public Task<ReadState> MarkRead(string room, long sequence) => Invoke<ReadState>(nameof(IChatHub.MarkRead), room, sequence);

    public Task<ReadReceipt[]> GetReadReceipts(string room) => Invoke<ReadReceipt[]>(nameof(IChatHub.GetReadReceipts), room);

    public Task<Notification[]> GetNotifications(string? beforeId, int limit) =>
        Invoke<Notification[]>(nameof(IChatHub.GetNotifications), beforeId, limit);

    public Task<SearchResult> SearchMessages(SearchRequest request) =>
        Invoke<SearchResult>(nameof(IChatHub.SearchMessages), request);

    public Task StartCall(string room, CallOffer offer) => Connection.InvokeAsync(nameof(IChatHub.StartCall), room, offer).WithTimeout();

    public Task AnswerCall(string callId, string sdp) => Connection.InvokeAsync(nameof(IChatHub.AnswerCall), callId, sdp).WithTimeout();

    public Task SendIceCandidates(string callId, params IceCandidate[] candidates) =>
        Connection.InvokeAsync(nameof(IChatHub.SendIceCandidates), callId, candidates).WithTimeout();

    public Task EndCall(string callId, string reason) => Connection.InvokeAsync(nameof(IChatHub.EndCall), callId, reason).WithTimeout();

    public Task<IceServer[]> GetIceServers() => Invoke<IceServer[]>(nameof(IChatHub.GetIceServers));

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private Task<T> Invoke<T>(string method, params object?[] args) => Connection.InvokeCoreAsync<T>(method, args).WithTimeout();
}
