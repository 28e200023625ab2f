using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Hub;

/// <summary>Every rejected call fails with "code: sentence", and the same connection carries on.</summary>
public sealed class ErrorCodeTests(ErrorCodeTests.Fixture fixture) : IClassFixture<ErrorCodeTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    public static TheoryData<ChatProtocol, string> InvalidRoomNames()
    {
        var data = new TheoryData<ChatProtocol, string>();
        foreach (var protocol in new[] { ChatProtocol.Json, ChatProtocol.MessagePack })
        {
            foreach (var name in new[] { "", "-starts-with-dash", "has space", "ünïcode", new string('a', 65), "semi;colon", "dot.ted" })
            {
                data.Add(protocol, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidRoomNames))]
    public async Task InvalidRoomNameIsRejectedAndTheConnectionCarriesOn(ChatProtocol protocol, string room)
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);

        await AssertRejected(() => alice.JoinRoom(room), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => alice.SendMessage(room, "x"), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => alice.GetHistory(room, null, 10), ChatErrorCodes.InvalidRoomName);
        await AssertRejected(() => alice.GetPresence(room), ChatErrorCodes.InvalidRoomName);

        await AssertConnectionStillWorks(alice);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NullRoomIsAnInvalidRoomName(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);

        await AssertRejected(() => alice.Connection.InvokeAsync<JoinResult>(nameof(IChatHub.JoinRoom), (string?)null), ChatErrorCodes.InvalidRoomName);
        await AssertConnectionStillWorks(alice);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SendingOrTypingWithoutJoiningIsNotAMember(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await bob.JoinRoom(room);

        await AssertRejected(() => alice.SendMessage(room, "let me in"), ChatErrorCodes.NotAMember);
        await AssertRejected(() => alice.SetTyping(room, true), ChatErrorCodes.NotAMember);

        await AssertConnectionStillWorks(alice);
        (await bob.GetHistory(room, null, 10)).Should().BeEmpty("nothing is stored from a rejected call");
        bob.Typing.Items.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EmptyAndTooLongMessagesAreRejected(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await alice.JoinRoom(room);

        await AssertRejected(() => alice.SendMessage(room, ""), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => alice.SendMessage(room, " \t\n "), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => alice.Connection.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, null, null), ChatErrorCodes.EmptyMessage);
        await AssertRejected(() => alice.SendMessage(room, new string('x', ChatLimits.MaxMessageLength + 1)), ChatErrorCodes.MessageTooLong);
        var longest = await alice.SendMessage(room, "  " + new string('x', ChatLimits.MaxMessageLength) + "  ");

        longest.Content.Should().HaveLength(ChatLimits.MaxMessageLength, "the limit applies after trimming");
        (await alice.GetHistory(room, null, 10)).Should().Equal(longest);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task OutOfRangeLimitsAreInvalid(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);

        await AssertRejected(() => alice.GetHistory(room, null, 0), ChatErrorCodes.InvalidLimit);
        await AssertRejected(() => alice.GetHistory(room, null, ChatLimits.MaxHistoryPage + 1), ChatErrorCodes.InvalidLimit);
        await AssertRejected(() => alice.GetMessagesSince(room, 0, 0), ChatErrorCodes.InvalidLimit);
        await AssertRejected(() => alice.GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage + 1), ChatErrorCodes.InvalidLimit);

        (await alice.GetHistory(room, null, ChatLimits.MaxHistoryPage)).Should().BeEmpty();
        (await alice.GetMessagesSince(room, 0, ChatLimits.MaxMessagesSincePage)).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task TheHundredAndFirstRoomIsTooManyRooms(ChatProtocol protocol)
    {
        var prefix = TestDefaults.UniqueRoom("many");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        for (var i = 0; i < ChatLimits.MaxRoomsPerConnection; i++)
        {
            await alice.JoinRoom($"{prefix}-{i}");
        }

        await AssertRejected(() => alice.JoinRoom($"{prefix}-extra"), ChatErrorCodes.TooManyRooms);
        (await alice.JoinRoom($"{prefix}-0")).Room.Should().Be($"{prefix}-0", "re-joining a room already joined is harmless");
        await alice.LeaveRoom($"{prefix}-0");
        (await alice.JoinRoom($"{prefix}-extra")).Room.Should().Be($"{prefix}-extra");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SendingFasterThanTheBurstIsRateLimited(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser(), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);

        var started = DateTime.UtcNow;
        var attempts = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                return (Message: await alice.SendMessage(room, $"flood {i}"), Code: (string?)null);
            }
            catch (HubException exception)
            {
                return (Message: (ChatMessage?)null, Code: ChatErrorCodes.FromErrorMessage(exception.Message));
            }
        }));

        var elapsedSeconds = (DateTime.UtcNow - started).TotalSeconds;

        var accepted = attempts.Where(a => a.Message is not null).Select(a => a.Message!).ToList();
        var refilled = (int)Math.Ceiling(elapsedSeconds * Fixture.MessagesPerSecond);
        accepted.Count.Should().BeInRange(ChatLimits.DefaultMessageBurst, ChatLimits.DefaultMessageBurst + refilled, "the burst, plus what refilled meanwhile");
        attempts.Where(a => a.Message is null).Should().NotBeEmpty().And.OnlyContain(a => a.Code == ChatErrorCodes.RateLimited);
        (await alice.GetMessagesSince(room, 0, 500)).Should().BeEquivalentTo(accepted, "nothing is stored from rejected calls");
        (await bob.SendMessage(room, "others are not limited")).Content.Should().Be("others are not limited");
        await AssertConnectionStillWorks(alice);
    }

    [Fact]
    public async Task ErrorMessagesStartWithTheCodeThenASentence()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser());

        var exception = await FluentActions.Awaiting(() => alice.JoinRoom("bad room")).Should().ThrowAsync<HubException>();

        exception.Which.Message.Should().Be("invalid_room_name: room names are 1-64 characters of a-z, 0-9, _ and -, starting with a letter or digit");
    }

    private static async Task AssertRejected(Func<Task> call, string code)
    {
        var exception = await FluentActions.Awaiting(call).Should().ThrowAsync<HubException>();
        exception.Which.Message.Should().StartWith(code + ": ");
    }

    private static async Task AssertConnectionStillWorks(TestClient client)
    {
        var room = TestDefaults.UniqueRoom("after");
        client.Connection.State.Should().Be(HubConnectionState.Connected);
        (await client.JoinRoom(room)).Room.Should().Be(room);
        (await client.GetHistory(room, null, 1)).Should().BeEmpty();
    }

    /// <summary>The default burst with a slow refill, so the rate limit shows even on a loaded machine.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public const int MessagesPerSecond = 1;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = MessagesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
