using System.Collections.Concurrent;
using System.Text;
using Chat.Client;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Tests.Client;

/// <summary>
/// Calls whose repeat is refused as if the first attempt had failed (a create answers <c>room_exists</c>, a removal
/// <c>not_found</c> or, out of a private room, <c>forbidden</c>), cut off after the first attempt went through: the
/// moment a real server shows only by chance, a stand-in hub shows on demand by closing the connection instead of
/// answering. The client repeats the call after the reconnect and settles the refusal by asking what holds now.
/// </summary>
public sealed class RepeatedCallTests(RepeatedCallTests.Fixture fixture) : IClassFixture<RepeatedCallTests.Fixture>
{
    private const string UserId = "corp:ada";

    [Fact]
    public async Task CreateCutOffAfterItWentThroughAnswersTheRoomItCreated()
    {
        await using var ada = await StartAsync();

        var created = await ada.Client.CreateRoomAsync(new CreateRoomRequest("cut-mine", RoomKinds.Private)).WithTimeout();

        created.Should().BeEquivalentTo(new { Room = "cut-mine", Kind = RoomKinds.Private });
        fixture.Attempts("cut-mine").Should().Equal(nameof(IChatHub.CreateRoom), nameof(IChatHub.CreateRoom), nameof(IChatHub.ListMyRooms));
        ada.States.Items.Should().Contain(s => s.Current == ChatConnectionState.Reconnecting, "the first attempt's answer was cut off");
    }

    [Fact]
    public async Task CreateCutOffWhoseNameIsTakenByAnotherStillFailsWithRoomExists()
    {
        await using var ada = await StartAsync();

        var creating = () => ada.Client.CreateRoomAsync(new CreateRoomRequest("cut-theirs", RoomKinds.Private)).WithTimeout();

        (await creating.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.RoomExists);
        fixture.Attempts("cut-theirs").Should().Equal(nameof(IChatHub.CreateRoom), nameof(IChatHub.CreateRoom), nameof(IChatHub.ListMyRooms));
    }

    [Fact]
    public async Task RefusalOfAFirstAttemptIsNotSecondGuessed()
    {
        await using var ada = await StartAsync();

        var creating = () => ada.Client.CreateRoomAsync(new CreateRoomRequest("taken", RoomKinds.Private)).WithTimeout();

        (await creating.Should().ThrowAsync<ChatRequestException>()).Which.Code.Should().Be(ChatErrorCodes.RoomExists);
        fixture.Attempts("taken").Should().Equal(nameof(IChatHub.CreateRoom));
    }

    [Fact]
    public async Task KickCutOffAfterItWentThroughIsDone()
    {
        await using var ada = await StartAsync();

        await ada.Client.RemoveMemberAsync("cut-kick", "guest:bob").WithTimeout();

        fixture.Attempts("cut-kick").Should().Equal(nameof(IChatHub.RemoveMember), nameof(IChatHub.RemoveMember));
    }

    [Fact]
    public async Task LeaveForGoodCutOffOutOfAPrivateRoomIsSettledByTheUsersRoomList()
    {
        await using var ada = await StartAsync();

        await ada.Client.LeaveRoomForGoodAsync("cut-private").WithTimeout();

        ada.Client.UserId.Should().Be(UserId, "the user is read from the provider's JWT");
        fixture.Attempts("cut-private").Should().Equal(nameof(IChatHub.RemoveMember), nameof(IChatHub.RemoveMember), nameof(IChatHub.ListMyRooms));
        fixture.Removed.Should().Contain(("cut-private", UserId));
    }

    private static string Jwt(string subject)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"none"}""")}.{Part($$"""{"sub":"{{subject}}"}""")}.";
    }

    private async Task<ClientUnderTest> StartAsync()
    {
        var options = ClientUnderTest.Options(fixture.BaseAddress, "ada", ChatProtocol.MessagePack);
        options.UserName = null;
        options.AccessTokenProvider = _ => Task.FromResult(new ChatAccessToken(Jwt(UserId), null));
        var client = new ClientUnderTest(options, "ada");
        await client.Client.StartAsync().WithTimeout();
        return client;
    }

    /// <summary>
    /// A hub without sign-in. A call on a room named <c>cut-…</c> goes through on its first attempt but the connection
    /// is closed instead of answering; a repeat is refused as the real server refuses it then. <c>taken</c> exists
    /// already. Every attempt is recorded under its room.
    /// </summary>
    public sealed class Fixture : StandInHubFixture<CutOnceHub>
    {
        internal ConcurrentQueue<(string Room, string UserId)> Removed { get; } = new();

        /// <summary>The room of the latest attempt.</summary>
        internal string? LastRoom { get; private set; }

        /// <summary>Records the attempt; returns whether it is the room's first of this method.</summary>
        internal bool Attempt(string room, string method)
        {
            LastRoom = room;
            var calls = Calls.GetOrAdd(room, _ => new ConcurrentQueue<string>());
            calls.Enqueue(method);
            return calls.Count(m => m == method) == 1;
        }
    }

    public sealed class CutOnceHub(Fixture fixture) : Microsoft.AspNetCore.SignalR.Hub
    {
        private static readonly DateTime CreatedAt = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public async Task<RoomInfo> CreateRoom(CreateRoomRequest request)
        {
            if (fixture.Attempt(request.Room, nameof(CreateRoom)) && request.Room.StartsWith("cut-", StringComparison.Ordinal))
            {
                return await CutOffAsync<RoomInfo>();
            }

            throw new HubException($"{ChatErrorCodes.RoomExists}: a room named '{request.Room}' exists already");
        }

        public MyRoom[] ListMyRooms()
        {
            // Asked while settling a repeat: recorded under the room being settled (the tests run one at a time).
            fixture.Attempt(fixture.LastRoom!, nameof(ListMyRooms));

            // Only the first create of cut-mine went through for this user; cut-private is left.
            return [new MyRoom(Info("cut-mine", RoomKinds.Private), MemberRoles.Owner, 0, 0, 0, null)];
        }

        public async Task RemoveMember(string room, string userId)
        {
            if (fixture.Attempt(room, nameof(RemoveMember)))
            {
                fixture.Removed.Enqueue((room, userId));
                await CutOffAsync<bool>();
            }

            throw room == "cut-private"
                ? new HubException($"{ChatErrorCodes.Forbidden}: this room is private: only its members may see or use it")
                : new HubException($"{ChatErrorCodes.NotFound}: that user is not a member of this room");
        }

        private static RoomInfo Info(string room, string kind) => new(room, kind, null, null, 1, 0, 0, 0, CreatedAt, null);

        /// <summary>Closes the connection instead of answering, as a network failure right after the work would.</summary>
        private async Task<T> CutOffAsync<T>()
        {
            Context.Abort();
            await Task.Delay(Timeout.Infinite, Context.ConnectionAborted);
            throw new InvalidOperationException("unreachable");
        }
    }
}
