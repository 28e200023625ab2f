namespace Chat.Shared;

/// <summary>The limits of the wire contract: the one place each number is written.</summary>
public static class ChatLimits
{
    /// <summary>Longest room name.</summary>
    public const int MaxRoomNameLength = 64;

    /// <summary>Longest user name.</summary>
    public const int MaxUserNameLength = 32;

    /// <summary>Longest user id the server accepts in a request (mentions).</summary>
    public const int MaxUserIdLength = 256;

    /// <summary>Longest message, in characters after trimming.</summary>
    public const int MaxMessageLength = 4000;

    /// <summary>Longest <c>clientMessageId</c> (<see cref="ChatErrorCodes.InvalidRequest"/> beyond).</summary>
    public const int MaxClientMessageIdLength = 128;

    /// <summary>Longest message id a request may name; longer ids are unknown (<see cref="ChatErrorCodes.NotFound"/>).</summary>
    public const int MaxMessageIdLength = 64;

    /// <summary>Longest webhook URL (<see cref="CreateWebhookRequest.Url"/>).</summary>
    public const int MaxWebhookUrlLength = 2048;

    /// <summary>Most rooms one webhook may name (<see cref="CreateWebhookRequest.Rooms"/>).</summary>
    public const int MaxWebhookRooms = 100;

    /// <summary>Rooms one connection may be in at once.</summary>
    public const int MaxRoomsPerConnection = 100;

    /// <summary>Messages returned by <see cref="IChatHub.JoinRoom"/>.</summary>
    public const int RecentMessagesOnJoin = 50;

    /// <summary>Largest <c>limit</c> of <see cref="IChatHub.GetHistory"/>.</summary>
    public const int MaxHistoryPage = 200;

    /// <summary>Largest <c>limit</c> of <see cref="IChatHub.GetMessagesSince"/>.</summary>
    public const int MaxMessagesSincePage = 500;

    /// <summary>Largest <c>limit</c> of <see cref="IChatHub.GetEventsSince"/>.</summary>
    public const int MaxEventsSincePage = 500;

    /// <summary>
    /// Default of the server's <c>Events:MaxReplay</c>: when more changes than this are missing,
    /// <see cref="EventsPage.ResetRequired"/> tells the client to reload the room instead of replaying.
    /// </summary>
    public const int DefaultMaxEventReplay = 10_000;

    /// <summary>Longest reaction, in UTF-16 code units.</summary>
    public const int MaxReactionLength = 32;

    /// <summary>Distinct reactions one message may carry.</summary>
    public const int MaxReactionsPerMessage = 20;

    /// <summary>User ids listed per reaction in <see cref="Reaction.UserIds"/> (the first to react).</summary>
    public const int MaxReactionUserIds = 10;

    /// <summary>Mentions one message may carry (<see cref="ChatErrorCodes.InvalidRequest"/> beyond).</summary>
    public const int MaxMentions = 50;

    /// <summary>Attachments one message may carry.</summary>
    public const int MaxAttachmentsPerMessage = 10;

    /// <summary>The default page of <see cref="IChatHub.SearchMessages"/>.</summary>
    public const int DefaultSearchPage = 20;

    /// <summary>Largest page of <see cref="IChatHub.SearchMessages"/>.</summary>
    public const int MaxSearchPage = 50;

    /// <summary>Longest <see cref="SearchRequest.Query"/>, in characters.</summary>
    public const int MaxSearchQueryLength = 256;

    /// <summary>Most words, phrases and prefixes one search may hold.</summary>
    public const int MaxSearchTerms = 16;

    /// <summary>Shortest prefix of a <c>prefix*</c> search term, in characters.</summary>
    public const int MinSearchPrefixLength = 2;

    /// <summary>Default of the server's <c>Attachments:MaxBytes</c>: larger uploads answer 413.</summary>
    public const long DefaultAttachmentMaxBytes = 10 * 1024 * 1024;

    /// <summary>Longest <see cref="Attachment.FileName"/> kept; longer names are shortened, keeping the extension.</summary>
    public const int MaxAttachmentFileNameLength = 255;

    /// <summary>How long an uploaded attachment waits to be posted before the server removes it.</summary>
    public static readonly TimeSpan UnpostedAttachmentLifetime = TimeSpan.FromHours(24);

    /// <summary>How long an <see cref="Attachment.Url"/> stays valid at least (it is signed again on every read).</summary>
    public static readonly TimeSpan AttachmentUrlLifetime = TimeSpan.FromHours(1);

    /// <summary>Longest <see cref="MessageRef.Preview"/> of a replied-to message.</summary>
    public const int MaxReplyPreviewLength = 100;

    /// <summary>Longest <see cref="RoomInfo.Title"/>.</summary>
    public const int MaxRoomTitleLength = 100;

    /// <summary>Longest <see cref="RoomInfo.Topic"/>.</summary>
    public const int MaxRoomTopicLength = 500;

    /// <summary>Longest slow mode, in seconds (<see cref="UpdateRoomRequest.SlowModeSeconds"/>).</summary>
    public const int MaxSlowModeSeconds = 3600;

    /// <summary>Users <see cref="CreateRoomRequest.MemberIds"/> may add at once.</summary>
    public const int MaxMembersOnCreate = 100;

    /// <summary>
    /// Most users <see cref="JoinResult.Members"/> and <see cref="IChatHub.GetPresence"/> list: a join costs the same
    /// in a room of any size. <see cref="JoinResult.MemberCount"/> counts them all; <see cref="IChatHub.GetMembers"/>
    /// pages the room's lasting members.
    /// </summary>
    public const int MaxPresenceListed = 100;

    /// <summary>
    /// Users online from which a room is large by default: per-user join, leave, presence and typing events stop and
    /// <see cref="IChatClient.RoomActivity"/> reports the counts instead. The room stays large until it falls below
    /// nine tenths of the threshold, so a crowd at the edge does not switch modes with every join.
    /// </summary>
    public const int DefaultLargeRoomThreshold = 1_000;

    /// <summary>Largest <c>limit</c> of <see cref="IChatHub.GetMembers"/>.</summary>
    public const int MaxMembersPage = 200;

    /// <summary>Longest ban reason.</summary>
    public const int MaxBanReasonLength = 200;

    /// <summary>Largest page of <c>GetNotifications</c>.</summary>
    public const int MaxNotificationsPage = 100;

    /// <summary>Default of the server's <c>ReadState:ReceiptsMaxMembers</c>: rooms with more members have no read receipts.</summary>
    public const int DefaultReceiptsMaxMembers = 100;

    /// <summary>The prefix of every direct room's name: kept for them, so nobody can create a room that looks like one.</summary>
    public const string DirectRoomPrefix = "dm-";

    /// <summary>
    /// Largest hub message the server accepts, in bytes: room for a maximal SDP (<see cref="MaxSdpLength"/>) with its
    /// JSON escaping, so an over-long SDP is refused with a code instead of closing the connection.
    /// </summary>
    public const int MaxHubMessageBytes = 128 * 1024;

    /// <summary>Longest SDP offer or answer, in characters (<see cref="ChatErrorCodes.TooLarge"/> beyond).</summary>
    public const int MaxSdpLength = 64 * 1024;

    /// <summary>Longest ICE candidate line, in characters (<see cref="ChatErrorCodes.InvalidRequest"/> beyond).</summary>
    public const int MaxIceCandidateLength = 1024;

    /// <summary>Most candidates one <see cref="IChatHub.SendIceCandidates"/> may carry (<see cref="ChatErrorCodes.InvalidRequest"/> beyond).</summary>
    public const int MaxIceCandidatesPerSend = 50;

    /// <summary>Candidates one party of a call may send per second, sustained (<see cref="ChatErrorCodes.RateLimited"/> beyond).</summary>
    public const int IceCandidatesPerSecond = 20;

    /// <summary>Candidates one party of a call may send at once, in a burst.</summary>
    public const int IceCandidateBurst = 100;

    /// <summary>Default of the server's <c>Calls:RingTimeout</c>: an unanswered call ends after it (<see cref="CallEndReasons.Timeout"/>).</summary>
    public static readonly TimeSpan DefaultCallRingTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Seconds after the last <c>SetTyping(true)</c> when the server ends a typing state.</summary>
    public const int TypingTimeoutSeconds = 5;

    /// <summary>Default sustained send rate per user, messages (and other changes) per second.</summary>
    public const int DefaultMessagesPerSecond = 10;

    /// <summary>Default send burst per user.</summary>
    public const int DefaultMessageBurst = 20;
}
