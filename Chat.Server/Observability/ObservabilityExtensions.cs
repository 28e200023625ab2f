using Chat.Server.WarmUp;
using Chat.Shared;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Chat.Server.Observability;

public static class ObservabilityExtensions
{
    /// <summary>Health checks tagged with this take part in /readyz.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Kestrel's memory-pool meter records a measurement on every buffer rent, i.e. on every socket read and write.
    /// Exported, each one went through prometheus-net's per-measurement bookkeeping: a visible share of every
    /// delivery's CPU in the send-path profile (docs/benchmarks.md). Every other meter stays exported, but those of
    /// the warm-up's private server (<see cref="UnexportedMeterFactory"/>).
    /// </summary>
    private const string UnexportedMeter = "Microsoft.AspNetCore.MemoryPool";

    /// <summary>
    /// The Chat meter's durations (a group commit, a hub call, a history read) are mostly milliseconds, and the
    /// exporter's default buckets start at 10 ms: 0.5 ms to 16 s instead, doubling.
    /// </summary>
    private static readonly double[] ChatDurationBuckets = Histogram.ExponentialBuckets(0.0005, 2, 16);

    private static int _meterAdapterConfigured;

    public static WebApplicationBuilder AddChatObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        // prometheus-net's adapter is one per process (several servers share it in tests): configure it once.
        if (Interlocked.Exchange(ref _meterAdapterConfigured, 1) == 0)
        {
            Metrics.ConfigureMeterAdapter(options =>
            {
                options.InstrumentFilterPredicate = instrument =>
                    instrument.Meter.Name != UnexportedMeter && !UnexportedMeterFactory.Owns(instrument.Meter);
                var defaultBuckets = options.ResolveHistogramBuckets;
                options.ResolveHistogramBuckets = instrument =>
                    instrument.Meter.Name == ChatMetrics.MeterName ? ChatDurationBuckets : defaultBuckets(instrument);
            });
        }

        builder.Services.AddSingleton<BackplaneStatus>();
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddHealthChecks();
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }

    public static WebApplication MapChatObservability(this WebApplication app)
    {
        // prometheus-net's meter adapter exports every System.Diagnostics.Metrics meter (ours, ASP.NET Core's, Kestrel's, SignalR's) but the memory pool's.
        app.MapMetrics(ChatRoutes.Metrics);
        app.MapHealthChecks(ChatRoutes.Health, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ChatRoutes.Ready, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }

    public static IHealthChecksBuilder AddReadinessCheck<T>(this IHealthChecksBuilder checks, string name)
        where T : class, IHealthCheck =>
        checks.AddCheck<T>(name, HealthStatus.Unhealthy, [ReadyTag]);
}
