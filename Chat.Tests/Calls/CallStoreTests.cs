using Chat.Server.Calls;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Calls;

/// <summary>A call's transitions on one node (ringing, answered, over): pure logic on a clock the test moves.</summary>
public sealed class CallStoreTests
{
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(60);

    private readonly MovableTime _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TheFirstAnswerTakesTheCallAndTheSecondFindsNothing()
    {
        var store = NewStore();
        await store.TryCreateAsync(Call("call-0001"), _time.GetUtcNow() + RingTimeout);

        var first = await store.TryAnswerAsync("call-0001", "bob-phone");
        var second = await store.TryAnswerAsync("call-0001", "bob-laptop");

        first.Should().Be(Call("call-0001") with { AnswerConnection = "bob-phone", AnswerNode = "" });
        second.Should().BeNull();
        (await store.GetAsync("call-0001")).Should().Be(first);
    }

    [Fact]
    public async Task AnEndedCallIsGoneAndItsIdStaysTakenForAWhile()
    {
        var store = NewStore();
        await store.TryCreateAsync(Call("call-0002"), _time.GetUtcNow() + RingTimeout);

        (await store.TryEndAsync("call-0002", onlyIfRinging: false)).Should().Be(Call("call-0002"));

        (await store.TryEndAsync("call-0002", onlyIfRinging: false)).Should().BeNull("only one end wins");
        (await store.GetAsync("call-0002")).Should().BeNull();
        (await store.TryAnswerAsync("call-0002", "bob-phone")).Should().BeNull();
        (await store.TryCreateAsync(Call("call-0002"), _time.GetUtcNow() + RingTimeout)).Should().BeFalse("the id was used just now");
        _time.Advance(TimeSpan.FromMinutes(11));
        (await store.TryCreateAsync(Call("call-0002"), _time.GetUtcNow() + RingTimeout)).Should().BeTrue("ended ids are forgotten after ten minutes");
    }

    [Fact]
    public async Task OnlyAnUnansweredCallIsOverdueAndTheTimeoutDoesNotEndAnAnsweredOne()
    {
        var store = NewStore();
        await store.TryCreateAsync(Call("call-ring"), _time.GetUtcNow() + RingTimeout);
        await store.TryCreateAsync(Call("call-talk"), _time.GetUtcNow() + RingTimeout);
        await store.TryAnswerAsync("call-talk", "bob-phone");

        (await store.OverdueAsync(_time.GetUtcNow())).Should().BeEmpty();
        _time.Advance(RingTimeout + TimeSpan.FromSeconds(1));

        (await store.OverdueAsync(_time.GetUtcNow())).Should().Equal("call-ring");
        (await store.TryEndAsync("call-talk", onlyIfRinging: true)).Should().BeNull("the timeout never ends a call in progress");
        (await store.TryEndAsync("call-ring", onlyIfRinging: true)).Should().NotBeNull();
        (await store.OverdueAsync(_time.GetUtcNow())).Should().BeEmpty();
        (await store.GetAsync("call-talk")).Should().NotBeNull();
    }

    [Fact]
    public async Task RingingListsUnansweredCallsWithTheirCallersNode()
    {
        var store = NewStore();
        await store.TryCreateAsync(Call("call-ring") with { CallerNode = "node-a" }, _time.GetUtcNow() + RingTimeout);
        await store.TryCreateAsync(Call("call-talk") with { CallerNode = "node-b" }, _time.GetUtcNow() + RingTimeout);
        await store.TryCreateAsync(Call("call-gone") with { CallerNode = "node-b" }, _time.GetUtcNow() + RingTimeout);
        await store.TryAnswerAsync("call-talk", "bob-phone");
        await store.TryEndAsync("call-gone", onlyIfRinging: false);

        (await store.RingingAsync()).Should().Equal(new RingingCall("call-ring", "node-a"));
    }

    private InMemoryCallStore NewStore() => new(Options.Create(new CallsOptions { RingTimeout = RingTimeout }), _time);

    private static CallState Call(string id) => new(id, "dm-room", "guest:alice", "alice", "guest:bob", "alice-conn", "");

    private sealed class MovableTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
