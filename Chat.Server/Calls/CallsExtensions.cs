namespace Chat.Server.Calls;

public static class CallsExtensions
{
    /// <summary>WebRTC signaling in direct rooms. The call store and signals (one node or Redis) are chosen by <c>AddChatCluster</c>.</summary>
    public static WebApplicationBuilder AddChatCalls(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallsOptions>()
            .BindConfiguration(CallsOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(CallsOptions.HasValidIceServers, "every Calls:IceServers entry needs urls starting with stun:, stuns:, turn: or turns:.")
            .ValidateOnStart();
        builder.Services.AddSingleton<CallRateLimiter>();
        builder.Services.AddSingleton<CallService>();
        builder.Services.AddHostedService<CallSweepLoop>();
        return builder;
    }
}
