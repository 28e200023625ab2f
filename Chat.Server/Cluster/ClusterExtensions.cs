using Chat.Server.Calls;
using Chat.Server.Conversations;
using Chat.Server.Hubs;
using Chat.Server.Observability;
using Chat.Server.Presence;
using Chat.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Server.Cluster;

/// <summary>
/// The one place where a node becomes a cluster member or stays alone. Without <c>Redis:Configuration</c>: in-memory
/// presence and SignalR's in-process groups. With it: the Redis backplane (messages, typing, joins, leaves and
/// presence reach clients on every node) that falls back to local delivery while Redis is away, presence in Redis
/// under heartbeat leases, removals from rooms told to every node through Redis, and Redis in <c>/readyz</c>.
/// The history store is chosen separately (<c>Database:Provider</c>): every node must simply point at the same one.
/// </summary>
public static class ClusterExtensions
{
    public static bool IsClustered(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{RedisClusterOptions.SectionName}:Configuration"]);

    public static WebApplicationBuilder AddChatCluster(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (!IsClustered(builder.Configuration))
        {
            services.AddSingleton(typeof(HubLifetimeManager<>), typeof(IndexedHubLifetimeManager<>));
            services.AddSingleton<IPresenceTracker, InMemoryPresenceTracker>();
            services.AddSingleton<IRoomEvictions, LocalRoomEvictions>();
            services.AddSingleton<ILocalRoomBroadcast, InProcessRoomBroadcast>();
            services.AddSingleton<ICallStore, InMemoryCallStore>();
            services.AddSingleton<ICallSignals, LocalCallSignals>();
            return builder;
        }

        services.AddOptions<RedisClusterOptions>()
            .BindConfiguration(RedisClusterOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(RedisClusterOptions.LeaseOutlivesMissedHeartbeats, "Redis:LeaseDuration must be at least three Redis:HeartbeatInterval.")
            .ValidateOnStart();
        services.AddSingleton<RedisConnection>();

        services.AddSignalR();
        services.AddSingleton(typeof(HubLifetimeManager<>), typeof(ResilientRedisHubLifetimeManager<>));
        services.AddHostedService<BackplaneRecoveryLoop>();
        services.AddSingleton(sp => (ILocalRoomBroadcast)sp.GetRequiredService<HubLifetimeManager<ChatHub>>());

        services.AddSingleton<RedisPresenceTracker>();
        services.AddSingleton<IPresenceTracker>(sp => sp.GetRequiredService<RedisPresenceTracker>());
        services.AddHostedService<PresenceLeaseLoop>();
        services.AddSingleton<RedisRoomEvictions>();
        services.AddSingleton<IRoomEvictions>(sp => sp.GetRequiredService<RedisRoomEvictions>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisRoomEvictions>());
        services.AddSingleton<ICallStore, RedisCallStore>();
        services.AddSingleton<RedisCallSignals>();
        services.AddSingleton<ICallSignals>(sp => sp.GetRequiredService<RedisCallSignals>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisCallSignals>());
        services.AddHealthChecks().AddReadinessCheck<RedisHealthCheck>("redis");
        return builder;
    }

}
