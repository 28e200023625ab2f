using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Hub;

/// <summary>A client that missed more changes than the server replays is told to reload the room instead.</summary>
public sealed class ChangeLogReplayLimitTests(ChangeLogReplayLimitTests.Fixture fixture) : IClassFixture<ChangeLogReplayLimitTests.Fixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task MissingMoreThanMaxReplayChangesRequiresAReset(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var message = await alice.SendMessage(room, "v0");
        for (var i = 1; i <= 7; i++)
        {
            await alice.EditMessage(room, message.Id, $"v{i}");
        }

        var fromTheStart = await alice.GetEventsSince(room, 0, 10);
        var oneTooMany = await alice.GetEventsSince(room, 8 - Fixture.MaxReplay - 1, 10);
        var justEnough = await alice.GetEventsSince(room, 8 - Fixture.MaxReplay, 10);

        fromTheStart.Should().BeEquivalentTo(new { Room = room, Events = Array.Empty<RoomEvent>(), LastEventSequence = 8L, ResetRequired = true });
        oneTooMany.Should().BeEquivalentTo(new { Events = Array.Empty<RoomEvent>(), LastEventSequence = 8L, ResetRequired = true });
        justEnough.ResetRequired.Should().BeFalse();
        justEnough.LastEventSequence.Should().Be(8);
        justEnough.Events.Select(e => e.EventSequence).Should().Equal(4, 5, 6, 7, 8);
        justEnough.Events.Should().OnlyContain(e => e.Type == RoomEventTypes.MessageEdited && e.Message!.Content == "v7");
    }

    /// <summary>A replay limit small enough to pass in a test.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public const int MaxReplay = 5;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Events:MaxReplay"] = MaxReplay.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
