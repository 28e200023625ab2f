namespace Chat.Tests.Infrastructure;

/// <summary>
/// Calls made one after another, each as soon as the one before was acknowledged, until one fails: a test kills the
/// server while they run and checks that everything acknowledged survived. A call has no timeout of its own beyond its
/// client's: a slow disk may hold a commit for long, and the kill ends the call under way.
/// </summary>
public sealed class CallsUntilKilled<T>
{
    private readonly List<T> _acknowledged = [];
    private readonly int _enough;
    private readonly TaskCompletionSource _enoughAcknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task<Exception> _stopped;

    private CallsUntilKilled(Func<int, Task<T>> call, int enough)
    {
        _enough = enough;
        _stopped = Task.Run(() => RunAsync(call));
    }

    /// <summary>What was acknowledged, in order; read it once <see cref="StoppedAsync"/> is done.</summary>
    public IReadOnlyList<T> Acknowledged => _acknowledged;

    /// <summary>Starts calling <paramref name="call"/> with 0, 1, 2…</summary>
    public static CallsUntilKilled<T> Start(Func<int, Task<T>> call, int enough) => new(call, enough);

    /// <summary>
    /// Waits until <c>enough</c> calls were acknowledged, and fails with the reason (and what the server printed) if
    /// the calls stopped before: the kill must come while they are under way.
    /// </summary>
    public async Task WaitUntilEnoughAsync(Func<string> serverOutput)
    {
        await Task.WhenAny(_stopped, _enoughAcknowledged.Task).WithTimeout(TimeSpan.FromMinutes(2));
        _stopped.IsCompleted.Should().BeFalse(
            "calls must still be under way when the server is killed, but they stopped with {0}\nThe server printed:\n{1}",
            _stopped.IsCompleted ? await _stopped : null,
            serverOutput());
    }

    /// <summary>Waits for the call the kill ended.</summary>
    public Task<Exception> StoppedAsync() => _stopped.WithTimeout();

    private async Task<Exception> RunAsync(Func<int, Task<T>> call)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                _acknowledged.Add(await call(i));
            }
            catch (Exception exception)
            {
                return exception;
            }

            if (_acknowledged.Count == _enough)
            {
                _enoughAcknowledged.SetResult();
            }
        }
    }
}
