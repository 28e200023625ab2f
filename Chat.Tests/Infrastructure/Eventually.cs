namespace Chat.Tests.Infrastructure;

/// <summary>Polls a condition until it holds, within a deadline: for states that raise no event to wait on.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestDefaults.Timeout;
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {limit}: {what}");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<T> MatchesAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var limit = timeout ?? TestDefaults.Timeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {limit}: {because}. Last value: {value}");
            }

            await Task.Delay(100);
        }
    }
}
