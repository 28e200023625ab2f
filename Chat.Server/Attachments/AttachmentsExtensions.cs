using Chat.Server.History;
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
        return builder;
    }
}
