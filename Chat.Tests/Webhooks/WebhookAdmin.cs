using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Webhooks;

/// <summary>A user calling the webhook API with their bearer token.</summary>
public sealed class WebhookAdmin : IDisposable
{
    private readonly HttpClient _http;

    private WebhookAdmin(HttpClient http) => _http = http;

    /// <summary>Signs <paramref name="userName"/> in as a guest on the server at <paramref name="server"/>.</summary>
    public static async Task<WebhookAdmin> SignInAsync(Uri server, string userName)
    {
        var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(server, userName));
        return new WebhookAdmin(http);
    }

    /// <summary>A guest token of <paramref name="userName"/> from the server at <paramref name="server"/>.</summary>
    public static async Task<string> TokenAsync(Uri server, string userName)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName)).WithTimeout();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<GuestTokenResponse>().WithTimeout())!.AccessToken;
    }

    public Task<HttpResponseMessage> PostAsync(CreateWebhookRequest request) => _http.PostAsJsonAsync(ChatApiRoutes.Webhooks, request).WithTimeout();

    /// <summary>Registers a webhook and points the receiver's verification at its secret.</summary>
    public async Task<WebhookCreated> CreateAsync(WebhookReceiver receiver, string[] events, string[]? rooms)
    {
        using var response = await PostAsync(new CreateWebhookRequest(receiver.Url, events, rooms));
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<WebhookCreated>().WithTimeout())!;
        receiver.Secret = created.Secret;
        return created;
    }

    public Task<HttpResponseMessage> GetListAsync() => _http.GetAsync(ChatApiRoutes.Webhooks).WithTimeout();

    public async Task<WebhookInfo[]> ListAsync() => (await _http.GetFromJsonAsync<WebhookInfo[]>(ChatApiRoutes.Webhooks).WithTimeout())!;

    public async Task<WebhookInfo> GetAsync(string id) => (await ListAsync()).Single(w => w.Id == id);

    public Task<HttpResponseMessage> DeleteAsync(string id) => _http.DeleteAsync($"{ChatApiRoutes.Webhooks}/{id}").WithTimeout();

    public Task<HttpResponseMessage> EnableAsync(string id) => _http.PostAsync($"{ChatApiRoutes.Webhooks}/{id}/enable", null).WithTimeout();

    public void Dispose() => _http.Dispose();
}

/// <summary>A server whose webhooks may reach the tests' loopback receivers, retry within fractions of a second, and find other nodes' changes fast.</summary>
public static class WebhookSettings
{
    public static Dictionary<string, string?> For(string adminName) => new()
    {
        ["Admin:UserIds:0"] = "guest:" + adminName,
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:FirstRetryDelay"] = "00:00:00.100",
        ["Webhooks:MaxRetryDelay"] = "00:00:00.500",
        ["Webhooks:PollInterval"] = "00:00:00.200",
    };
}
