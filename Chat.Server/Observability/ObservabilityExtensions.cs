using Chat.Shared;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Chat.Server.Observability;

public static class ObservabilityExtensions
{
    /// <summary>Health checks tagged with this take part in /readyz.</summary>
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddChatObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<BackplaneStatus>();
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddHealthChecks();
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }

    public static WebApplication MapChatObservability(this WebApplication app)
    {
        // prometheus-net's meter adapter exports every System.Diagnostics.Metrics meter (ours, ASP.NET Core's, Kestrel's, SignalR's).
        app.MapMetrics(ChatRoutes.Metrics);
        app.MapHealthChecks(ChatRoutes.Health, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ChatRoutes.Ready, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }

    public static IHealthChecksBuilder AddReadinessCheck<T>(this IHealthChecksBuilder checks, string name)
        where T : class, IHealthCheck =>
        checks.AddCheck<T>(name, HealthStatus.Unhealthy, [ReadyTag]);
}
