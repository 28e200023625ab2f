using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Tests.Hub;

/// <summary><c>Messages:EditWindow</c> closes editing, and only editing, once a message is that old.</summary>
public sealed class EditWindowTests(EditWindowTests.Fixture fixture) : IClassFixture<EditWindowTests.Fixture>
{
    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EditsAreRefusedOnceTheWindowHasPassedAndNothingElseIs(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var message = await alice.SendMessage(room, "draft");
        var accepted = new List<ChatMessage> { await alice.EditMessage(room, message.Id, "edited in time") };

        // Each attempt is a real change, so an accepted one is not mistaken for a harmless repeat.
        var attempt = 0;
        var refusal = await Eventually.MatchesAsync<string?>(
            async () =>
            {
                try
                {
                    accepted.Add(await alice.EditMessage(room, message.Id, $"attempt {++attempt}"));
                    return null;
                }
                catch (HubException exception)
                {
                    return exception.Message;
                }
            },
            error => error is not null,
            TimeSpan.FromSeconds(30),
            "an edit after the window is refused");

        refusal.Should().StartWith(ChatErrorCodes.EditWindowExpired + ": ");
        (DateTime.UtcNow - message.SentAt).Should().BeGreaterThan(Fixture.EditWindow);
        var stored = (await bob.GetHistory(room, null, 1)).Single();
        stored.Should().Be(accepted[^1], "the refused edit changed nothing");
        var reacted = await bob.AddReaction(room, message.Id, "⏰");
        reacted.EventSequence.Should().Be(stored.EventSequence + 1, "the refused edit took no number");
        await alice.DeleteMessage(room, message.Id);
        (await bob.Changes.WaitForAsync(e => e.Type == RoomEventTypes.MessageDeleted)).EventSequence.Should().Be(reacted.EventSequence + 1);
        bob.Changes.Items.Count(e => e.Type == RoomEventTypes.MessageEdited).Should().Be(accepted.Count);
    }

    /// <summary>A window short enough to pass in a test.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public static readonly TimeSpan EditWindow = TimeSpan.FromSeconds(2);

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messages:EditWindow"] = "00:00:02",
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
