using Chat.Server.Api;
using Chat.Server.History;
using Chat.Server.Security;
using Chat.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chat.Server.Attachments;

public static class AttachmentsExtensions
{
    public static WebApplicationBuilder AddChatAttachments(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AttachmentsOptions>()
            .BindConfiguration(AttachmentsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AttachmentLinks>();
        builder.Services.AddSingleton<UploadRateLimiter>();

        // The store choice is made here, once.
        builder.Services.AddSingleton<IAttachmentBlobs>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AttachmentsOptions>>().Value;
            var contexts = sp.GetRequiredService<IDbContextFactory<ChatDbContext>>();
            return options.Store == AttachmentsOptions.Database
                ? new DatabaseAttachmentBlobs(contexts)
                : new FolderAttachmentBlobs(
                    options.Path ?? Path.Combine(HistoryExtensions.DataDirectory(builder.Configuration, builder.Environment), "attachments"),
                    contexts);
        });
        builder.Services.AddHostedService<AttachmentCleanup>();
        return builder;
    }

    /// <summary>Upload and fetch; see <see cref="AttachmentEndpoints"/>.</summary>
    public static WebApplication MapChatAttachments(this WebApplication app)
    {
        app.MapPost(ChatRoutes.Attachments, AttachmentEndpoints.UploadAsync)
            .WithName("UploadAttachment")
            // A user's token or a bot's key: bots attach files too.
            .RequireAuthorization(ApiExtensions.PolicyName)
            .WithMetadata(ChatApiEndpoint.Instance)
            .RequireCors(OriginPolicy.CorsPolicyName)
            // Read as a stream by the endpoint itself: no form binding, no antiforgery (the bearer token is no cookie).
            .DisableAntiforgery();
        app.MapMethods($"{ChatRoutes.Attachments}/{{id}}", [HttpMethods.Get, HttpMethods.Head], AttachmentEndpoints.FetchAsync)
            .AllowAnonymous()
            .RequireCors(OriginPolicy.CorsPolicyName);
        return app;
    }
}
