using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Chat.Server.WarmUp;

/// <summary>Whether the node has warmed up (or needs not); <c>/readyz</c> fails until it has.</summary>
internal sealed class WarmUpState(IOptions<WarmUpOptions> options) : IHealthCheck
{
    private volatile bool _warm = !options.Value.Enabled;

    public bool IsWarm => _warm;

    public void MarkWarm() => _warm = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_warm
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("warming up: the first users of a cold node would wait for the JIT"));
}
