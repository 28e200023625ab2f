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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ReadsPastTheLimitWaitTheirTurnOldestFirstAndNoneIsRefused(int maxConcurrentReads)
    {
        using var gate = NewGate(maxConcurrentReads);
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
            started.Should().Equal(Enumerable.Range(0, maxConcurrentReads), "as many run as the limit, the others wait");
        }

        release.SetResult();
        (await Task.WhenAll(reads).WithTimeout()).Should().Equal(Enumerable.Range(0, 50), "every read ran");
        mostAtOnce.Should().Be(maxConcurrentReads);
        if (maxConcurrentReads == 1)
        {
            // Turns are granted oldest first; with one at a time, a read also starts only after the previous ended, so
            // the order they started in shows it (with more, two granted reads may start in either order).
            started.Should().Equal(Enumerable.Range(0, 50), "in the order they came");
        }
        else
        {
            started.Should().BeEquivalentTo(Enumerable.Range(0, 50));
        }
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
