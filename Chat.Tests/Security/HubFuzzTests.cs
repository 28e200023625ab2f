using System.Net.WebSockets;
using Chat.Server.Rooms;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Chat.Tests.Security;

/// <summary>Thousands of random and mutated hub frames against a live server: it answers or closes, and nothing else happens.</summary>
[Collection(nameof(ProcessWideState))]
public sealed class HubFuzzTests(ChatServerFixture fixture, ITestOutputHelper output) : IClassFixture<ChatServerFixture>
{
    private const int FramesPerProtocol = 10_000;
    private static readonly TimeSpan TimeBudgetPerProtocol = TimeSpan.FromSeconds(25);
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x1e, 0x7f, 0x80, 0xc0, 0xc1, 0xd9, 0xdc, 0xde, 0xff, (byte)'"', (byte)'{', (byte)'[', (byte)'\\', (byte)'-', (byte)'9'];

    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task RandomAndMutatedFramesNeverHarmTheServer(ChatProtocol protocol)
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        var seed = Environment.TickCount;
        output.WriteLine($"Seed {seed}");
        var random = new Random(seed);
        var registry = Server.Services.GetRequiredService<ConnectionRegistry>();
        var connectionsBefore = registry.Count;
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var seeds = await SeedFramesAsync(protocol);

        var sent = 0;
        var connections = 0;
        var started = DateTime.UtcNow;
        while (sent < FramesPerProtocol && DateTime.UtcNow - started < TimeBudgetPerProtocol)
        {
            await using var target = await RawHubConnection.ConnectAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("fuzz"))).AccessToken, protocol);
            connections++;
            var draining = DrainAsync(target);
            while (sent < FramesPerProtocol && target.State == WebSocketState.Open)
            {
                try
                {
                    await target.SendAsync(Mutate(random, seeds, protocol));
                    sent++;
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    break;
                }
            }

            await target.DisposeAsync();
            await draining.WithTimeout();
        }

        output.WriteLine($"{sent} frames over {connections} connections in {(DateTime.UtcNow - started).TotalSeconds:F1} s.");
        sent.Should().BeGreaterThan(2_000, "the fuzzer must have had its say");
        await bystander.ShouldBeUnharmedAsync();
        var deadline = DateTime.UtcNow + TestDefaults.Timeout;
        while (registry.Count > connectionsBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        registry.Count.Should().BeLessThanOrEqualTo(connectionsBefore, "every fuzzed connection is gone");
        var growth = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        output.WriteLine($"Managed heap growth: {growth / 1024 / 1024} MiB.");
        growth.Should().BeLessThan(64L * 1024 * 1024);
    }

    /// <summary>Valid frames of every hub method, the material the fuzzer mutates.</summary>
    private async Task<byte[][]> SeedFramesAsync(ChatProtocol protocol)
    {
        await using var writer = await RawHubConnection.ConnectAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("seed"))).AccessToken, protocol);
        var room = TestDefaults.UniqueRoom("fuzz");
        return
        [
            writer.Frame("1", nameof(IChatHub.JoinRoom), room),
            writer.Frame("2", nameof(IChatHub.SendMessage), room, "fuzz me", "client-1"),
            writer.Frame("3", nameof(IChatHub.SendMessage), room, "fuzz me too", null),
            writer.Frame("4", nameof(IChatHub.SetTyping), room, true),
            writer.Frame("5", nameof(IChatHub.GetHistory), room, 10L, 50),
            writer.Frame("6", nameof(IChatHub.GetHistory), room, null, 200),
            writer.Frame("7", nameof(IChatHub.GetMessagesSince), room, 0L, 500),
            writer.Frame("8", nameof(IChatHub.ListRooms)),
            writer.Frame("9", nameof(IChatHub.GetPresence), room),
            writer.Frame("10", nameof(IChatHub.LeaveRoom), room),
            writer.Frame(null, nameof(IChatHub.SendMessage), room, "fire and forget", null),
            protocol == ChatProtocol.Json ? RawFrames.JsonRecord("{\"type\":6}") : RawFrames.LengthPrefixed([0x91, 0x06]),
            protocol == ChatProtocol.Json ? RawFrames.JsonRecord("{\"type\":5,\"invocationId\":\"1\"}") : RawFrames.LengthPrefixed([0x93, 0x05, 0x80, 0xa1, (byte)'1']),
            protocol == ChatProtocol.Json ? RawFrames.JsonRecord("{\"type\":7}") : RawFrames.LengthPrefixed([0x92, 0x07, 0xc0]),
        ];
    }

    private static byte[] Mutate(Random random, byte[][] seeds, ChatProtocol protocol)
    {
        var frame = seeds[random.Next(seeds.Length)].ToList();
        var strategy = random.Next(8);
        switch (strategy)
        {
            case 0:
                return Enumerable.Range(0, random.Next(1, 512)).Select(_ => (byte)random.Next(256)).ToArray();
            case 1:
                var cut = random.Next(frame.Count);
                frame.RemoveRange(cut, frame.Count - cut);
                break;
            case 2:
                frame.InsertRange(random.Next(frame.Count), Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                break;
            case 3:
                var start = random.Next(frame.Count);
                frame.InsertRange(random.Next(frame.Count), frame.Skip(start).Take(random.Next(1, 64)).ToList());
                break;
            case 4:
                frame.AddRange(seeds[random.Next(seeds.Length)]);
                break;
            default:
                for (var flips = random.Next(1, 5); flips > 0; flips--)
                {
                    var at = random.Next(frame.Count);
                    frame[at] = random.Next(2) == 0 ? (byte)(frame[at] ^ (1 << random.Next(8))) : InterestingBytes[random.Next(InterestingBytes.Length)];
                }

                break;
        }

        // Half the MessagePack mutants keep a correct length prefix, so the mutation reaches the message parser.
        return protocol == ChatProtocol.MessagePack && random.Next(2) == 0 && frame.Count > 1 ? RawFrames.LengthPrefixed(frame.Skip(1).ToArray()) : [.. frame];
    }

    private static async Task DrainAsync(RawHubConnection connection)
    {
        try
        {
            await connection.WaitForCloseAsync();
        }
        catch (Exception exception) when (exception is InvalidDataException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            // The server answered something the strict parser here dislikes, or the socket went away under it: either way this connection is done.
        }
    }
}
