using System.Diagnostics;
using HdrHistogram;

namespace Chat.Bench;

/// <summary>One kind of call made many times in a row from one client, after a warm-up, each timed end to end (hub round trip included).</summary>
internal static class RepeatedCalls
{
    private const int Calls = 300;
    private const int WarmUpCalls = 30;

    /// <summary><paramref name="call"/> returns how many items its answer held.</summary>
    public static async Task<QueryResult> MeasureAsync(string scenario, string name, string stored, Func<Task<int>> call, CancellationToken cancellationToken)
    {
        for (var i = 0; i < WarmUpCalls; i++)
        {
            await call();
        }

        var histogram = new LongHistogram(1, 60_000_000, 3);
        var hits = 0;
        for (var i = 0; i < Calls; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            hits = await call();
            histogram.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds));
        }

        Progress.Line($"  {name}: p50 {histogram.GetValueAtPercentile(50) / 1000.0:F2} ms, p99 {histogram.GetValueAtPercentile(99) / 1000.0:F2} ms");
        return new QueryResult(scenario, name, stored, Calls, hits, histogram.GetValueAtPercentile(50) / 1000.0,
            histogram.GetValueAtPercentile(99) / 1000.0, histogram.GetMean() / 1000.0);
    }
}
