using System.Runtime;

namespace Chat.Server.WarmUp;

/// <summary>
/// Waits until the runtime has stopped compiling: after a burst of work, the methods it made hot are recompiled,
/// optimized, in the background (tiered compilation), and that is part of what a warm-up is for.
/// </summary>
internal static class JitQuiet
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>At most this many methods compiled in an interval counts as quiet.</summary>
    private const long QuietMethods = 5;

    /// <summary>
    /// Quiet intervals in a row that count as done: the runtime waits 100 ms after the last new method before it starts
    /// recompiling the hot ones, so one quiet interval right after a burst proves nothing.
    /// </summary>
    private const int QuietIntervals = 2;

    public static async Task WaitAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Limit;
        var last = JitInfo.GetCompiledMethodCount();
        var quiet = 0;
        while (quiet < QuietIntervals && DateTime.UtcNow < deadline)
        {
            await Task.Delay(Interval, cancellationToken);
            var now = JitInfo.GetCompiledMethodCount();
            quiet = now - last <= QuietMethods ? quiet + 1 : 0;
            last = now;
        }
    }
}
