using Chat.Shared;
using Chat.Tests.Infrastructure;
using static Chat.Tests.Infrastructure.Conversations;

namespace Chat.Tests.Hub;

/// <summary>
/// Notifications (contract v2, section 4): a mention, a reply, a direct message or being added to a room reaches every
/// connection of the user live and is stored for GetNotifications, once per message, never for one's own acts, and
/// goes when its message is deleted.
/// </summary>
public sealed class NotificationTests(NotificationTests.Fixture fixture) : IClassFixture<NotificationTests.Fixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AMentionNotifiesEveryConnectionOfTheMentionedUserAndIsStored(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var bobsPhone = await Server.ConnectWelcomedAsync(bob.UserName, protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob);
        var content = "bob, have a look at this: " + new string('x', 150);

        var message = await alice.Mention(room, content, bob);

        var live = await bob.Notifications.WaitForAsync(n => n.MessageId == message.Id);
        live.Should().BeEquivalentTo(new
        {
            Kind = NotificationKinds.Mention,
            Room = room,
            MessageId = message.Id,
            Sequence = (long?)message.Sequence,
            FromUserId = alice.UserId,
            FromUserName = alice.UserName,
            Preview = content[..ChatLimits.MaxReplyPreviewLength],
        });
        live.Id.Should().NotBeNullOrEmpty();
        live.At.Kind.Should().Be(DateTimeKind.Utc);
        live.At.Should().BeCloseTo(message.SentAt, TimeSpan.FromSeconds(1));
        (await bobsPhone.Notifications.WaitForAsync(n => n.MessageId == message.Id)).Should().Be(live, "every connection of bob hears it, joined or not");
        (await bob.GetNotifications(null, 10)).Should().Equal([live], "it is stored as it was sent");
        (await bobsPhone.GetNotifications(null, 10)).Should().Equal([live], "the same on every device");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AReplyNotifiesTheAuthorOfTheMessageRepliedTo(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob, carol);
        var question = await bob.SendMessage(room, "who has the keys?");

        var reply = await alice.PostMessage(room, new PostMessageRequest("I do", ReplyToId: question.Id));

        (await bob.Notifications.WaitForAsync(n => n.MessageId == reply.Id)).Should().BeEquivalentTo(new
        {
            Kind = NotificationKinds.Reply,
            Room = room,
            Sequence = (long?)reply.Sequence,
            FromUserId = alice.UserId,
            FromUserName = alice.UserName,
            Preview = "I do",
        });
        (await bob.GetNotifications(null, 10)).Should().ContainSingle(n => n.MessageId == reply.Id);

        // Replies to someone else's message are none of carol's business; the marker arrives after anything they sent her.
        var marker = await alice.Mention(room, "carol, and you?", carol);
        await carol.Notifications.WaitForAsync(n => n.MessageId == marker.Id);
        carol.Notifications.Items.Select(n => n.MessageId).Should().Equal(marker.Id);
        alice.Notifications.Items.Should().BeEmpty("alice only acted");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task EveryMessageInADirectRoomNotifiesTheOtherMember(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(room);

        var first = await alice.SendMessage(room, "hi bob");
        var second = await alice.SendMessage(room, "are you there?");

        // Whether opening the conversation is itself news to bob is not what this specifies: its messages are.
        var heard = await bob.Notifications.WaitForCountAsync(2, n => n.Room == room && n.MessageId is not null);
        heard.Select(n => (n.Kind, n.MessageId, n.Sequence, n.FromUserId, n.Preview)).Should().Equal(
            (NotificationKinds.Direct, first.Id, first.Sequence, alice.UserId, "hi bob"),
            (NotificationKinds.Direct, second.Id, second.Sequence, alice.UserId, "are you there?"));
        (await bob.GetNotifications(null, 10)).Where(n => n.MessageId is not null).Should().Equal(heard.Reverse(), "newest first");

        await bob.JoinRoom(room);
        var answer = await bob.SendMessage(room, "yes");
        (await alice.Notifications.WaitForAsync(n => n.Room == room && n.MessageId is not null)).Should().BeEquivalentTo(new { Kind = NotificationKinds.Direct, MessageId = answer.Id });
        alice.Notifications.Items.Where(n => n.MessageId is not null).Should().ContainSingle("her own messages notified only bob");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task BeingAddedToARoomNotifiesTheAddedUser(ChatProtocol protocol)
    {
        var team = TestDefaults.UniqueRoom("team");
        var untitled = TestDefaults.UniqueRoom("untitled");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var bobsPhone = await Server.ConnectWelcomedAsync(bob.UserName, protocol);

        await alice.CreateRoom(new CreateRoomRequest(team, RoomKinds.Private, Title: "The Team", MemberIds: [bob.UserId]));
        await alice.CreateRoom(new CreateRoomRequest(untitled, RoomKinds.Private));
        await alice.AddMember(untitled, bob.UserId);

        var expected = new[]
        {
            new { Kind = NotificationKinds.Added, Room = team, MessageId = (string?)null, Sequence = (long?)null, FromUserId = alice.UserId, FromUserName = alice.UserName, Preview = "The Team" },
            new { Kind = NotificationKinds.Added, Room = untitled, MessageId = (string?)null, Sequence = (long?)null, FromUserId = alice.UserId, FromUserName = alice.UserName, Preview = untitled },
        };
        (await bob.Notifications.WaitForCountAsync(2)).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering(), "the title, or without one the room's name");
        (await bobsPhone.Notifications.WaitForCountAsync(2)).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        (await bob.GetNotifications(null, 10)).Should().BeEquivalentTo(expected.Reverse(), o => o.WithStrictOrdering());
        alice.Notifications.Items.Should().BeEmpty("the owner made the room; nobody added her");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AMessageNotifiesEachUserOnceAsItsFirstKindOfMentionReplyDirect(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        var room = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var question = await bob.SendMessage(room, "lunch?");

        var all = await alice.PostMessage(room, new PostMessageRequest("yes, bob", ReplyToId: question.Id, Mentions: [bob.UserId]));
        var reply = await alice.PostMessage(room, new PostMessageRequest("at noon", ReplyToId: question.Id));
        var plain = await alice.SendMessage(room, "see you");

        var heard = await bob.Notifications.WaitForAsync(n => n.MessageId == plain.Id);
        bob.Notifications.Items.Where(n => n.MessageId is not null).Select(n => (n.MessageId, n.Kind)).Should().Equal(
            [(all.Id, NotificationKinds.Mention), (reply.Id, NotificationKinds.Reply), (plain.Id, NotificationKinds.Direct)],
            "a message that is a mention, a reply and a direct message notifies once, as a mention; a reply in a direct room as a reply");
        heard.Kind.Should().Be(NotificationKinds.Direct);
        (await bob.GetNotifications(null, 10)).Where(n => n.MessageId is not null).Select(n => (n.MessageId, n.Kind)).Should().Equal(
            (plain.Id, NotificationKinds.Direct), (reply.Id, NotificationKinds.Reply), (all.Id, NotificationKinds.Mention));
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NobodyIsNotifiedOfTheirOwnActs(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob);
        var own = await bob.Mention(room, "note to self", bob);
        await bob.PostMessage(room, new PostMessageRequest("replying to myself", ReplyToId: own.Id, Mentions: [bob.UserId]));
        await bob.CreatePrivateRoomAsync(TestDefaults.UniqueRoom("mine"), alice);

        var marker = await alice.Mention(room, "bob?", bob);

        await bob.Notifications.WaitForAsync(n => n.MessageId == marker.Id);
        bob.Notifications.Items.Select(n => n.MessageId).Should().Equal([marker.Id], "the first that reaches bob is alice's");
        (await bob.GetNotifications(null, 10)).Select(n => n.MessageId).Should().Equal(marker.Id);
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetNotificationsPagesNewestFirstBeforeAnId(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob);
        for (var i = 1; i <= 5; i++)
        {
            await alice.Mention(room, $"ping {i}", bob);
        }

        var live = await bob.Notifications.WaitForCountAsync(5);
        live.Select(n => n.Preview).Should().Equal("ping 1", "ping 2", "ping 3", "ping 4", "ping 5");
        live.Select(n => n.Id).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal, "a newer notification's id sorts after an older one's");

        var first = await bob.GetNotifications(null, 2);
        var second = await bob.GetNotifications(first[^1].Id, 2);
        var third = await bob.GetNotifications(second[^1].Id, 2);
        var none = await bob.GetNotifications(third[^1].Id, 2);

        first.Should().Equal(live[4], live[3]);
        second.Should().Equal(live[2], live[1]);
        third.Should().Equal(live[0]);
        none.Should().BeEmpty();
        (await bob.GetNotifications(live[3].Id, 100)).Should().Equal([live[2], live[1], live[0]], "only ids below beforeId");
        (await bob.ReadAllNotificationsAsync(1)).Should().Equal(live.Reverse());
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task NotificationsOfMessagesPostedAtOnceArePagedNewestFirst(ChatProtocol protocol)
    {
        const int Senders = 30;
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var crowd = await Crowd.ConnectAsync(Server, Senders, "fan", protocol);
        await alice.CreatePublicRoomAsync(room, [alice, bob, .. crowd.People]);

        // Posted at the same moment, the messages share the store's commits: their notifications must still be ordered.
        var posted = await Task.WhenAll(crowd.People.Select(p => p.Mention(room, "bob! " + p.UserName, bob)));

        var live = await bob.Notifications.WaitForCountAsync(Senders, n => n.Room == room);
        var newestFirst = posted.OrderByDescending(m => m.Sequence).Select(m => m.Id).ToList();
        var stored = await bob.ReadAllNotificationsAsync(7);
        stored.Select(n => n.MessageId).Should().Equal(newestFirst, "GetNotifications pages newest first, the later message first, across pages");
        live.OrderBy(n => n.Sequence).Select(n => n.Id).Should().BeInAscendingOrder(
            StringComparer.Ordinal, "a newer notification's id sorts after an older one's, also within one commit");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task DeletingAMessageRemovesItsNotificationsAndEditingKeepsThem(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePublicRoomAsync(room, alice, bob, carol);
        var question = await bob.SendMessage(room, "who's in?");
        var doomed = await alice.PostMessage(room, new PostMessageRequest("me, bob and carol", ReplyToId: question.Id, Mentions: [carol.UserId]));
        var kept = await alice.Mention(room, "bob, carol: tomorrow?", bob, carol);
        var direct = (await alice.OpenDirect(bob.UserId)).Room;
        await alice.JoinRoom(direct);
        var secret = await alice.SendMessage(direct, "forget this");
        await bob.Notifications.WaitForAsync(n => n.MessageId == secret.Id);
        await carol.Notifications.WaitForCountAsync(2);

        await alice.EditMessage(room, kept.Id, "bob, carol: the day after?");
        await alice.DeleteMessage(room, doomed.Id);
        await alice.DeleteMessage(direct, secret.Id);

        (await bob.GetNotifications(null, 10)).Where(n => n.MessageId is not null).Select(n => (n.MessageId, n.Kind)).Should().Equal(
            [(kept.Id, NotificationKinds.Mention)], "the reply and the direct message are deleted, and their notifications with them");
        (await carol.GetNotifications(null, 10)).Select(n => (n.MessageId, n.Kind)).Should().Equal(
            [(kept.Id, NotificationKinds.Mention)], "a deleted message's notifications go for everyone it notified");
        (await carol.GetNotifications(null, 10)).Single().Preview.Should().Be("bob, carol: tomorrow?", "an edit keeps the notification as it was made");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task GetNotificationsOutsideOneToAHundredIsInvalidLimit(ChatProtocol protocol)
    {
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);

        await Rejected(() => bob.GetNotifications(null, 0), ChatErrorCodes.InvalidLimit);
        await Rejected(() => bob.GetNotifications(null, -1), ChatErrorCodes.InvalidLimit);
        await Rejected(() => bob.GetNotifications(null, ChatLimits.MaxNotificationsPage + 1), ChatErrorCodes.InvalidLimit);
        await Rejected(() => bob.GetNotifications("anything", 0), ChatErrorCodes.InvalidLimit);

        (await bob.GetNotifications(null, 1)).Should().BeEmpty();
        (await bob.GetNotifications(null, ChatLimits.MaxNotificationsPage)).Should().BeEmpty();
        (await bob.GetNotifications("zzzz", ChatLimits.MaxNotificationsPage)).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task AMentionOfSomeoneWhoCannotReadAPrivateRoomNotifiesNobody(ChatProtocol protocol)
    {
        var team = TestDefaults.UniqueRoom("team");
        var lobby = TestDefaults.UniqueRoom("lobby");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePrivateRoomAsync(team, bob);
        await alice.JoinRoom(team);
        await alice.CreatePublicRoomAsync(lobby, alice);

        var secret = await alice.Mention(team, "carol must not hear of this", carol);
        var marker = await alice.Mention(lobby, "carol, hello", carol);

        secret.Mentions.Should().BeEmpty("carol cannot read the room, so the mention is dropped");
        await carol.Notifications.WaitForAsync(n => n.MessageId == marker.Id);
        carol.Notifications.Items.Select(n => n.MessageId).Should().Equal([marker.Id], "nothing of the private room reached carol");
        (await carol.GetNotifications(null, 10)).Select(n => n.MessageId).Should().Equal(marker.Id);
        bob.Notifications.Items.Should().NotContain(n => n.MessageId == secret.Id, "bob, who reads the room, was not mentioned");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SomeoneBannedFromAPublicRoomHearsNothingOfItsMentionsAndReplies(ChatProtocol protocol)
    {
        var lobby = TestDefaults.UniqueRoom("lobby");
        var other = TestDefaults.UniqueRoom("other");
        await using var alice = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("bob"), protocol);
        await using var carol = await Server.ConnectWelcomedAsync(TestDefaults.UniqueUser("carol"), protocol);
        await alice.CreatePublicRoomAsync(lobby, alice, bob, carol);
        await alice.CreatePublicRoomAsync(other, alice);
        var bobsMessage = await bob.SendMessage(lobby, "something bob said");
        await alice.BanMember(lobby, bob.UserId, reason: "spam");

        var reply = await carol.PostMessage(lobby, new PostMessageRequest("about what bob said", ReplyToId: bobsMessage.Id));
        var mention = await carol.Mention(lobby, "bob is gone now", bob);
        var marker = await alice.Mention(other, "bob, hello elsewhere", bob);

        await bob.Notifications.WaitForAsync(n => n.MessageId == marker.Id);
        bob.Notifications.Items.Select(n => n.MessageId).Should().Equal([marker.Id], "nothing of a room bob is banned from reaches him");
        (await bob.GetNotifications(null, 10)).Select(n => n.MessageId).Should().Equal(marker.Id);
        mention.Mentions.Should().Contain(bob.UserId, "the message still names him");
        reply.ReplyTo!.Id.Should().Be(bobsMessage.Id);
    }

    /// <summary>The send rate is not what these tests specify.</summary>
    public sealed class Fixture : ChatServerFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Messaging:MessagesPerSecond"] = "1000",
            ["Messaging:Burst"] = "1000",
        };
    }
}
