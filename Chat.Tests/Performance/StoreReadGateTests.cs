using Chat.Server.History;
using Chat.Server.Observability;
using Chat.Server.Rooms;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Performance;

/// <summary>
/// The pacing of store reads after a restart (issue 15, "the server paces them, nobody is lost"): past
/// <c>Database:MaxConcurrentReads</c> reads wait their turn, oldest first, and are never refused.
/// </summary>
public sealed class StoreReadGateTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task ReadsPastTheLimitWaitTheirTurnOldestFirstAndNoneIsRefused()
    {
        using var gate = NewGate(maxConcurrentReads: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        var mostAtOnce = 0;
        var started = new List<int>();

        var reads = Enumerable.Range(0, 50).Select(i => gate.ReadAsync(
            async () =>
            {
                lock (started)
                {
                    started.Add(i);
                    mostAtOnce = Math.Max(mostAtOnce, ++running);
                }

                await release.Task;
                lock (started)
                {
                    running--;
                }

                return i;
            },
            CancellationToken.None)).ToList();

        lock (started)
        {
            started.Should().Equal([0, 1], "two run, the other 48 wait");
        }

        release.SetResult();
        (await Task.WhenAll(reads).WithTimeout()).Should().Equal(Enumerable.Range(0, 50), "every read ran");
        started.Should().Equal(Enumerable.Range(0, 50), "in the order they came");
        mostAtOnce.Should().Be(2);
    }

    [Fact]
    public async Task AReadWhoseCallerGoesAwayLeavesTheQueueWithoutTakingATurn()
    {
        using var gate = NewGate(maxConcurrentReads: 1);
        var held = await gate.EnterAsync(CancellationToken.None);
        using var leaving = new CancellationTokenSource();
        var abandoned = gate.EnterAsync(leaving.Token).AsTask();
        var next = gate.EnterAsync(CancellationToken.None).AsTask();

        await leaving.CancelAsync();
        await abandoned.Invoking(t => t.WithTimeout()).Should().ThrowAsync<OperationCanceledException>();
        next.IsCompleted.Should().BeFalse("the one turn is still held");

        held.Dispose();
        using var turn = await next.WithTimeout();
        turn.IsAcquired.Should().BeTrue();
    }

    public void Dispose() => _services.Dispose();

    private StoreReadGate NewGate(int maxConcurrentReads) => new(
        Options.Create(new DatabaseOptions { MaxConcurrentReads = maxConcurrentReads }),
        new ChatMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new ConnectionRegistry(), new BackplaneStatus(NullLogger<BackplaneStatus>.Instance)));
}
