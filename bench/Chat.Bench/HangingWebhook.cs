using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Chat.Shared;

namespace Chat.Bench;

/// <summary>
/// <c>--webhook hang</c>: a webhook receiver that accepts every connection and never answers, and its registration on
/// a chat server, so that a run shows what a hanging receiver costs sending (nothing, if delivery stays off the send path).
/// </summary>
internal static class HangingWebhook
{
    public const string AdminName = "bench-admin";

    private static readonly Lazy<Uri> Receiver = new(Listen);

    /// <summary>The chat server's settings for it: the bench's admin, and the loopback receiver allowed.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Admin:UserIds:0", "guest:" + AdminName),
        new("Webhooks:AllowPrivateTargets", "true"),
    ];

    /// <summary>Registers a webhook for every change of every room of the server at <paramref name="server"/>.</summary>
    public static async Task RegisterAsync(Uri server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var token = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(AdminName), cancellationToken);
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<GuestTokenResponse>(cancellationToken))!.AccessToken;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var created = await http.PostAsJsonAsync(
            ChatApiRoutes.Webhooks, new CreateWebhookRequest(Receiver.Value.ToString(), [.. RoomEventTypes.All]), cancellationToken);
        created.EnsureSuccessStatusCode();
    }

    private static Uri Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                // Held, never read nor answered, until the bench exits.
                held.Add(await listener.AcceptSocketAsync());
            }
        });
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hooks");
    }
}
