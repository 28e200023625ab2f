using Chat.Server.Auth;
using Chat.Server.Security;
using Chat.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Scalar.AspNetCore;

namespace Chat.Server.Api;

/// <summary>
/// The server API (contract v2, section 6): bots, and the rooms over HTTP for bots and signed-in users, with its
/// OpenAPI document. The hub's services do the work; see docs/api.md.
/// </summary>
public static class ApiExtensions
{
    /// <summary>The rooms of the API: a bot's key or a user's bearer token.</summary>
    public const string PolicyName = "chat-api";

    /// <summary>The interactive page of the OpenAPI document (Development only).</summary>
    public const string ReferencePage = "/scalar";

    public static WebApplicationBuilder AddChatApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<BotDirectory>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, BotAuthenticationHandler>(ChatApiRoutes.BotScheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme, ChatApiRoutes.BotScheme)
                .RequireAuthenticatedUser());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ChatApiAuthorizationResultHandler>();
        services.AddOpenApi(options =>
        {
            // The HTTP API only: the hub is described by docs/protocol.md and the typed clients.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer(ApiDocument.DescribeAsync);
        });
        return builder;
    }

    public static WebApplication MapChatApi(this WebApplication app)
    {
        var bots = app.MapGroup(ChatApiRoutes.Bots)
            .RequireAuthorization(AdminAuthorization.PolicyName)
            .WithTags("Bots");
        Describe(bots);
        bots.MapPost(string.Empty, BotEndpoints.CreateAsync)
            .WithName("CreateBot")
            .WithSummary("Creates a bot (administrators only).")
            .WithDescription("The API key in the answer is shown this once: the server keeps only its hash. The bot acts as the user `bot:<name>`.")
            .Accepts<CreateBotRequest>("application/json")
            .Produces<BotCreated>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        bots.MapGet(string.Empty, BotEndpoints.ListAsync)
            .WithName("ListBots")
            .WithSummary("Lists the live bots, without their keys (administrators only).")
            .Produces<BotSummary[]>();
        bots.MapDelete("{botId}", BotEndpoints.RevokeAsync)
            .WithName("RevokeBot")
            .WithSummary("Revokes a bot's key at once, on every node (administrators only).")
            .WithDescription("The bot's user keeps its messages and memberships; a new bot of the same name acts as that user again.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var rooms = app.MapGroup(ChatApiRoutes.Rooms + "/{room}")
            .RequireAuthorization(PolicyName)
            .WithTags("Rooms")
            // A request is no larger than a hub message.
            .WithMetadata(new RequestSizeLimitAttribute(ChatLimits.MaxHubMessageBytes));
        Describe(rooms);
        rooms.MapPost("messages", RoomEndpoints.PostMessageAsync)
            .WithName("PostMessage")
            .WithSummary("Posts a message, as the hub's PostMessage.")
            .WithDescription("The `Idempotency-Key` header is the message's `clientMessageId`: a retry with the same key and body answers 200 with the stored message and stores nothing; the same key with another body answers 400 `invalid_request`.")
            .Accepts<PostMessageRequest>("application/json")
            .AddOpenApiOperationTransformer(ApiDocument.DescribeIdempotencyKeyAsync)
            .Produces<ChatMessage>(StatusCodes.Status201Created)
            .Produces<ChatMessage>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        rooms.MapPatch("messages/{id}", RoomEndpoints.EditMessageAsync)
            .WithName("EditMessage")
            .WithSummary("Edits one's own message, as the hub's EditMessage.")
            .Accepts<EditMessageRequest>("application/json")
            .Produces<ChatMessage>();
        rooms.MapDelete("messages/{id}", RoomEndpoints.DeleteMessageAsync)
            .WithName("DeleteMessage")
            .WithSummary("Deletes a message (one's own; any, for a moderator or owner), as the hub's DeleteMessage.")
            .Produces(StatusCodes.Status204NoContent);
        rooms.MapPut("messages/{id}/reactions/{reaction}", RoomEndpoints.AddReactionAsync)
            .WithName("AddReaction")
            .WithSummary("Adds one's reaction (URL-encoded: an emoji or a :short_name:), as the hub's AddReaction.")
            .Produces<ChatMessage>();
        rooms.MapDelete("messages/{id}/reactions/{reaction}", RoomEndpoints.RemoveReactionAsync)
            .WithName("RemoveReaction")
            .WithSummary("Removes one's reaction, as the hub's RemoveReaction.")
            .Produces<ChatMessage>();
        rooms.MapGet("events", RoomEndpoints.GetEventsAsync)
            .WithName("GetEvents")
            .AddOpenApiOperationTransformer(ApiDocument.DescribeEventsPageAsync)
            .WithSummary("The room's changes after `after` (default 0), at most `limit` (1-500, default 100), as the hub's GetEventsSince.")
            .Produces<EventsPage>();
        rooms.MapPost("members", RoomEndpoints.JoinAsync)
            .WithName("JoinRoom")
            .WithSummary("Joins the room for good: public rooms; a private room only once a member has added the caller.")
            .Produces(StatusCodes.Status204NoContent);

        app.MapOpenApi(ChatApiRoutes.OpenApiDocument).AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(ReferencePage, options => options.WithOpenApiRoutePattern(ChatApiRoutes.OpenApiDocument)).AllowAnonymous();
        }

        return app;
    }

    /// <summary>
    /// What every endpoint group of the server API shares (bots, rooms, webhooks): its refusals, authentication's
    /// included, are problem details with the contract's codes.
    /// </summary>
    internal static RouteGroupBuilder Describe(RouteGroupBuilder group) => group
        .WithMetadata(ChatApiEndpoint.Instance)
        .AddEndpointFilter<ChatProblemsFilter>()
        .RequireCors(OriginPolicy.CorsPolicyName)
        .DisableAntiforgery()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
