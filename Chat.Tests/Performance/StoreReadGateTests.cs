using System.Diagnostics;
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
/// <c>Database:MaxConcurrentReads</c> reads wait their turn, the oldest connection's first, and are never refused.
/// </summary>
public sealed class StoreReadGateTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task ReadsPastTheLimitWaitTheirTurnAndNoneIsRefused()
    {
        var gate = NewGate(maxConcurrentReads: 2);
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
        started.Should().BeEquivalentTo(Enumerable.Range(0, 50), "each read ran once");
        mostAtOnce.Should().Be(2);
    }

    [Fact]
    public async Task TheReadsOfTheConnectionThatCameFirstGoFirst()
    {
        var gate = NewGate(maxConcurrentReads: 1);
        var held = await gate.EnterAsync(CancellationToken.None);
        var order = new List<string>();
        var now = Stopwatch.GetTimestamp();

        var later = ReadAsOf(gate, now, "the connection that opened now", order);
        var outside = ReadAsOf(gate, 0, "a read outside a hub call", order);
        var earlier = ReadAsOf(gate, now - Stopwatch.Frequency * 10, "the connection that opened ten seconds ago", order);

        held.Dispose();
        await Task.WhenAll(later, outside, earlier).WithTimeout();
        order.Should().Equal("the connection that opened ten seconds ago", "the connection that opened now", "a read outside a hub call");
    }

    [Fact]
    public async Task AReadWhoseCallerGoesAwayLeavesTheLineWithoutTakingATurn()
    {
        var gate = NewGate(maxConcurrentReads: 1);
        var held = await gate.EnterAsync(CancellationToken.None);
        using var leaving = new CancellationTokenSource();
        var abandoned = gate.EnterAsync(leaving.Token).AsTask();
        var next = gate.EnterAsync(CancellationToken.None).AsTask();

        await leaving.CancelAsync();
        await abandoned.Invoking(t => t.WithTimeout()).Should().ThrowAsync<OperationCanceledException>();
        next.IsCompleted.Should().BeFalse("the one turn is still held");

        held.Dispose();
        var turn = await next.WithTimeout();
        var after = gate.EnterAsync(CancellationToken.None).AsTask();
        after.IsCompleted.Should().BeFalse("the one turn went to the caller still waiting, and is held");
        turn.Dispose();
        (await after.WithTimeout()).Dispose();
    }

    /// <summary>A read made by a call of a connection that opened at <paramref name="openedAt"/> (0: outside a hub call).</summary>
    private static async Task ReadAsOf(StoreReadGate gate, long openedAt, string name, List<string> order)
    {
        StoreReadGate.CallerOpenedAt = openedAt;
        await gate.ReadAsync(
            () =>
            {
                order.Add(name);
                return Task.FromResult(0);
            },
            CancellationToken.None);
    }

    public void Dispose() => _services.Dispose();

    private StoreReadGate NewGate(int maxConcurrentReads) => new(
        Options.Create(new DatabaseOptions { MaxConcurrentReads = maxConcurrentReads }),
        new ChatMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new ConnectionRegistry(), new BackplaneStatus(NullLogger<BackplaneStatus>.Instance)));
}
