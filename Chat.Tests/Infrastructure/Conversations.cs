using System.Text.RegularExpressions;
using Chat.Shared;
using FluentAssertions.Equivalency;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Tests.Infrastructure;

/// <summary>What the conversation and moderation tests (contract v2, section 3) share: refusals, removals, shapes.</summary>
public static partial class Conversations
{
    /// <summary>How the server names a direct room: the prefix and 40 lower-case hex characters.</summary>
    public static Regex DirectRoomName { get; } = DirectRoomPattern();

    /// <summary>
    /// Rooms, members and my-rooms are records holding arrays, which records compare by reference: compare them by
    /// their members, in order.
    /// </summary>
    public static EquivalencyAssertionOptions<T> ByMembers<T>(EquivalencyAssertionOptions<T> options) =>
        options.ComparingRecordsByMembers().WithStrictOrdering();

    /// <summary>The call fails with a HubException whose message starts with <paramref name="code"/>; returns the message.</summary>
    public static async Task<string> Rejected(Func<Task> call, string code, string? because = null)
    {
        var exception = await FluentActions.Awaiting(call).Should().ThrowAsync<HubException>(because);
        exception.Which.Message.Should().StartWith(code + ": ", because);
        return exception.Which.Message;
    }

    /// <summary>Whether a call was refused with <paramref name="code"/> (false when it succeeded); any other failure is thrown.</summary>
    public static async Task<bool> IsRejectedWithAsync(Func<Task> call, string code)
    {
        try
        {
            await call();
            return false;
        }
        catch (HubException e) when (e.Message.StartsWith(code + ": ", StringComparison.Ordinal))
        {
            return true;
        }
    }

    /// <summary>
    /// A connection the server has finished welcoming. SignalR completes the handshake, and so the client's StartAsync,
    /// before the hub's OnConnectedAsync has run, and answers the connection's calls only after it: one round trip makes
    /// sure the user is known (stored) before anyone, on any node, names them.
    /// </summary>
    public static async Task<TestClient> ConnectWelcomedAsync(this ChatServer server, string userName, ChatProtocol protocol = ChatProtocol.Json)
    {
        var client = await server.ConnectAsync(userName, protocol);
        await client.ListMyRooms();
        return client;
    }

    /// <summary>A private room of <paramref name="owner"/> with <paramref name="members"/> added from the start.</summary>
    public static Task<RoomInfo> CreatePrivateRoomAsync(this TestClient owner, string room, params TestClient[] members) =>
        owner.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private, MemberIds: [.. members.Select(m => m.UserId)]));

    /// <summary>A public room of <paramref name="owner"/> that <paramref name="members"/> join (which makes them lasting members).</summary>
    public static async Task<RoomInfo> CreatePublicRoomAsync(this TestClient owner, string room, params TestClient[] members)
    {
        var info = await owner.CreateRoom(new CreateRoomRequest(room, RoomKinds.Public));
        foreach (var member in members)
        {
            await member.JoinRoom(room);
        }

        return info;
    }

    /// <summary>
    /// The <c>member.removed</c> event of <paramref name="userId"/> in <paramref name="room"/> as this connection hears it
    /// (it may hear it twice, through the room and through its user: both copies carry one eventSequence).
    /// </summary>
    public static async Task<RoomEvent> RemovalOfAsync(this TestClient connection, string room, string userId, TimeSpan? timeout = null)
    {
        var removed = await connection.Changes.WaitForAsync(
            e => e.Room == room && e.Type == RoomEventTypes.MemberRemoved && e.Member?.UserId == userId, timeout);
        connection.Changes.Items.Where(e => e.Room == room && e.Type == RoomEventTypes.MemberRemoved && e.Member?.UserId == userId)
            .Select(e => e.EventSequence).Distinct().Should().ContainSingle("one removal is one change, however often it is delivered");
        return removed;
    }

    /// <summary>
    /// Proves that <paramref name="removed"/> hears nothing more of <paramref name="room"/>: a message and an edit there,
    /// sent by <paramref name="sender"/> right away and heard by <paramref name="witness"/> (still in the room, on the
    /// removed connection's node), never reach it, although a later message of the same sender in
    /// <paramref name="stillShared"/>, a room the removed connection is still in, does. One node writes to one
    /// connection in the order it sends, so had the first message been meant for the removed connection, it would
    /// have arrived before the marker. Call it as soon as the removal is acknowledged: "at once" is what it checks.
    /// </summary>
    public static Task ShouldHearNoMoreOfAsync(
        this TestClient removed, string room, TestClient sender, TestClient witness, string stillShared, TimeSpan? timeout = null) =>
        ShouldHearNoMoreOfAsync([removed], room, sender, [witness], stillShared, timeout);

    /// <summary>
    /// <see cref="ShouldHearNoMoreOfAsync(TestClient, string, TestClient, TestClient, string, TimeSpan?)"/> for several
    /// removed connections at once, with a witness on each of their nodes.
    /// </summary>
    public static async Task ShouldHearNoMoreOfAsync(
        IReadOnlyList<TestClient> removed, string room, TestClient sender, IReadOnlyList<TestClient> witnesses, string stillShared, TimeSpan? timeout = null)
    {
        var heardBefore = removed.Select(r => r.Messages.Items.Count(m => m.Room == room)).ToList();
        var after = await sender.SendMessage(room, "after the removal " + Guid.NewGuid().ToString("N"));
        var edited = await sender.EditMessage(room, after.Id, "after the removal, edited");
        foreach (var witness in witnesses)
        {
            await witness.Messages.WaitForAsync(m => m.Id == after.Id, timeout);
            await witness.Changes.WaitForAsync(e => e.Room == room && e.EventSequence == edited.EventSequence, timeout);
        }

        var marker = await sender.SendMessage(stillShared, "marker " + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < removed.Count; i++)
        {
            await removed[i].Messages.WaitForAsync(m => m.Id == marker.Id, timeout);
            removed[i].Messages.Items.Count(m => m.Room == room).Should().Be(
                heardBefore[i], "removed connection #{0} ({1}) must receive no more messages of the room", i, removed[i].UserName);
            removed[i].Changes.Items.Should().NotContain(
                e => e.Room == room && e.EventSequence >= after.EventSequence,
                "removed connection #{0} ({1}) must hear no more changes of the room's messages", i, removed[i].UserName);
            removed[i].Connection.State.Should().Be(HubConnectionState.Connected, "a removal does not close the connection");
        }
    }

    /// <summary>
    /// Every hub call on <paramref name="room"/>, as <paramref name="caller"/> would make it: reads, joins, posts, changes
    /// to <paramref name="message"/> (which <paramref name="member"/> reacted to with 👍), typing, settings and moderation
    /// of <paramref name="member"/> and <paramref name="stranger"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, Func<Task> Call)> EveryCallOn(
        TestClient caller, string room, ChatMessage message, TestClient member, TestClient stranger) =>
    [
        ("JoinRoom", () => caller.JoinRoom(room)),
        ("GetHistory", () => caller.GetHistory(room, null, 10)),
        ("GetHistory before", () => caller.GetHistory(room, message.Sequence + 1, 10)),
        ("GetMessagesSince", () => caller.GetMessagesSince(room, 0, 10)),
        ("GetEventsSince", () => caller.GetEventsSince(room, 0, 10)),
        ("GetPresence", () => caller.GetPresence(room)),
        ("GetMembers", () => caller.GetMembers(room, null, 10)),
        ("SendMessage", () => caller.SendMessage(room, "let me in")),
        ("PostMessage", () => caller.PostMessage(room, new PostMessageRequest("let me in", ReplyToId: message.Id, Mentions: [member.UserId]))),
        ("EditMessage", () => caller.EditMessage(room, message.Id, "mine now")),
        ("DeleteMessage", () => caller.DeleteMessage(room, message.Id)),
        ("AddReaction", () => caller.AddReaction(room, message.Id, "👀")),
        ("RemoveReaction", () => caller.RemoveReaction(room, message.Id, "👍")),
        ("SetTyping(true)", () => caller.SetTyping(room, true)),
        ("SetTyping(false)", () => caller.SetTyping(room, false)),
        ("UpdateRoom", () => caller.UpdateRoom(room, new UpdateRoomRequest(Title: "taken over", SlowModeSeconds: 5))),
        ("AddMember(oneself)", () => caller.AddMember(room, caller.UserId)),
        ("AddMember(someone)", () => caller.AddMember(room, stranger.UserId)),
        ("RemoveMember(a member)", () => caller.RemoveMember(room, member.UserId)),
        ("RemoveMember(oneself)", () => caller.RemoveMember(room, caller.UserId)),
        ("SetMemberRole", () => caller.SetMemberRole(room, member.UserId, MemberRoles.Moderator)),
        ("SetMemberRole(oneself)", () => caller.SetMemberRole(room, caller.UserId, MemberRoles.Owner)),
        ("BanMember", () => caller.BanMember(room, member.UserId, null, "because")),
        ("UnbanMember", () => caller.UnbanMember(room, member.UserId)),
        ("MuteMember", () => caller.MuteMember(room, member.UserId, DateTime.UtcNow.AddHours(1))),
        ("MuteMember(unmute)", () => caller.MuteMember(room, member.UserId, null)),
    ];

    /// <summary>Each call is refused with <paramref name="code"/>; names every call that was not, with what it answered.</summary>
    public static async Task ShouldAllBeRejectedAsync(this IEnumerable<(string Name, Func<Task> Call)> calls, string code, string because)
    {
        var wrong = new List<string>();
        foreach (var (name, call) in calls)
        {
            try
            {
                await call();
                wrong.Add($"{name}: succeeded");
            }
            catch (HubException e) when (e.Message.StartsWith(code + ": ", StringComparison.Ordinal))
            {
            }
            catch (Exception e)
            {
                wrong.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        wrong.Should().BeEmpty($"every call answers {code}: {because}");
    }

    /// <summary>The number of seconds the sentence of a <c>slow_mode</c> refusal says to wait ("… wait N s").</summary>
    public static int SecondsToWait(string slowModeMessage)
    {
        var match = WaitPattern().Match(slowModeMessage);
        match.Success.Should().BeTrue($"the slow_mode sentence tells how long to wait: \"{slowModeMessage}\"");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The room's latest change, as <paramref name="reader"/> (who may read the room) sees it.</summary>
    public static async Task<long> LastEventSequenceAsync(this TestClient reader, string room) =>
        (await reader.GetEventsSince(room, 0, 1)).LastEventSequence;

    [GeneratedRegex("^dm-[0-9a-f]{40}$")]
    private static partial Regex DirectRoomPattern();

    [GeneratedRegex(@"wait (\d+) ?s\b")]
    private static partial Regex WaitPattern();
}

/// <summary>Several connected users for one test, closed together.</summary>
public sealed class Crowd : IAsyncDisposable
{
    private Crowd(List<TestClient> people) => People = people;

    public List<TestClient> People { get; }

    /// <summary>Connects <paramref name="count"/> new users named after <paramref name="prefix"/>; connecting makes them known users.</summary>
    public static async Task<Crowd> ConnectAsync(ChatServer server, int count, string prefix, ChatProtocol protocol = ChatProtocol.Json)
    {
        var people = new List<TestClient>();
        for (var i = 0; i < count; i++)
        {
            people.Add(await server.ConnectWelcomedAsync(TestDefaults.UniqueUser(prefix + i), protocol));
        }

        return new Crowd(people);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var person in People)
        {
            await person.DisposeAsync();
        }
    }
}
