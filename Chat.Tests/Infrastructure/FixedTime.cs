namespace Chat.Tests.Infrastructure;

/// <summary>A clock that always says the same instant: for pure logic that reads the time.</summary>
public sealed class FixedTime(DateTime now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(now);
}
