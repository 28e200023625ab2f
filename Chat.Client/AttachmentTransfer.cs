using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Shared;
using Microsoft.Extensions.Logging;

namespace Chat.Client;

/// <summary>
/// The client's HTTP side: uploads to <see cref="ChatRoutes.Attachments"/> with the bearer token the hub presents, and
/// downloads of attachment URLs. Not retried by itself, unlike hub calls: an upload that failed half way may have been
/// stored, and repeating it would store the file twice (the one exception is a refused token, below).
/// </summary>
internal sealed class AttachmentTransfer : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Uri _baseUrl;
    private readonly AccessTokenSource _tokens;
    private readonly ILogger _logger;
    private readonly HttpClient _http;

    public AttachmentTransfer(Uri baseUrl, AccessTokenSource tokens, ILogger logger)
    {
        _baseUrl = baseUrl;
        _tokens = tokens;
        _logger = logger;
        // An upload of many megabytes over a slow link may take minutes: the caller's token bounds it, not a fixed timeout.
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// An attachment URL as an absolute address: a relative one (what the server hands out) is taken relative to the
    /// server's base address, as the hub's path is, so a server behind a path prefix works too.
    /// </summary>
    public Uri Resolve(string url) =>
        // On Unix "/api/…" parses as an absolute file: URI, hence the scheme check.
        Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps)
            ? absolute
            : new Uri(_baseUrl, url.TrimStart('/'));

    public async Task<Attachment> UploadAsync(
        Stream content, string fileName, string? contentType, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var uploadUrl = new Uri(_baseUrl, ChatRoutes.Attachments.TrimStart('/'));
        var body = new UploadBody(content, progress);
        var renewed = false;
        while (true)
        {
            var token = await _tokens.GetAsync(cancellationToken);
            using var form = new MultipartFormDataContent();
            form.Add(body.CreateContent(contentType), "file", fileName);
            using var request = new HttpRequestMessage(HttpMethod.Post, uploadUrl) { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            // Ask before sending the file: a refusal (a stale token, a Content-Length beyond the limit) then costs no
            // upload, and the stream is still unread for the retry with a renewed token.
            request.Headers.ExpectContinue = true;
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && !renewed && body.CanRestart)
            {
                // Retrying is safe here: the server stored nothing for a request it did not let in.
                ChatClientLog.TokenRejected(_logger);
                _tokens.Invalidate(token);
                renewed = true;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, cancellationToken);
            }

            var attachment = await response.Content.ReadFromJsonAsync<Attachment>(Json, cancellationToken)
                ?? throw new InvalidOperationException("The server answered the upload with an empty body.");
            ChatClientLog.AttachmentUploaded(_logger, attachment.Id, attachment.Size, attachment.ContentType);
            return attachment;
        }
    }

    public async Task<Stream> OpenAsync(string url, CancellationToken cancellationToken)
    {
        var address = Resolve(url);
        var response = await GetAsync(address, null, cancellationToken);
        try
        {
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized && _baseUrl.IsBaseOf(address))
            {
                // The signature expired (a URL is good for an hour or so): the user's own token still opens the file of
                // a room they may read. Only ever sent to this server.
                ChatClientLog.AttachmentUrlRefused(_logger, address.AbsolutePath, (int)response.StatusCode);
                response.Dispose();
                response = await GetAsync(address, await _tokens.GetAsync(cancellationToken), cancellationToken);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, cancellationToken);
            }

            // Reading the stream to its end, or disposing it, releases the response.
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> GetAsync(Uri address, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>
    /// The refusal as the client's exception: the code from the problem details' <c>code</c> member, else one for the
    /// status (<see cref="ChatErrorCodes.TooLarge"/> for a 413 from a proxy that says no more), and the server's sentence
    /// when it gave one.
    /// </summary>
    private static async Task<ChatRequestException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? code = null;
        string? detail = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                using var problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                if (problem.RootElement.ValueKind == JsonValueKind.Object)
                {
                    code = StringMember(problem.RootElement, "code");
                    detail = StringMember(problem.RootElement, "detail") ?? StringMember(problem.RootElement, "title");
                }
            }
            catch (JsonException)
            {
                // Not problem details after all: the status speaks for itself.
            }
        }

        var status = response.StatusCode;
        code ??= status switch
        {
            HttpStatusCode.BadRequest => ChatErrorCodes.InvalidRequest,
            HttpStatusCode.Unauthorized => ChatClientErrorCodes.Unauthorized,
            HttpStatusCode.Forbidden => ChatErrorCodes.Forbidden,
            HttpStatusCode.NotFound => ChatErrorCodes.NotFound,
            HttpStatusCode.RequestEntityTooLarge => ChatErrorCodes.TooLarge,
            HttpStatusCode.TooManyRequests => ChatErrorCodes.RateLimited,
            HttpStatusCode.ServiceUnavailable => ChatErrorCodes.Unavailable,
            _ => null,
        };
        var sentence = detail ?? $"The server answered {(int)status} {response.ReasonPhrase}.";
        var message = code is null ? sentence : $"{code}: {sentence}";
        return new ChatRequestException(code, status, message);
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.String ? member.GetString() : null;

    /// <summary>
    /// The file being uploaded, read as it is sent. Each attempt gets content of its own (a sent request cannot be sent
    /// again); they share the stream, which is rewound for a repeat when it can seek, and otherwise may be repeated only
    /// while nothing of it has been read.
    /// </summary>
    private sealed class UploadBody(Stream source, IProgress<long>? progress)
    {
        private readonly long? _start = source.CanSeek ? source.Position : null;
        private long _read;

        public bool CanRestart => _start is not null || Interlocked.Read(ref _read) == 0;

        /// <summary>The bytes left from where the stream stood at the start; null when it cannot seek (then it is sent chunked).</summary>
        public long? Length => _start is { } start ? Math.Max(0, source.Length - start) : null;

        public HttpContent CreateContent(string? contentType)
        {
            var content = new Content(this);
            // The server detects the type from the bytes; this is only what the caller believes it is.
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
            return content;
        }

        private async Task CopyToAsync(Stream target, CancellationToken cancellationToken)
        {
            if (_start is { } start)
            {
                source.Position = start;
            }
            else if (Interlocked.Read(ref _read) > 0)
            {
                throw new InvalidOperationException("The upload's stream cannot seek and was read already: it cannot be sent again.");
            }

            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                long sent = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    Interlocked.Add(ref _read, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    sent += read;
                    progress?.Report(sent);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private sealed class Content(UploadBody body) : HttpContent
        {
            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
                body.CopyToAsync(stream, CancellationToken.None);

            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
                body.CopyToAsync(stream, cancellationToken);

            // A known length lets the server refuse an oversized file from its Content-Length, before it is sent.
            protected override bool TryComputeLength(out long length)
            {
                length = body.Length ?? 0;
                return body.Length is not null;
            }
        }
    }
}
