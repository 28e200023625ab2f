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

    /// <summary>Rounds of rehearsed traffic: each round connects the clients, posts and receives, then lets the JIT catch up.</summary>
    [Range(0, 10)]
    public int Rounds { get; set; } = 2;

    /// <summary>Rehearsal clients per round (half MessagePack, half JSON), in rooms of 8.</summary>
    [Range(2, 200)]
    public int Clients { get; set; } = 32;
}
