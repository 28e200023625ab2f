using System.Collections.Concurrent;
using System.Diagnostics;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Chat.Tests.Client;

/// <summary>
/// The recovery scenario shared by the resilience tests: a sender streams 500 messages (sixteen sends in flight at
/// any time) to a receiver while the connection is disrupted twice; afterwards both must agree with the store.
/// </summary>
public static class MessageExchange
{
    public const int MessageCount = 500;

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(120);

    /// <param name="serverUrl">Where both clients connect.</param>
    /// <param name="protocol">The hub protocol of both clients.</param>
    /// <param name="disruptAsync">Called with 1 and 2, once 150 and once 330 messages are acknowledged.</param>
    /// <param name="output">Where the phases' timings go.</param>
    public static async Task RunAsync(Uri serverUrl, ChatProtocol protocol, Func<int, Task> disruptAsync, ITestOutputHelper output)
    {
        var clock = Stopwatch.StartNew();
        var room = TestDefaults.UniqueRoom("exchange");
        await using var receiver = await ClientUnderTest.StartAsync(serverUrl, TestDefaults.UniqueUser("receiver"), protocol);
        await using var sender = await ClientUnderTest.StartAsync(serverUrl, TestDefaults.UniqueUser("sender"), protocol);
        await receiver.Client.JoinRoomAsync(room).WithTimeout();
        await sender.Client.JoinRoomAsync(room).WithTimeout();

        var acknowledged = new ConcurrentQueue<ChatMessage>();
        var sending = Parallel.ForEachAsync(
            Enumerable.Range(0, MessageCount),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, cancellationToken) =>
                acknowledged.Enqueue(await sender.Client.SendMessageAsync(room, $"message {i}", cancellationToken: cancellationToken)));

        foreach (var (disruption, afterAcknowledgements) in new[] { (1, 150), (2, 330) })
        {
            await Eventually.HoldsAsync(() => acknowledged.Count >= afterAcknowledgements, $"{afterAcknowledgements} sends acknowledged", Generous);
            output.WriteLine($"{clock.Elapsed}: {acknowledged.Count} acknowledged; disruption {disruption}");
            await disruptAsync(disruption);
            output.WriteLine($"{clock.Elapsed}: disruption {disruption} done");
        }

        await sending.WithTimeout(Generous);
        output.WriteLine($"{clock.Elapsed}: all {MessageCount} acknowledged");
        var received = await receiver.Messages.WaitForCountAsync(MessageCount, m => m.Room == room, Generous);
        output.WriteLine($"{clock.Elapsed}: all {MessageCount} received");

        received.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, MessageCount).Select(i => (long)i), "every message exactly once, in order");
        received.Select(m => m.Content).Should().BeEquivalentTo(Enumerable.Range(0, MessageCount).Select(i => $"message {i}"));
        var stored = await receiver.Client.GetMessagesSinceAsync(room, 0).WithTimeout();
        stored.Should().Equal(received);
        acknowledged.OrderBy(m => m.Sequence).Should().Equal(stored, "each acknowledgement is what the store holds");
        receiver.States.Items.Count(s => s.Current == ChatConnectionState.Reconnecting && s.Reason is not null)
            .Should().BeGreaterThanOrEqualTo(2, "both disruptions cut the receiver off");
        receiver.Client.State.Should().Be(ChatConnectionState.Connected);
    }
}
