using System.Net;
using System.Text.Json;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Api;

/// <summary>The server serves an OpenAPI document of its HTTP API, to anyone, naming every path of the API.</summary>
public sealed class ApiDocumentTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    [Fact]
    public async Task TheOpenApiDocumentNamesTheApisPathsAndHowToSignIn()
    {
        using var response = await fixture.Server.Http.GetAsync(ChatApiRoutes.OpenApiDocument).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        root.GetProperty("openapi").GetString().Should().StartWith("3.");
        var paths = root.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(
        [
            ChatApiRoutes.Bots,
            $"{ChatApiRoutes.Bots}/{{botId}}",
            $"{ChatApiRoutes.Rooms}/{{room}}/messages",
            $"{ChatApiRoutes.Rooms}/{{room}}/messages/{{id}}",
            $"{ChatApiRoutes.Rooms}/{{room}}/messages/{{id}}/reactions/{{reaction}}",
            $"{ChatApiRoutes.Rooms}/{{room}}/events",
            $"{ChatApiRoutes.Rooms}/{{room}}/members",
        ]);
        paths.Should().NotContain(p => p.StartsWith(ChatRoutes.Hub, StringComparison.Ordinal), "the hub is no HTTP API");
        var post = root.GetProperty("paths").GetProperty($"{ChatApiRoutes.Rooms}/{{room}}/messages").GetProperty("post");
        post.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["200", "201", "400", "401", "403", "429"]);
        post.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should().Contain(ChatApiRoutes.IdempotencyKeyHeader);
        var events = root.GetProperty("paths").GetProperty($"{ChatApiRoutes.Rooms}/{{room}}/events").GetProperty("get");
        events.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit")
            .GetProperty("schema").GetProperty("type").GetString().Should().Be("integer");
        root.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Select(s => s.Name).Should().Contain(ChatApiRoutes.BotScheme);
    }
}
