namespace Chat.Bench;

/// <summary>
/// One measured step: one server, one room shape, one offered rate. The marginal CPU per delivery leaves out the
/// server's idle CPU (measured with the same connections open and no traffic) over the step's window.
/// </summary>
public sealed record StepResult(
    string Scenario,
    string Server,
    string Protocol,
    int Rooms,
    int Members,
    double OfferedMessagesPerSecond,
    double AckedMessagesPerSecond,
    double DeliveriesPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    long ExpectedDeliveries,
    long Received,
    long Lost,
    long FailedSends,
    long OrderViolations,
    double ServerCpuMicrosecondsPerDelivery,
    double ServerIdleCpuCores,
    double ServerMarginalCpuMicrosecondsPerDelivery,
    bool Sustained,
    string? FirstError)
{
    /// <summary>Which fresh start of the server (coldstart measures several); 0 elsewhere.</summary>
    public int Run { get; init; }
}

/// <summary>
/// One fresh start: seconds from launching the process until it answered ready (and the CPU it spent meanwhile), until
/// its 1,000 clients had connected and joined, and the first 15 s of traffic (<see cref="Cold"/>) beside the same
/// traffic once warm.
/// </summary>
public sealed record ColdStartResult(
    string Server,
    int Run,
    double ReadySeconds,
    double ReadyCpuSeconds,
    double ConnectSeconds,
    double ConnectCpuSeconds,
    StepResult Cold,
    StepResult Warm)
{
    /// <summary>JIT work in each phase, from the runtime's own meter (our server only).</summary>
    public JitFigures? Jit { get; init; }
}

/// <summary>Seconds spent compiling (summed over threads) and methods compiled.</summary>
public readonly record struct JitCount(double Seconds, long Methods)
{
    public static JitCount operator -(JitCount a, JitCount b) => new(a.Seconds - b.Seconds, a.Methods - b.Methods);
}

/// <summary>JIT work until ready, while the clients connected, in the first 15 s of traffic and in the warm 15 s.</summary>
public sealed record JitFigures(JitCount Ready, JitCount Connect, JitCount Cold, JitCount Warm);

/// <summary>Connections held open and idle, each joined to a room.</summary>
public sealed record IdleResult(
    string Server,
    int Connections,
    double ConnectsPerSecond,
    long RssBeforeBytes,
    long RssAfterBytes,
    double BytesPerConnection,
    double IdleCpuCores)
{
    /// <summary><c>idle</c>, or <c>joinstorm</c> for the same measurement in another room shape.</summary>
    public string Scenario { get; init; } = "idle";

    public int MembersPerRoom { get; init; } = 100;

    /// <summary>
    /// The server's CPU from the first connect to the last join, per connection, token included for ours. Less
    /// swayed than the rate by how much of the shared cores the load generator takes.
    /// </summary>
    public double ServerCpuMillisecondsPerConnection { get; init; }
}

/// <summary>One kind of call, made again and again on what is stored (<paramref name="Stored"/>): how long each took, end to end.</summary>
public sealed record QueryResult(string Scenario, string Query, string Stored, int Calls, int HitsPerCall, double P50Milliseconds, double P99Milliseconds, double MeanMilliseconds);

/// <summary>
/// One restart storm: the server killed and started again under its clients. Times are seconds after the restarted
/// server took connections again (answered /healthz), or after the kill; a client has recovered once it is connected
/// again and has every message acknowledged in its room. The server's CPU is the restarted process's, start-up included.
/// </summary>
public sealed record RestartStormResult(
    string Variant,
    string Settings,
    int Clients,
    int MembersPerRoom,
    int AcknowledgedMessages,
    double OutageSeconds,
    double KillToReadySeconds,
    double LiveToAllConnectedSeconds,
    double LiveToAllRecoveredSeconds,
    double KillToAllRecoveredSeconds,
    double RecoveryP50Seconds,
    double RecoveryP99Seconds,
    int NotRecovered,
    long Lost,
    long Duplicates,
    long OrderErrors,
    long FailedAttempts,
    long DroppedAgain,
    int FailedSends,
    double ProbeP50Milliseconds,
    double ProbeMaxMilliseconds,
    double ServerCpuSeconds,
    int PeakThreads,
    int PeakStoreConnections,
    long PeakRssBytes);

public sealed record SkippedResult(string Scenario, string Reason);

public sealed record MachineInfo(string Cpu, int Cores, long MemoryBytes, string Kernel, string Runtime, int FileDescriptorLimit);

public sealed class BenchResults
{
    public required string Profile { get; init; }

    public required DateTime StartedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public required string Command { get; init; }

    public required string Durability { get; init; }

    /// <summary>The Chat.Server.dll measured: the build output, or a published one (<c>--chat-server</c>).</summary>
    public string? ChatServer { get; init; }

    public List<IdleResult> Idle { get; } = [];

    public List<StepResult> Steps { get; } = [];

    public List<QueryResult> Queries { get; } = [];

    public List<ColdStartResult> ColdStarts { get; } = [];

    public List<RestartStormResult> RestartStorms { get; } = [];

    public List<SkippedResult> Skipped { get; } = [];
}
