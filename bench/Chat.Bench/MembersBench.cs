using Chat.Shared;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Bench;

/// <summary>
/// What a member's calls cost as the room grows (the contract: a room of 10,000 costs about what a room of 10 does).
/// For each size, one public room gets that many lasting members (guests that join and go offline again); then its
/// owner, the only one online, makes each call many times in a row, timed end to end (hub round trip included).
/// </summary>
internal static class MembersBench
{
    private const int ConnectedAtOnce = 2_500;

    public static async Task RunAsync(BenchOptions options, BenchResults results, CancellationToken cancellationToken)
    {
        await using var chat = await ServerUnderTest.StartAsync(ServerKind.Chat, cancellationToken: cancellationToken);
        foreach (var size in options.MemberRoomSizes)
        {
            var room = $"members-{size}";
            var owners = await LoadClientFactory.ConnectAsync(chat, WireProtocol.MessagePack, [room], $"{room}-owner", cancellationToken: cancellationToken);
            try
            {
                await FillAsync(chat, room, size - 1, cancellationToken);
                var owner = owners[0].Connection;
                var member = $"guest:{room}-member0";
                var roles = new[] { MemberRoles.Moderator, MemberRoles.Member };
                var roleCalls = 0;
                (string Name, Func<Task<int>> Call)[] calls =
                [
                    ("ListMyRooms", async () => (await owner.InvokeAsync<MyRoom[]>(nameof(IChatHub.ListMyRooms), cancellationToken)).Length),
                    ("SetMemberRole (moderator, then member again)", async () =>
                    {
                        await owner.InvokeAsync<RoomMember>(nameof(IChatHub.SetMemberRole), room, member, roles[roleCalls++ % 2], cancellationToken);
                        return 1;
                    }),
                    ("GetMembers, first page of 100", async () => (await owner.InvokeAsync<RoomMember[]>(nameof(IChatHub.GetMembers), room, null, 100, cancellationToken)).Length),
                ];
                foreach (var (name, call) in calls)
                {
                    results.Queries.Add(await RepeatedCalls.MeasureAsync(
                        "members", $"{name}, a room of {size:N0} members", "lasting members in one public room, only its owner online", call, cancellationToken));
                }
            }
            finally
            {
                await LoadClientFactory.DisposeAllAsync(owners);
            }
        }
    }

    /// <summary>Lasting members, a slice at a time: each joins (which makes a guest a member of a public room) and leaves again.</summary>
    private static async Task FillAsync(ServerUnderTest chat, string room, int members, CancellationToken cancellationToken)
    {
        var joined = 0;
        using var progress = Progress.Every(() => $"members: {room}: {Volatile.Read(ref joined):N0}/{members:N0} joined");
        for (var first = 0; first < members; first += ConnectedAtOnce)
        {
            var count = Math.Min(ConnectedAtOnce, members - first);
            var slice = await LoadClientFactory.ConnectAsync(
                chat, WireProtocol.MessagePack, [.. Enumerable.Repeat(room, count)], $"{room}-member", firstUser: first, cancellationToken: cancellationToken);
            await LoadClientFactory.DisposeAllAsync(slice);
            Interlocked.Add(ref joined, count);
        }
    }
}
