using Chat.Server.Security;
using Microsoft.Extensions.Options;

namespace Chat.Server.Messaging;

/// <summary>Changes per user: <c>Messaging:MessagesPerSecond</c> sustained, <c>Messaging:Burst</c> at once.</summary>
public sealed class SendRateLimiter(IOptions<MessagingOptions> options)
    : PerUserTokenBucket(options.Value.MessagesPerSecond, options.Value.Burst, TimeSpan.FromSeconds(1));
