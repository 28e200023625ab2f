using Chat.Server.Observability;

namespace Chat.Server.WarmUp;

public static class WarmUpExtensions
{
    /// <summary>
    /// The start-up warm-up and its readiness check: <c>/readyz</c> answers 200 only once the node is warm, so that a
    /// load balancer (or a restart's reconnecting clients, through it) does not send the first users to a cold node.
    /// </summary>
    public static WebApplicationBuilder AddChatWarmUp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WarmUpOptions>()
            .BindConfiguration(WarmUpOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<WarmUpState>();
        services.AddSingleton<IWarmUpStep, RehearsalWarmUp>();
        services.AddSingleton<IWarmUpStep, StoreReadsWarmUp>();
        services.AddHostedService<StartupWarmUp>();
        services.AddHealthChecks().AddReadinessCheck<WarmUpState>("warm-up");
        return builder;
    }
}
