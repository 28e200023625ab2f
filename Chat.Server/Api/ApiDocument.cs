using Chat.Shared;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Chat.Server.Api;

/// <summary>The OpenAPI document's own parts: what the API is, and how a caller signs in to it.</summary>
internal static class ApiDocument
{
    private const string BearerScheme = "Bearer";

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Chat server API",
            Version = "v1",
            Description = "Bots and backends post, edit, react and read a room's changes over HTTP, with the hub's rules, limits "
                + "and error codes. Every refusal is problem details whose `code` member holds the contract's error code. See docs/api.md.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [ChatApiRoutes.BotScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Authorization",
                Description = "A bot's key: `Authorization: Bot <apiKey>`.",
            },
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A user's access token (guest token or the configured issuer's); administrators' for /api/bots.",
            },
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ChatApiRoutes.BotScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
        ];
        return Task.CompletedTask;
    }
}
