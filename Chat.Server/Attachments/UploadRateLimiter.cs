using Chat.Server.Security;
using Microsoft.Extensions.Options;

namespace Chat.Server.Attachments;

/// <summary>Uploads per user: <c>Attachments:UploadsPerMinute</c>, all of them at once if need be (an album), then that rate.</summary>
public sealed class UploadRateLimiter(IOptions<AttachmentsOptions> options)
    : PerUserTokenBucket(options.Value.UploadsPerMinute, options.Value.UploadsPerMinute, TimeSpan.FromMinutes(1));
