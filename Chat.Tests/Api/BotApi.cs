using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Api;

/// <summary>The server API as a bot or an administrator calls it: plain HTTP, no hub.</summary>
internal static class BotApi
{
    public static async Task<HttpResponseMessage> CreateBotAsync(HttpClient http, string? adminToken, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatApiRoutes.Bots) { Content = JsonContent.Create(new CreateBotRequest(name)) };
        if (adminToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        }

        return await http.SendAsync(request).WithTimeout();
    }

    /// <summary>Creates a bot and expects 201.</summary>
    public static async Task<BotCreated> NewBotAsync(ChatServer server, string adminName, string? name = null)
    {
        var token = (await server.GetTokenAsync(adminName)).AccessToken;
        using var response = await CreateBotAsync(server.Http, token, name ?? TestDefaults.UniqueUser("bot"));
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<BotCreated>().WithTimeout())!;
    }

    public static async Task<HttpResponseMessage> RevokeAsync(HttpClient http, string adminToken, string botId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{ChatApiRoutes.Bots}/{botId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return await http.SendAsync(request).WithTimeout();
    }

    /// <summary>A request with <c>Authorization: Bot &lt;apiKey&gt;</c> (none when <paramref name="apiKey"/> is null).</summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpMethod method, string path, string? apiKey, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }

        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(ChatApiRoutes.BotScheme, apiKey);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add(ChatApiRoutes.IdempotencyKeyHeader, idempotencyKey);
        }

        return await http.SendAsync(request).WithTimeout();
    }

    public static string Messages(string room) => $"{ChatApiRoutes.Rooms}/{room}/messages";

    public static string Message(string room, string id) => $"{Messages(room)}/{id}";

    public static string Reaction(string room, string id, string reaction) => $"{Message(room, id)}/reactions/{Uri.EscapeDataString(reaction)}";

    public static string Events(string room, long after, int limit) => $"{ChatApiRoutes.Rooms}/{room}/events?after={after}&limit={limit}";

    public static string Members(string room) => $"{ChatApiRoutes.Rooms}/{room}/members";

    /// <summary>Expects <paramref name="status"/> and returns the body.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<T>().WithTimeout())!;
    }

    /// <summary>Expects problem details with <paramref name="status"/> whose <c>title</c> and <c>code</c> are <paramref name="code"/>.</summary>
    public static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("code").GetString().Should().Be(code);
        problem.RootElement.GetProperty("title").GetString().Should().Be(code);
    }
}

/// <summary>A server with one administrator; the send rate is not what these tests specify unless they say so.</summary>
public class ApiFixture : ChatServerFixture
{
    public string AdminName { get; } = TestDefaults.UniqueUser("admin");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Admin:UserIds:0"] = "guest:" + AdminName.ToLowerInvariant(),
        ["Messaging:MessagesPerSecond"] = "1000",
        ["Messaging:Burst"] = "1000",
    };
}
