using System.ComponentModel.DataAnnotations;

namespace Chat.Server.WarmUp;

/// <summary>The start-up warm-up (<c>WarmUp</c> section): on by default; off, a node is ready as soon as its store answers.</summary>
public sealed class WarmUpOptions
{
    public const string SectionName = "WarmUp";

    public bool Enabled { get; set; } = true;

    /// <summary>A warm-up that takes longer is given up: the node then serves cold rather than never.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// At most this many rounds of rehearsed traffic: each round connects the clients, posts and receives, then lets
    /// the JIT catch up. A hot method takes three rounds to be fully optimized (see <see cref="SettledRoundMethods"/>).
    /// </summary>
    [Range(0, 10)]
    public int Rounds { get; set; } = 5;

    /// <summary>
    /// A round that compiled fewer methods than this ends the rehearsal: what it runs is optimized by now. Until then a
    /// round still moves hot methods up a tier: the runtime counts no calls while it is busy compiling new methods
    /// (round 1), then compiles the hot ones with instrumentation (round 2, dynamic PGO), and only the calls after
    /// that get them their final, optimized code (round 3).
    /// </summary>
    [Range(0, 100_000)]
    public int SettledRoundMethods { get; set; } = 500;

    /// <summary>Rehearsal clients per round (half MessagePack, half JSON), in rooms of 8.</summary>
    [Range(2, 200)]
    public int Clients { get; set; } = 32;
}
