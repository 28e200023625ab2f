using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Chat.Server.History;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Attachments;

/// <summary>Uploads and fetches as a client does them, over HTTP.</summary>
internal static class Uploads
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string? token, byte[] bytes, string fileName, string? clientContentType = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        if (clientContentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(clientContentType);
        }

        form.Add(file, "file", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.Attachments) { Content = form };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request).WithTimeout();
    }

    /// <summary>Uploads and expects 201 with the attachment.</summary>
    public static async Task<Attachment> UploadAsync(HttpClient http, string token, byte[] bytes, string fileName)
    {
        using var response = await PostAsync(http, token, bytes, fileName);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<Attachment>().WithTimeout())!;
    }

    public static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, string? token = null, HttpMethod? method = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        return await http.SendAsync(request).WithTimeout();
    }

    /// <summary>The <c>code</c> member of a problem-details answer.</summary>
    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    /// <summary>The attachment rows <paramref name="userId"/> has in the server's store.</summary>
    public static async Task<List<AttachmentRecord>> RowsOfAsync(IServiceProvider services, string userId)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        return await db.Attachments.AsNoTracking().Where(a => a.OwnerId == userId).ToListAsync().WithTimeout();
    }

    /// <summary>Every file under the folder store's root, partial ones included.</summary>
    public static IReadOnlyList<string> FilesIn(string root) =>
        Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
}

/// <summary>
/// An upload written by hand on a socket, to control exactly what is sent when: a body that is declared but not
/// sent, or one that never ends.
/// </summary>
internal sealed class RawUpload : IAsyncDisposable
{
    public const string Boundary = "raw-upload-boundary";

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawUpload(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The multipart start of the file part, before its bytes.</summary>
    public static byte[] FilePartStart(string fileName = "big.bin") => Encoding.ASCII.GetBytes(
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");

    public static byte[] End => Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");

    /// <summary>Opens a connection and sends the request line and headers: with <paramref name="contentLength"/>, or chunked without.</summary>
    public static async Task<RawUpload> StartAsync(Uri server, string token, long? contentLength)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port).WithTimeout();
        var upload = new RawUpload(tcp);
        var framing = contentLength is { } length ? $"Content-Length: {length}" : "Transfer-Encoding: chunked";
        await upload.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {ChatRoutes.Attachments} HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {token}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\n{framing}\r\n\r\n"));
        return upload;
    }

    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WithTimeout();

    public Task WriteChunkAsync(byte[] bytes) =>
        WriteAsync([.. Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), .. bytes, .. "\r\n"u8]);

    /// <summary>Reads the answer's status line and headers (and whatever of the body came with them).</summary>
    public async Task<string> ReadResponseHeadAsync()
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (!Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await _stream.ReadAsync(buffer).AsTask().WithTimeout();
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>Reads until the server closes the connection.</summary>
    public async Task<string> ReadToEndAsync()
    {
        var received = new MemoryStream();
        try
        {
            await _stream.CopyToAsync(received).WithTimeout();
        }
        catch (IOException)
        {
            // Reset by the server after its answer: what came before still counts.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
