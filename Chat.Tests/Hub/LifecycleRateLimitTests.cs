using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Tests.Hub;

/// <summary>Posts, edits, deletes and reactions all draw on the user's one send rate, and a refused change is no change.</summary>
public sealed class LifecycleRateLimitTests(LifecycleRateLimitTests.Fixture fixture) : IClassFixture<LifecycleRateLimitTests.Fixture>
{
    private const int Kinds = 4;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EveryKindOfChangeCountsAgainstTheSendRate(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom();
        await using var alice = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await fixture.Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var started = DateTime.UtcNow;
        var target = await alice.SendMessage(room, "react to me");
        var doomed = new List<ChatMessage>();
        for (var i = 0; i < Fixture.Rounds; i++)
        {
            doomed.Add(await alice.SendMessage(room, $"delete me {i}"));
        }

        // The hub runs a connection's calls one at a time in order: the kinds take turns, so each meets the empty bucket.
        var calls = Enumerable.Range(0, Fixture.Rounds).SelectMany(i => new (string Kind, Func<Task> Call)[]
        {
            ("post", () => alice.PostMessage(room, new PostMessageRequest($"post {i}"))),
            ("edit", () => alice.EditMessage(room, target.Id, $"edit {i}")),
            ("react", () => alice.AddReaction(room, target.Id, $":r{i}:")),
            ("delete", () => alice.DeleteMessage(room, doomed[i].Id)),
        }).ToList();
        var outcomes = await Task.WhenAll(calls.Select(async c =>
        {
            try
            {
                await c.Call();
                return (c.Kind, Code: (string?)null);
            }
            catch (HubException exception)
            {
                return (c.Kind, Code: ChatErrorCodes.FromErrorMessage(exception.Message));
            }
        }));
        var elapsedSeconds = (DateTime.UtcNow - started).TotalSeconds;

        var left = Fixture.Burst - 1 - Fixture.Rounds;
        var accepted = outcomes.Count(o => o.Code is null);
        accepted.Should().BeInRange(left, left + (int)Math.Ceiling(elapsedSeconds * Fixture.MessagesPerSecond), "what was left of the burst, plus what refilled meanwhile");
        outcomes.Where(o => o.Code is not null).Should().OnlyContain(o => o.Code == ChatErrorCodes.RateLimited);
        outcomes.Where(o => o.Code is not null).Select(o => o.Kind).Distinct().Should().HaveCount(Kinds, "every kind of change is limited");
        var marker = await bob.SendMessage(room, "others are not limited");
        marker.EventSequence.Should().Be(1 + Fixture.Rounds + accepted + 1, "refused changes take no number");
        (await bob.ReadAllEventsAsync(room)).Should().HaveCount((int)marker.EventSequence);
    }

    /// <summary>A small burst with the slowest refill, so the limit shows even on a loaded machine.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        public const int Burst = 12;
        public const int MessagesPerSecond = 1;
        public const int Rounds = 6;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = MessagesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
