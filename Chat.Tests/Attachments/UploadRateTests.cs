using System.Net;
using Chat.Shared;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Attachments;

public sealed class TwoUploadsAMinuteFixture : ChatServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Attachments:UploadsPerMinute"] = "2" };
}

/// <summary>Uploads have a rate of their own per user, so one account cannot fill the disk at network speed.</summary>
public sealed class UploadRateTests(TwoUploadsAMinuteFixture fixture) : IClassFixture<TwoUploadsAMinuteFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task UploadsBeyondTheUsersRateAreRefusedWithRateLimitedAndOthersCarryOn()
    {
        var alice = (await Server.GetTokenAsync(TestDefaults.UniqueUser("alice"))).AccessToken;
        var bob = (await Server.GetTokenAsync(TestDefaults.UniqueUser("bob"))).AccessToken;
        await Uploads.UploadAsync(Server.Http, alice, SampleFiles.Png, "1.png");
        await Uploads.UploadAsync(Server.Http, alice, SampleFiles.Png, "2.png");

        using var third = await Uploads.PostAsync(Server.Http, alice, SampleFiles.Png, "3.png");

        third.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await Uploads.ProblemCodeAsync(third)).Should().Be(ChatErrorCodes.RateLimited);
        third.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromMinutes(1));
        (await Uploads.UploadAsync(Server.Http, bob, SampleFiles.Png, "bobs.png")).Id.Should().NotBeNullOrEmpty("the rate is each user's own");
    }
}
