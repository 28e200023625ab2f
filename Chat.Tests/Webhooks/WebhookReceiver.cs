using System.Net;
using System.Text.Json;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace Chat.Tests.Webhooks;

/// <summary>
/// One POST a receiver got: its Standard Webhooks headers, its body, whether the signature held, and the status it was
/// answered (0 while unanswered).
/// </summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, RoomEvent Event, bool Verified, int Status = 0);

/// <summary>
/// A webhook receiver as a user would run one: a real Kestrel on a loopback port that verifies each signature with the
/// Standard Webhooks package. <see cref="Answer"/> decides the answer (200 unless told); it can go down and come
/// back on the same port.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<ReceivedWebhook> _received = [];
    private WebApplication? _app;

    private WebhookReceiver()
    {
    }

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}/hooks";

    /// <summary>The signing secret, once the webhook is registered: deliveries are verified with it.</summary>
    public string? Secret { get; set; }

    /// <summary>Decides each answer; 200 when null. Runs after the delivery was recorded.</summary>
    public Func<HttpContext, Task>? Answer { get; set; }

    /// <summary>Every POST so far, in arrival order (repeats included).</summary>
    public ReceivedWebhook[] Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The changes received, each once, in the order they first arrived.</summary>
    public RoomEvent[] Distinct => [.. Received.DistinctBy(r => r.Id).Select(r => r.Event)];

    /// <summary>The changes answered 2xx, in the order they were answered.</summary>
    public RoomEvent[] Accepted => [.. Received.Where(r => r.Status is >= 200 and < 300).Select(r => r.Event)];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.ListenAsync(0);
        return receiver;
    }

    /// <summary>Answers <paramref name="status"/> to the first <paramref name="attempts"/> deliveries, 200 after.</summary>
    public void FailFirst(int attempts, int status)
    {
        var seen = 0;
        FailWhile(() => Interlocked.Increment(ref seen) <= attempts, status);
    }

    /// <summary>Answers <paramref name="status"/> while <paramref name="failing"/> holds (asked once per delivery), 200 after.</summary>
    public void FailWhile(Func<bool> failing, int status) => Answer = context =>
    {
        context.Response.StatusCode = failing() ? status : StatusCodes.Status200OK;
        return Task.CompletedTask;
    };

    /// <summary>Waits until the receiver has got <paramref name="count"/> distinct changes.</summary>
    public Task<RoomEvent[]> WaitForAsync(int count, TimeSpan? timeout = null) =>
        Eventually.MatchesAsync(() => Task.FromResult(Distinct), events => events.Length >= count, timeout, $"{count} webhook deliveries");

    /// <summary>Stops listening: deliveries meet a refused connection until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WithTimeout();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public Task StartAgainAsync() => ListenAsync(Port);

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/hooks", ReceiveAsync);
        app.MapPost("/elsewhere", () => Results.Ok());
        await app.StartAsync().WithTimeout();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers;
        var received = new ReceivedWebhook(
            headers["webhook-id"].ToString(),
            headers["webhook-timestamp"].ToString(),
            headers["webhook-signature"].ToString(),
            body,
            JsonSerializer.Deserialize<RoomEvent>(body, Json)!,
            Verify(body, headers));
        int index;
        lock (_received)
        {
            index = _received.Count;
            _received.Add(received);
        }

        if (Answer is { } answer)
        {
            await answer(context);
        }
        else
        {
            context.Response.StatusCode = (int)HttpStatusCode.OK;
        }

        lock (_received)
        {
            _received[index] = received with { Status = context.Response.StatusCode };
        }
    }

    private bool Verify(string body, IHeaderDictionary headers)
    {
        try
        {
            new StandardWebhook(Secret ?? throw new InvalidOperationException("No secret yet.")).Verify(body, headers);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
