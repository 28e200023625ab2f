using Chat.Server.Security;
using Chat.Shared;

namespace Chat.Server.Calls;

/// <summary>ICE candidates per party of a call (keyed by call and connection), on the node that holds the connection.</summary>
public sealed class CallRateLimiter() : PerUserTokenBucket(ChatLimits.IceCandidatesPerSecond, ChatLimits.IceCandidateBurst, TimeSpan.FromSeconds(1));
