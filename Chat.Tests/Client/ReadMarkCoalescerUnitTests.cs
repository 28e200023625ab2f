using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Client;

/// <summary>
/// How the client coalesces read marks, without a server: one <c>MarkRead</c> per room on its way at a time, marks made
/// meanwhile only raise the next one, each mark completes with the answer of a call that covers it, and the highest
/// mark asked for is always sent, also after a failed call.
/// </summary>
public sealed class ReadMarkCoalescerUnitTests
{
    private const string Room = "lobby";

    [Fact]
    public async Task LoneMarkIsSentAtOnceAndAnsweredWithTheServersState()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);

        var marking = coalescer.MarkAsync(Room, 5);

        var call = await hub.CallAsync(1);
        call.Should().BeEquivalentTo(new { Room, Sequence = 5L });
        call.Answer(pointer: 5, unread: 2);
        (await marking.WithTimeout()).Should().Be(new ReadState(Room, 5, 2, 0));
        coalescer.RoomsInFlight.Should().Be(0);
    }

    [Fact]
    public async Task MarksMadeWhileACallIsOnItsWayAreSentTogetherAsTheHighestOnceItIsAnswered()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);
        var first = coalescer.MarkAsync(Room, 5);
        var firstCall = await hub.CallAsync(1);

        var later = new[] { coalescer.MarkAsync(Room, 7), coalescer.MarkAsync(Room, 9), coalescer.MarkAsync(Room, 6) };

        hub.Calls.Items.Should().ContainSingle("a mark made while one is on its way waits for it");
        firstCall.Answer(pointer: 5);
        (await first.WithTimeout()).LastReadSequence.Should().Be(5);
        later.Should().OnlyContain(t => !t.IsCompleted, "the call for 5 does not cover 6, 7 or 9");
        var secondCall = await hub.CallAsync(2);
        secondCall.Sequence.Should().Be(9, "one call carries the highest of the waiting marks");
        secondCall.Answer(pointer: 9);
        (await Task.WhenAll(later).WithTimeout()).Should().OnlyContain(s => s.LastReadSequence == 9);
        hub.Calls.Items.Should().HaveCount(2);
        coalescer.RoomsInFlight.Should().Be(0);
    }

    [Fact]
    public async Task MarksNoFurtherThanTheCallOnItsWayAreAnsweredByItWithoutAnotherCall()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);
        var first = coalescer.MarkAsync(Room, 10);
        var call = await hub.CallAsync(1);

        var lower = coalescer.MarkAsync(Room, 3);
        var same = coalescer.MarkAsync(Room, 10);
        call.Answer(pointer: 10, unread: 1);

        (await Task.WhenAll(first, lower, same).WithTimeout()).Should().AllBeEquivalentTo(new ReadState(Room, 10, 1, 0));
        coalescer.RoomsInFlight.Should().Be(0);
        hub.Calls.Items.Should().ContainSingle();
    }

    [Fact]
    public async Task AThousandMarksAtOnceCostTwoCallsAndTheLastCarriesTheHighest()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);
        var marks = new Task<ReadState>[1000];
        marks[0] = coalescer.MarkAsync(Room, 1);

        Parallel.For(1, marks.Length, i => marks[i] = coalescer.MarkAsync(Room, i + 1));
        var first = await hub.CallAsync(1);
        first.Answer(pointer: first.Sequence);
        var second = await hub.CallAsync(2);
        second.Answer(pointer: second.Sequence);

        await Task.WhenAll(marks).WithTimeout();
        hub.Calls.Items.Select(c => c.Sequence).Should().Equal(1, 1000);
        marks.Skip(1).Select(m => m.Result.LastReadSequence).Should().OnlyContain(p => p == 1000);
        coalescer.RoomsInFlight.Should().Be(0);
    }

    [Fact]
    public async Task FailedCallFailsOnlyTheMarksItCoveredAndTheHighestStillGoesOut()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);
        var covered = coalescer.MarkAsync(Room, 5);
        var failing = await hub.CallAsync(1);
        var beyond = coalescer.MarkAsync(Room, 8);

        failing.Fail(new ChatRequestException("forbidden: members only"));

        (await covered.Awaiting(t => t.WithTimeout()).Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.Forbidden);
        var retry = await hub.CallAsync(2);
        retry.Sequence.Should().Be(8, "a mark beyond the failed call is not lost with it");
        retry.Answer(pointer: 8);
        (await beyond.WithTimeout()).LastReadSequence.Should().Be(8);
    }

    [Fact]
    public async Task SendThatThrowsAtOnceFailsTheMarkWithoutStoppingLaterOnes()
    {
        var calls = 0;
        var coalescer = new ReadMarkCoalescer((room, sequence) => ++calls == 1
            ? throw new InvalidOperationException("not started")
            : Task.FromResult(new ReadState(room, sequence, 0, 0)));

        var failing = () => coalescer.MarkAsync(Room, 1).WithTimeout();

        await failing.Should().ThrowAsync<InvalidOperationException>();
        (await coalescer.MarkAsync(Room, 2).WithTimeout()).LastReadSequence.Should().Be(2);
        coalescer.RoomsInFlight.Should().Be(0);
    }

    [Fact]
    public async Task EachRoomHasItsOwnCallOnItsWay()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);

        var lobby = coalescer.MarkAsync("lobby", 4);
        var team = coalescer.MarkAsync("team", 2);

        var calls = await hub.Calls.WaitForCountAsync(2);
        calls.Select(c => (c.Room, c.Sequence)).Should().BeEquivalentTo([("lobby", 4L), ("team", 2L)]);
        coalescer.RoomsInFlight.Should().Be(2);
        foreach (var call in calls)
        {
            call.Answer(pointer: call.Sequence);
        }

        (await lobby.WithTimeout()).Room.Should().Be("lobby");
        (await team.WithTimeout()).Room.Should().Be("team");
    }

    [Fact]
    public async Task AnsweredRoomSendsTheNextMarkAtOnce()
    {
        var hub = new HeldHub();
        var coalescer = new ReadMarkCoalescer(hub.MarkRead);
        var first = coalescer.MarkAsync(Room, 1);
        (await hub.CallAsync(1)).Answer(pointer: 1);
        await first.WithTimeout();

        var next = coalescer.MarkAsync(Room, 2);

        (await hub.CallAsync(2)).Sequence.Should().Be(2);
        next.IsCompleted.Should().BeFalse();
    }

    /// <summary>A stand-in for the hub whose every MarkRead waits until the test answers it.</summary>
    private sealed class HeldHub
    {
        public EventLog<Call> Calls { get; } = new();

        public Task<ReadState> MarkRead(string room, long sequence)
        {
            var call = new Call(room, sequence);
            Calls.Add(call);
            return call.Answered.Task;
        }

        /// <summary>The call number <paramref name="number"/> (from 1), once made.</summary>
        public async Task<Call> CallAsync(int number) => (await Calls.WaitForCountAsync(number))[number - 1];
    }

    private sealed class Call(string room, long sequence)
    {
        public string Room { get; } = room;

        public long Sequence { get; } = sequence;

        public TaskCompletionSource<ReadState> Answered { get; } = new();

        public void Answer(long pointer, int unread = 0) => Answered.SetResult(new ReadState(Room, pointer, unread, 0));

        public void Fail(Exception exception) => Answered.SetException(exception);
    }
}
