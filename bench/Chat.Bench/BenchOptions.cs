using System.Globalization;

namespace Chat.Bench;

/// <summary>What to run. "quick" takes a few minutes on a shared machine; "full" is the run behind docs/benchmarks.md's targets.</summary>
public sealed record BenchOptions(
    string Profile,
    IReadOnlySet<string> Scenarios,
    int IdleConnections,
    TimeSpan StepDuration,
    IReadOnlyList<double> FanOutDeliveryRates,
    IReadOnlyList<double> IngestRates,
    double ComparisonDeliveryRate,
    string OutputDirectory,
    IReadOnlyList<(int Rooms, int Members)> FanOutShapes,
    bool HoldIdle)
{
    /// <summary>Our server's <c>Database:Durability</c> (disk or process): every figure of the store is quoted with it.</summary>
    public string Durability { get; init; } = "disk";

    /// <summary>How many fresh starts of each server the coldstart scenario measures (it is noisy: one is a sample, not a figure).</summary>
    public int ColdStartRuns { get; init; } = 1;

    /// <summary>Which servers the coldstart scenario starts, in order (both by default; one alone to compare variants of ours quickly).</summary>
    public IReadOnlyList<ServerKind> ColdStartServers { get; init; } = [ServerKind.Baseline, ServerKind.Chat];

    /// <summary>
    /// <c>--baseline-joins announce</c>: the bare hub also sends <c>UserJoined</c> to the room's others while it has
    /// fewer than the contract's large-room threshold online, as the contract has ours do; <c>silent</c> (the default)
    /// sends nothing on a join.
    /// </summary>
    public bool BaselineAnnouncesJoins { get; init; }

    /// <summary>The Chat.Server.dll to start instead of the build output (e.g. a published one), and environment for our server only.</summary>
    public ChatLaunch ChatLaunch { get; init; } = new(null, new Dictionary<string, string>());

    /// <summary>
    /// The joinstorm scenario's room sizes, in order: rooms of 100, then one room of everyone (0 stands for "all the
    /// connections"). <c>--joinstorm-rooms 0</c> runs the one big room alone, e.g. to profile it.
    /// </summary>
    public IReadOnlyList<int> JoinStormRoomSizes { get; init; } = [100, 0];

    /// <summary>The members scenario's room sizes (<c>--member-rooms</c>): lasting members, one room per size.</summary>
    public IReadOnlyList<int> MemberRoomSizes { get; init; } = [10, 1_000, 10_000];

    public static readonly string[] AllScenarios = ["idle", "fanout", "ingest", "protocols", "redis", "readmarks", "search", "members", "joinstorm", "coldstart", "restartstorm"];

    /// <summary>Clients of the restartstorm scenario: 5,000 (full) or 1,000 (quick) unless --storm-clients says.</summary>
    public int StormClients { get; init; } = 5_000;

    /// <summary>
    /// The restartstorm scenario runs once per value of the server's Database:MaxConcurrentReads: by default 10,000
    /// (as good as unpaced: every read runs at once) and then the server's default (8).
    /// </summary>
    public IReadOnlyList<int> StormConcurrentReads { get; init; } = [10_000, 8];

    public static readonly (int Rooms, int Members)[] AllFanOutShapes = [(100, 10), (10, 100), (1, 1_000)];

    public static BenchOptions Parse(string[] args)
    {
        var profile = "full";
        string[] scenarios = AllScenarios;
        int? idleConnections = null;
        string? output = null;
        var holdIdle = false;
        int? stormClients = null;
        int[]? stormReads = null;
        (int Rooms, int Members)[] shapes = AllFanOutShapes;
        var coldStartRuns = 1;
        int[] joinStormRoomSizes = [100, 0];
        int[] memberRoomSizes = [10, 1_000, 10_000];
        ServerKind[] coldStartServers = [ServerKind.Baseline, ServerKind.Chat];
        string? chatServer = null;
        var chatEnvironment = new Dictionary<string, string>();
        var hangingWebhook = false;
        var baselineAnnouncesJoins = false;
        var durability = "disk";
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--hold-idle")
            {
                holdIdle = true;
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--profile":
                    profile = value;
                    break;
                case "--scenarios":
                    scenarios = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--fanout-shapes":
                    shapes = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseShape)];
                    break;
                case "--idle-connections":
                    idleConnections = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--storm-clients":
                    stormClients = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--storm-reads":
                    stormReads = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
                    break;
                case "--durability":
                    durability = value is "disk" or "process" ? value : throw new ArgumentException("--durability is disk or process");
                    break;
                case "--out":
                    output = value;
                    break;
                case "--coldstart-runs":
                    coldStartRuns = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--baseline-joins":
                    baselineAnnouncesJoins = value switch
                    {
                        "announce" => true,
                        "silent" => false,
                        _ => throw new ArgumentException("--baseline-joins is silent or announce"),
                    };
                    break;
                case "--joinstorm-rooms":
                    joinStormRoomSizes = ParseSizes(value);
                    break;
                case "--member-rooms":
                    memberRoomSizes = ParseSizes(value);
                    break;
                case "--coldstart-servers":
                    coldStartServers = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => Enum.Parse<ServerKind>(n, ignoreCase: true))];
                    break;
                case "--chat-server":
                    chatServer = Path.GetFullPath(value);
                    break;
                case "--webhook":
                    hangingWebhook = value == "hang" ? true : throw new ArgumentException("--webhook takes 'hang'");
                    break;
                case "--chat-env":
                    var (key, setting) = value.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException($"--chat-env takes NAME=VALUE, not '{value}'");
                    chatEnvironment[key] = setting;
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }

            i++;
        }

        output ??= Path.Combine(RepositoryPaths.Root, "bench", "results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var options = profile switch
        {
            "quick" => new BenchOptions(profile, scenarios.ToHashSet(), idleConnections ?? 2_000, TimeSpan.FromSeconds(3),
                [2_000, 4_000, 8_000, 16_000, 32_000], [1_000, 2_000, 4_000, 8_000, 16_000, 32_000], 4_000, output, shapes, holdIdle)
            {
                StormClients = stormClients ?? 1_000,
                StormConcurrentReads = stormReads ?? [10_000, 8],
            },
            "full" => new BenchOptions(profile, scenarios.ToHashSet(), idleConnections ?? MaxIdleConnections(), TimeSpan.FromSeconds(15),
                [5_000, 10_000, 20_000, 40_000, 80_000, 160_000], [2_500, 5_000, 10_000, 20_000, 40_000, 80_000], 20_000, output, shapes, holdIdle)
            {
                StormClients = stormClients ?? 5_000,
                StormConcurrentReads = stormReads ?? [10_000, 8],
            },
            _ => throw new ArgumentException("--profile is quick or full"),
        };
        return options with
        {
            Durability = durability,
            ColdStartRuns = coldStartRuns,
            JoinStormRoomSizes = joinStormRoomSizes,
            MemberRoomSizes = memberRoomSizes,
            ColdStartServers = coldStartServers,
            ChatLaunch = new ChatLaunch(chatServer, chatEnvironment) { HangingWebhook = hangingWebhook },
            BaselineAnnouncesJoins = baselineAnnouncesJoins,
        };
    }

    private static int[] ParseSizes(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))];

    /// <summary>"100x10" → 100 rooms of 10 members.</summary>
    private static (int Rooms, int Members) ParseShape(string shape)
    {
        var parts = shape.Split('x');
        return parts.Length == 2
            ? (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture))
            : throw new ArgumentException($"--fanout-shapes takes ROOMSxMEMBERS, e.g. 100x10, not '{shape}'");
    }

    /// <summary>
    /// 20,000, or fewer when this process's file-descriptor limit (which the server child inherits) cannot hold them:
    /// each connection is one descriptor in the client and one in the server.
    /// </summary>
    private static int MaxIdleConnections()
    {
        const int Target = 20_000;
        const int Headroom = 1_000;
        return Math.Min(Target, FileDescriptorLimit() - Headroom);
    }

    public static int FileDescriptorLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? int.MaxValue : int.Parse(soft, CultureInfo.InvariantCulture);
            }
        }

        return 1024;
    }
}

/// <summary>How our server is started: which Chat.Server.dll (null: the build output) and what environment on top of the bench's.</summary>
public sealed record ChatLaunch(string? Assembly, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>
    /// <c>--webhook hang</c>: every chat server gets a webhook for every change of every room, to a receiver that accepts
    /// connections and never answers (what a slow receiver must not do to sending).
    /// </summary>
    public bool HangingWebhook { get; init; }
}
