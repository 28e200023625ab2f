using Chat.Server.Messaging;

namespace Chat.Server.Webhooks;

public static class WebhooksExtensions
{
    public static WebApplicationBuilder AddChatWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhooksOptions>()
            .BindConfiguration(WebhooksOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.MaxRetryDelay >= o.FirstRetryDelay, "Webhooks:MaxRetryDelay must not be shorter than Webhooks:FirstRetryDelay.")
            .Validate(o => o.LeaseDuration >= o.AttemptTimeout * 3, "Webhooks:LeaseDuration must be at least three times Webhooks:AttemptTimeout, so that a hanging receiver cannot outlast a lease.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookTargets>();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<WebhookSignal>();
        builder.Services.AddSingleton<IChangeListener>(sp => sp.GetRequiredService<WebhookSignal>());
        builder.Services.AddHostedService<WebhookDelivery>();
        builder.Services.AddHttpClient(WebhookDelivery.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                // A 3xx is a failure: following it would reach an address nobody checked.
                AllowAutoRedirect = false,
                // A proxy would make the connection to the target itself, past the check in ConnectCallback.
                UseProxy = false,
                UseCookies = false,
                ConnectCallback = services.GetRequiredService<WebhookTargets>().ConnectAsync,
            })
            // Each attempt is counted and timed by WebhookMetrics; the client's own log lines would repeat every delivery.
            .RemoveAllLoggers();
        return builder;
    }

    public static WebApplication MapChatWebhooks(this WebApplication app)
    {
        WebhookEndpoints.Map(app);
        return app;
    }
}
