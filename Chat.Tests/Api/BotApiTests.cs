using System.Net;
using System.Net.Http.Json;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Api;

/// <summary>
/// A bot acts over HTTP as its own user, through the hub's services: what it does reaches hub clients live, and
/// the hub's rules, limits and error codes hold for it as problem details.
/// </summary>
public sealed class BotApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string ThumbsUp = "👍";

    private ChatServer Server => fixture.Server;

    private HttpClient Http => Server.Http;

    [Fact]
    public async Task ABotPostsEditsReactsReadsEventsAndDeletesWhileHubClientsSeeItLive()
    {
        var (room, bot, alice) = await RoomWithBotAsync();
        await using var _ = alice;

        using var postResponse = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("build 1234 passed"));
        var posted = await BotApi.ReadAsync<ChatMessage>(postResponse, HttpStatusCode.Created);
        posted.SenderId.Should().Be(bot.UserId);
        posted.Content.Should().Be("build 1234 passed");
        (await alice.Messages.WaitForAsync(m => m.Id == posted.Id)).SenderId.Should().Be(bot.UserId);

        using var editResponse = await BotApi.SendAsync(
            Http, HttpMethod.Patch, BotApi.Message(room, posted.Id), bot.ApiKey, new EditMessageRequest("build 1234 passed (2 flaky tests retried)"));
        (await BotApi.ReadAsync<ChatMessage>(editResponse, HttpStatusCode.OK)).EditedAt.Should().NotBeNull();
        (await alice.Changes.WaitForAsync(e => e.Type == RoomEventTypes.MessageEdited)).Message!.Content
            .Should().Be("build 1234 passed (2 flaky tests retried)");

        using var reactResponse = await BotApi.SendAsync(Http, HttpMethod.Put, BotApi.Reaction(room, posted.Id, ThumbsUp), bot.ApiKey);
        (await BotApi.ReadAsync<ChatMessage>(reactResponse, HttpStatusCode.OK)).Reactions
            .Should().ContainSingle().Which.UserIds.Should().Equal(bot.UserId);
        (await alice.Changes.WaitForAsync(e => e.Type == RoomEventTypes.ReactionAdded)).Reaction.Should().Be(ThumbsUp);

        using var unreactResponse = await BotApi.SendAsync(Http, HttpMethod.Delete, BotApi.Reaction(room, posted.Id, ThumbsUp), bot.ApiKey);
        (await BotApi.ReadAsync<ChatMessage>(unreactResponse, HttpStatusCode.OK)).Reactions.Should().BeEmpty();
        await alice.Changes.WaitForAsync(e => e.Type == RoomEventTypes.ReactionRemoved);

        using var eventsResponse = await BotApi.SendAsync(Http, HttpMethod.Get, BotApi.Events(room, 0, 100), bot.ApiKey);
        var page = await BotApi.ReadAsync<EventsPage>(eventsResponse, HttpStatusCode.OK);
        page.ResetRequired.Should().BeFalse();
        page.Events.Select(e => e.Type).Should().Equal(
            RoomEventTypes.MessagePosted, RoomEventTypes.MessageEdited, RoomEventTypes.ReactionAdded, RoomEventTypes.ReactionRemoved);
        page.Events.Should().OnlyContain(e => e.ActorId == bot.UserId);
        page.LastEventSequence.Should().Be(page.Events[^1].EventSequence);

        using (var deleted = await BotApi.SendAsync(Http, HttpMethod.Delete, BotApi.Message(room, posted.Id), bot.ApiKey))
        {
            deleted.StatusCode.Should().Be(HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync());
        }

        (await alice.Changes.WaitForAsync(e => e.Type == RoomEventTypes.MessageDeleted)).MessageId.Should().Be(posted.Id);
        (await alice.GetHistory(room, null, 10)).Should().ContainSingle().Which.IsDeleted.Should().BeTrue();
    }

    [Fact]
    public async Task AReplayedIdempotencyKeyReturnsTheStoredMessageWith200AndStoresNothing()
    {
        var (room, bot, alice) = await RoomWithBotAsync();
        await using var _ = alice;
        var request = new PostMessageRequest("deploy started");

        using var first = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, request, idempotencyKey: "deploy-42");
        var stored = await BotApi.ReadAsync<ChatMessage>(first, HttpStatusCode.Created);
        using var replay = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, request, idempotencyKey: "deploy-42");
        var replayed = await BotApi.ReadAsync<ChatMessage>(replay, HttpStatusCode.OK);

        replayed.Id.Should().Be(stored.Id);
        replayed.ClientMessageId.Should().Be("deploy-42", "the header is the message's clientMessageId");
        (await alice.GetHistory(room, null, 10)).Should().ContainSingle().Which.Id.Should().Be(stored.Id);
        await alice.Messages.WaitForAsync(m => m.Id == stored.Id);
        alice.Messages.Items.Should().ContainSingle(m => m.Id == stored.Id, "nobody receives a replay twice");
    }

    [Fact]
    public async Task TheSameIdempotencyKeyWithAnotherBodyIsRefusedAndStoresNothing()
    {
        var (room, bot, alice) = await RoomWithBotAsync();
        await using var _ = alice;
        using var first = await BotApi.SendAsync(
            Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("deploy started"), idempotencyKey: "deploy-43");
        var stored = await BotApi.ReadAsync<ChatMessage>(first, HttpStatusCode.Created);

        using var reused = await BotApi.SendAsync(
            Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("deploy finished"), idempotencyKey: "deploy-43");

        await BotApi.ShouldBeProblemAsync(reused, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidRequest);
        (await alice.GetHistory(room, null, 10)).Should().ContainSingle().Which.Should().Be(stored);
    }

    [Fact]
    public async Task ABotThatHasNotJoinedTheRoomIsNotAMember()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("open");
        await alice.JoinRoom(room);
        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName);

        using var post = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("hello?"));

        await BotApi.ShouldBeProblemAsync(post, HttpStatusCode.Forbidden, ChatErrorCodes.NotAMember);
        using var events = await BotApi.SendAsync(Http, HttpMethod.Get, BotApi.Events(room, 0, 10), bot.ApiKey);
        events.StatusCode.Should().Be(HttpStatusCode.OK, "anyone signed in may read a public room");
    }

    [Fact]
    public async Task ABotIsForbiddenInAPrivateRoomUntilAMemberAddsIt()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("private");
        await alice.CreateRoom(new CreateRoomRequest(room, RoomKinds.Private));
        await alice.JoinRoom(room);
        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName);

        using (var join = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey))
        {
            await BotApi.ShouldBeProblemAsync(join, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        }

        using (var post = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("let me in")))
        {
            await BotApi.ShouldBeProblemAsync(post, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        }

        using (var events = await BotApi.SendAsync(Http, HttpMethod.Get, BotApi.Events(room, 0, 10), bot.ApiKey))
        {
            await BotApi.ShouldBeProblemAsync(events, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        }

        await alice.AddMember(room, bot.UserId);
        using var admitted = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("thanks"));
        var posted = await BotApi.ReadAsync<ChatMessage>(admitted, HttpStatusCode.Created);
        (await alice.Messages.WaitForAsync(m => m.Id == posted.Id)).SenderId.Should().Be(bot.UserId);
    }

    [Fact]
    public async Task TheHubsRulesHoldForBotsWithTheirCodes()
    {
        var (room, bot, alice) = await RoomWithBotAsync();
        await using var _ = alice;
        var alicesMessage = await alice.SendMessage(room, "mine");

        await ShouldRefuseAsync(HttpMethod.Post, BotApi.Messages(room), new PostMessageRequest(new string('x', ChatLimits.MaxMessageLength + 1)),
            HttpStatusCode.BadRequest, ChatErrorCodes.MessageTooLong);
        await ShouldRefuseAsync(HttpMethod.Post, BotApi.Messages(room), new PostMessageRequest("   "), HttpStatusCode.BadRequest, ChatErrorCodes.EmptyMessage);
        await ShouldRefuseAsync(HttpMethod.Post, BotApi.Messages("Not A Room!"), new PostMessageRequest("hi"), HttpStatusCode.BadRequest, ChatErrorCodes.InvalidRoomName);
        await ShouldRefuseAsync(HttpMethod.Patch, BotApi.Message(room, alicesMessage.Id), new EditMessageRequest("hers, now"),
            HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);
        await ShouldRefuseAsync(HttpMethod.Patch, BotApi.Message(room, "no-such-message"), new EditMessageRequest("x"), HttpStatusCode.NotFound, ChatErrorCodes.NotFound);
        await ShouldRefuseAsync(HttpMethod.Put, BotApi.Reaction(room, alicesMessage.Id, "two words"), null, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidReaction);
        await ShouldRefuseAsync(HttpMethod.Get, BotApi.Events(room, 0, 0), null, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidLimit);
        await ShouldRefuseAsync(HttpMethod.Get, $"{ChatApiRoutes.Rooms}/{room}/events?after=soon", null, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidRequest);
        await ShouldRefuseAsync(HttpMethod.Delete, BotApi.Message(room, alicesMessage.Id), null, HttpStatusCode.Forbidden, ChatErrorCodes.Forbidden);

        using (var notJson = new HttpRequestMessage(HttpMethod.Post, BotApi.Messages(room)) { Content = new StringContent("{ not json", null, "application/json") })
        {
            notJson.Headers.Authorization = new(ChatApiRoutes.BotScheme, bot.ApiKey);
            using var response = await Http.SendAsync(notJson).WithTimeout();
            await BotApi.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest, ChatErrorCodes.InvalidRequest);
        }

        await ShouldRefuseAsync(HttpMethod.Post, BotApi.Messages(room), new PostMessageRequest(new string('x', ChatLimits.MaxHubMessageBytes)),
            HttpStatusCode.RequestEntityTooLarge, ChatErrorCodes.TooLarge);

        var history = await alice.GetHistory(room, null, 10);
        history.Should().ContainSingle("nothing refused was stored").Which.Content.Should().Be("mine");
        history[0].IsDeleted.Should().BeFalse();

        async Task ShouldRefuseAsync(HttpMethod method, string path, object? body, HttpStatusCode status, string code)
        {
            using var response = await BotApi.SendAsync(Http, method, path, bot.ApiKey, body);
            await BotApi.ShouldBeProblemAsync(response, status, code);
        }
    }

    [Fact]
    public async Task ABotAttachesAFileItUploadedWithItsKey()
    {
        var (room, bot, alice) = await RoomWithBotAsync();
        await using var _ = alice;
        using var form = new MultipartFormDataContent { { new ByteArrayContent(SampleFiles.Png), "file", "chart.png" } };
        using var upload = new HttpRequestMessage(HttpMethod.Post, ChatRoutes.Attachments) { Content = form };
        upload.Headers.Authorization = new(ChatApiRoutes.BotScheme, bot.ApiKey);
        using var uploaded = await Http.SendAsync(upload).WithTimeout();
        var attachment = await BotApi.ReadAsync<Attachment>(uploaded, HttpStatusCode.Created);

        using var post = await BotApi.SendAsync(
            Http, HttpMethod.Post, BotApi.Messages(room), bot.ApiKey, new PostMessageRequest("today's chart", AttachmentIds: [attachment.Id]));

        var posted = await BotApi.ReadAsync<ChatMessage>(post, HttpStatusCode.Created);
        (await alice.Messages.WaitForAsync(m => m.Id == posted.Id)).Attachments.Should().ContainSingle().Which.Id.Should().Be(attachment.Id);
    }

    [Fact]
    public async Task AUserWithABearerTokenMayUseTheRoomsApiAsThemselves()
    {
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("tokens");
        await alice.JoinRoom(room);
        var bob = await Server.GetTokenAsync(TestDefaults.UniqueUser("bob"));

        using var join = new HttpRequestMessage(HttpMethod.Post, BotApi.Members(room));
        join.Headers.Authorization = new("Bearer", bob.AccessToken);
        (await Http.SendAsync(join).WithTimeout()).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var post = new HttpRequestMessage(HttpMethod.Post, BotApi.Messages(room)) { Content = JsonContent.Create(new PostMessageRequest("from a script")) };
        post.Headers.Authorization = new("Bearer", bob.AccessToken);
        using var response = await Http.SendAsync(post).WithTimeout();

        var posted = await BotApi.ReadAsync<ChatMessage>(response, HttpStatusCode.Created);
        posted.SenderId.Should().Be(bob.UserId);
        (await alice.Messages.WaitForAsync(m => m.Id == posted.Id)).Content.Should().Be("from a script");
    }

    /// <summary>A public room alice is in, and a bot that has joined it.</summary>
    private async Task<(string Room, BotCreated Bot, TestClient Alice)> RoomWithBotAsync()
    {
        var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"));
        var room = TestDefaults.UniqueRoom("bots");
        await alice.JoinRoom(room);
        var bot = await BotApi.NewBotAsync(Server, fixture.AdminName);
        using var joined = await BotApi.SendAsync(Http, HttpMethod.Post, BotApi.Members(room), bot.ApiKey);
        joined.StatusCode.Should().Be(HttpStatusCode.NoContent, await joined.Content.ReadAsStringAsync());
        return (room, bot, alice);
    }
}
