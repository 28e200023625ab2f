using MessagePack;

namespace Chat.Shared;

/// <summary>What a caller sends with <see cref="IChatHub.StartCall"/>: its WebRTC offer.</summary>
/// <param name="CallId">The caller's id for the call (<see cref="ChatRules.IsValidCallId"/>), unique while the server remembers it.</param>
/// <param name="Sdp">The SDP offer, at most <see cref="ChatLimits.MaxSdpLength"/> characters.</param>
/// <param name="Video">Whether the caller offers video (else audio only): for the callee's ringing screen.</param>
[MessagePackObject]
public sealed record CallOffer(
    [property: Key("callId")] string CallId,
    [property: Key("sdp")] string Sdp,
    [property: Key("video")] bool Video);

/// <summary>An incoming call, rung on every connection of the callee (<see cref="IChatClient.CallOffered"/>).</summary>
/// <param name="CallId">The caller's id for the call: name it in <see cref="IChatHub.AnswerCall"/> or <see cref="IChatHub.EndCall"/>.</param>
/// <param name="Sdp">The caller's SDP offer.</param>
/// <param name="Video">Whether the caller offers video.</param>
/// <param name="Room">The direct room of the two users.</param>
/// <param name="FromUserId">The caller.</param>
/// <param name="FromUserName">The caller's display name.</param>
[MessagePackObject]
public sealed record IncomingCall(
    [property: Key("callId")] string CallId,
    [property: Key("sdp")] string Sdp,
    [property: Key("video")] bool Video,
    [property: Key("room")] string Room,
    [property: Key("fromUserId")] string FromUserId,
    [property: Key("fromUserName")] string FromUserName);

/// <summary>The callee took the call (<see cref="IChatClient.CallAnswered"/>, to the caller's connection only).</summary>
/// <param name="CallId">The call.</param>
/// <param name="Sdp">The callee's SDP answer.</param>
[MessagePackObject]
public sealed record CallAnswer(
    [property: Key("callId")] string CallId,
    [property: Key("sdp")] string Sdp);

/// <summary>One ICE candidate, as the browser's <c>RTCIceCandidateInit</c> holds it.</summary>
/// <param name="Candidate">The candidate line, at most <see cref="ChatLimits.MaxIceCandidateLength"/> characters.</param>
/// <param name="SdpMid">The media stream id it belongs to.</param>
/// <param name="SdpMLineIndex">The index of the media line it belongs to.</param>
[MessagePackObject]
public sealed record IceCandidate(
    [property: Key("candidate")] string Candidate,
    [property: Key("sdpMid")] string? SdpMid,
    [property: Key("sdpMLineIndex")] int? SdpMLineIndex);

/// <summary>The other party's ICE candidates (<see cref="IChatClient.IceCandidatesReceived"/>).</summary>
/// <param name="CallId">The call.</param>
/// <param name="Candidates">In the order they were sent.</param>
[MessagePackObject]
public sealed record IceCandidates(
    [property: Key("callId")] string CallId,
    [property: Key("candidates")] IceCandidate[] Candidates);

/// <summary>The call is over for this connection (<see cref="IChatClient.CallEnded"/>).</summary>
/// <param name="CallId">The call.</param>
/// <param name="Reason">One of <see cref="CallEndReasons"/>.</param>
[MessagePackObject]
public sealed record CallEnd(
    [property: Key("callId")] string CallId,
    [property: Key("reason")] string Reason);

/// <summary>A STUN or TURN server for the browser's <c>RTCPeerConnection</c> (<see cref="IChatHub.GetIceServers"/>).</summary>
/// <param name="Urls">Its <c>stun:</c>, <c>turn:</c> or <c>turns:</c> URLs.</param>
/// <param name="Username">The TURN user name (for TURN REST credentials: <c>{unix expiry}:{userId}</c>).</param>
/// <param name="Credential">The TURN password.</param>
[MessagePackObject]
public sealed record IceServer(
    [property: Key("urls")] string[] Urls,
    [property: Key("username")] string? Username,
    [property: Key("credential")] string? Credential);

/// <summary>Why a call ended: <see cref="CallEnd.Reason"/>. A client ends a call with one of the first three.</summary>
public static class CallEndReasons
{
    /// <summary>A party hung up (or the caller cancelled before an answer).</summary>
    public const string Hangup = "hangup";

    /// <summary>The callee refused the call.</summary>
    public const string Declined = "declined";

    /// <summary>The callee is in another call.</summary>
    public const string Busy = "busy";

    /// <summary>Nobody answered within the server's ring timeout (<c>Calls:RingTimeout</c>, 60 s by default).</summary>
    public const string Timeout = "timeout";

    /// <summary>Another connection of the callee answered: sent to the callee's other ringing connections.</summary>
    public const string AnsweredElsewhere = "answered_elsewhere";

    /// <summary>The other party's connection (or its server) went away.</summary>
    public const string Disconnected = "disconnected";

    /// <summary>The reasons a client may give to <see cref="IChatHub.EndCall"/>; the others are the server's.</summary>
    public static IReadOnlyList<string> ByClient { get; } = [Hangup, Declined, Busy];
}
