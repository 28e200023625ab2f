using System.Diagnostics;

namespace Chat.Bench;

/// <summary>The progress display: a status line every second on stderr while something runs, and timestamped results.</summary>
internal static class Progress
{
    private static readonly long Started = Stopwatch.GetTimestamp();

    public static void Line(string text) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(Started):hh\\:mm\\:ss}] {text}");

    public static IDisposable Every(Func<string> status)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    Line("  " + status());
                }
            }
            catch (OperationCanceledException)
            {
                // The measured work is over.
            }
        });
        return new Stopper(stop);
    }

    private sealed class Stopper(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            stop.Dispose();
        }
    }
}
