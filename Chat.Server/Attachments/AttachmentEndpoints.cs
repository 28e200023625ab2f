using System.Globalization;
using Chat.Server.Api;
using Chat.Server.Auth;
using Chat.Server.Conversations;
using Chat.Server.History;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Shared;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Chat.Server.Attachments;

/// <summary>
/// <c>POST /api/attachments</c> (upload) and <c>GET /api/attachments/{id}</c> (fetch). An upload streams from the
/// request straight into <see cref="IAttachmentBlobs"/>, never whole in memory; a fetch is served so that no
/// uploaded file can run as a page of this origin (see docs/security.md, "Attachments").
/// </summary>
internal static class AttachmentEndpoints
{
    /// <summary>
    /// What a multipart body may carry besides the file's bytes: the boundaries, the part's headers and a few small
    /// fields. A body declared larger than <c>MaxBytes</c> plus this is refused before a byte of it is read.
    /// </summary>
    public const long MultipartAllowance = 64 * 1024;

    /// <summary>The only part that is read: the file.</summary>
    private const string FilePart = "file";

    private const string ContentSecurityPolicy = "sandbox; default-src 'none'";

    private const string CacheControl = "private, max-age=3600";

    public static async Task<IResult> UploadAsync(
        HttpContext context,
        IAttachmentBlobs blobs,
        AttachmentLinks links,
        UploadRateLimiter rateLimiter,
        IOptions<AttachmentsOptions> options,
        TimeProvider time,
        ChatMetrics metrics,
        ILoggerFactory loggers)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        var user = context.User.ToChatUser();
        var maxBytes = options.Value.MaxBytes;
        var logger = loggers.CreateLogger(typeof(AttachmentEndpoints).FullName!);

        // Kestrel stops the body at the same bound (its own default is 30 MB, whatever MaxBytes says), so a body
        // without Content-Length cannot run on past the file either.
        var bodyLimit = maxBytes + MultipartAllowance;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = bodyLimit;
        }

        if (request.ContentLength > bodyLimit)
        {
            return TooLarge(context, logger, user, maxBytes);
        }

        if (!rateLimiter.TryAcquire(user.Id))
        {
            context.Response.Headers.RetryAfter = "60";
            return ChatProblems.Problem(ChatErrorCodes.RateLimited,
                $"At most {options.Value.UploadsPerMinute} uploads a minute; retry in a minute.");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary) is not { Length: > 0 and <= 70 } boundary)
        {
            return ChatProblems.Problem(ChatErrorCodes.InvalidRequest, "Send multipart/form-data with the file in a part named 'file'.");
        }

        var reader = new MultipartReader(boundary.ToString(), request.Body);
        try
        {
            for (var section = await NextSectionAsync(reader, cancellationToken); section is not null; section = await NextSectionAsync(reader, cancellationToken))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || !HeaderUtilities.RemoveQuotes(disposition.Name).Equals(FilePart, StringComparison.Ordinal))
                {
                    // Another field: the reader skips its bytes when it moves on to the next part.
                    continue;
                }

                var uploaded = disposition.FileNameStar.HasValue ? disposition.FileNameStar : HeaderUtilities.RemoveQuotes(disposition.FileName);
                var fileName = AttachmentFileNames.Clean(uploaded.Value);
                var id = AttachmentIds.New();
                var record = await blobs.StoreAsync(id, new RequestBody(section.Body), maxBytes, (stored, size, _) =>
                {
                    var type = AttachmentTypes.Detect(stored);
                    return Task.FromResult(new AttachmentRecord
                    {
                        Id = id,
                        OwnerId = user.Id,
                        FileName = fileName,
                        ContentType = type.ContentType,
                        Size = size,
                        Width = type.Width,
                        Height = type.Height,
                        UploadedAt = time.GetUtcNow().UtcDateTime,
                    });
                }, cancellationToken);

                metrics.AttachmentUploaded(record.Size);
                ChatLog.AttachmentUploaded(logger, user.Id, record.Id, record.ContentType, record.Size);
                var attachment = ToAttachment(record, links);
                return TypedResults.Created(attachment.Url, attachment);
            }
        }
        catch (AttachmentTooLargeException)
        {
            return TooLarge(context, logger, user, maxBytes);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The body went past MaxBytes plus the allowance before the file did (many or large other fields).
            return TooLarge(context, logger, user, maxBytes);
        }
        catch (InvalidDataException)
        {
            // The multipart framing is broken (a part header too long, a body that ends before its last boundary), or
            // the client went away mid-upload.
            return ChatProblems.Problem(ChatErrorCodes.InvalidRequest, "The multipart body is malformed or incomplete.");
        }

        return ChatProblems.Problem(ChatErrorCodes.InvalidRequest, "The body has no part named 'file'.");
    }

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (IOException e) when (RequestBody.IsTheClients(e))
        {
            throw new InvalidDataException("The upload ended before its body did.", e);
        }
    }

    public static async Task<IResult> FetchAsync(
        string id,
        HttpContext context,
        IDbContextFactory<ChatDbContext> contexts,
        IAttachmentBlobs blobs,
        AttachmentLinks links,
        RoomPolicy policy,
        ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        if (!AttachmentIds.IsValid(id))
        {
            return NotFound();
        }

        AttachmentRecord? record;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            record = await db.Attachments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        }

        if (record is null)
        {
            return NotFound();
        }

        var query = context.Request.Query;
        var signed = query.ContainsKey("sig") || query.ContainsKey("expires");
        var validSignature = signed
            && long.TryParse(query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && links.IsValid(id, expires, query["sig"]);
        if (!validSignature)
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                // A bad or expired link is refused as such; with nothing at all, the client is asked for a token.
                return signed
                    ? ChatProblems.Problem(ChatErrorCodes.Forbidden, "This link is invalid or has expired; read the message again for a fresh one.")
                    : Results.Challenge();
            }

            if (!await MayReadAsync(context.User.ToChatUser(), record, policy, cancellationToken))
            {
                return ChatProblems.Problem(ChatErrorCodes.Forbidden, "Only people who may read the attachment's room may fetch it.");
            }
        }

        var content = await blobs.OpenReadAsync(id, cancellationToken);
        if (content is null)
        {
            // Deleted with its message between the two reads, or lost: either way there is nothing to serve.
            ChatLog.AttachmentBytesMissing(loggers.CreateLogger(typeof(AttachmentEndpoints).FullName!), id);
            return NotFound();
        }

        var inline = AttachmentTypes.IsInline(record.ContentType);
        var headers = context.Response.Headers;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.CacheControl] = CacheControl;
        var disposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        // filename= (ASCII, what is not ASCII replaced) for old clients, filename*=UTF-8''... (RFC 5987) for the rest.
        disposition.SetHttpFileName(record.FileName);
        headers[HeaderNames.ContentDisposition] = disposition.ToString();
        if (!content.CanSeek)
        {
            // The database store reads chunk by chunk and cannot tell its length: the row can.
            context.Response.ContentLength = record.Size;
        }

        return Results.Stream(
            content,
            inline ? record.ContentType : AttachmentTypes.Binary,
            lastModified: new DateTimeOffset(DateTime.SpecifyKind(record.UploadedAt, DateTimeKind.Utc)),
            entityTag: new EntityTagHeaderValue($"\"{id}\""),
            enableRangeProcessing: content.CanSeek);
    }

    public static Attachment ToAttachment(AttachmentRecord record, AttachmentLinks links) =>
        new(record.Id, record.FileName, record.ContentType, record.Size, record.Width, record.Height, links.UrlFor(record.Id));

    /// <summary>Unposted: only its uploader. Posted: whoever may read the room it was posted in.</summary>
    private static async Task<bool> MayReadAsync(ChatUser user, AttachmentRecord record, RoomPolicy policy, CancellationToken cancellationToken)
    {
        if (record.Room is null)
        {
            return record.OwnerId == user.Id;
        }

        try
        {
            await policy.AuthorizeAsync(user, RoomName.Trusted(record.Room), RoomAction.Read, cancellationToken: cancellationToken);
            return true;
        }
        catch (ChatException)
        {
            return false;
        }
    }

    private static IResult TooLarge(HttpContext context, ILogger logger, ChatUser user, long maxBytes)
    {
        ChatLog.AttachmentTooLarge(logger, user.Id, maxBytes);
        // The rest of the body is not wanted: closing the connection spares reading (and the client sending) it.
        // HTTP/2 and 3 have no such header; there Kestrel resets the request's stream instead.
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
        return ChatProblems.Problem(
            ChatErrorCodes.TooLarge,
            $"An attachment is at most {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes.",
            new Dictionary<string, object?> { ["maxBytes"] = maxBytes });
    }

    private static IResult NotFound() => ChatProblems.Problem(ChatErrorCodes.NotFound, "There is no such attachment.");

    /// <summary>
    /// The file part of the request body, whose read failures (the body ended early, the client went away) are the
    /// client's and so are told apart from the store's: they surface as <see cref="InvalidDataException"/> (400),
    /// the store's own I/O failures as themselves (500). Kestrel's 413 passes as it is.
    /// </summary>
    private sealed class RequestBody(Stream inner) : ForwardOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException e) when (IsTheClients(e))
            {
                throw new InvalidDataException("The upload ended before its body did.", e);
            }
        }

        public static bool IsTheClients(IOException e) => e is not BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
    }
}
