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
}
