using System.Globalization;
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

    /// <summary>The header the endpoint reads itself (several values are refused, which binding would not tell).</summary>
    public static Task DescribeIdempotencyKeyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ChatApiRoutes.IdempotencyKeyHeader,
            In = ParameterLocation.Header,
            Description = "The message's clientMessageId (at most 128 characters): a retry with the same key and body gets the stored message with 200.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = ChatLimits.MaxClientMessageIdLength },
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// The page's bounds are read as text so that a bad one is refused with the contract's code; the document says what
    /// they are.
    /// </summary>
    public static Task DescribeEventsPageAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            (parameter.Description, parameter.Schema) = parameter.Name switch
            {
                "after" => ("Changes after this event sequence (default 0).", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" }),
                "limit" => ($"At most this many changes, 1-{ChatLimits.MaxEventsSincePage} (default {RoomEndpoints.DefaultEventsLimit}).",
                    new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = ChatLimits.MaxEventsSincePage.ToString(CultureInfo.InvariantCulture) }),
                _ => (parameter.Description, parameter.Schema),
            };
        }

        return Task.CompletedTask;
    }
}
