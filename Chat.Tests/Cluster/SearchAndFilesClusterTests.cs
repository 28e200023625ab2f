using System.Net;
using Chat.Shared;
using Chat.Tests.Attachments;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>
/// Files and search on a cluster: a file uploaded to one node is posted, fetched and found from the other, because
/// both keep it in the store they share (one SQLite host's folder; PostgreSQL's database, as compose.yaml runs it).
/// </summary>
internal static class ClusterFiles
{
    public static async Task AFileUploadedToOneNodeIsPostedFoundAndServedOnTheOtherAsync(ChatServer one, ChatServer two)
    {
        var room = TestDefaults.UniqueRoom("files");
        var word = "w" + Guid.NewGuid().ToString("N")[..10];
        await using var alice = await two.ConnectAsync(TestDefaults.UniqueUser("alice"));
        await using var bob = await one.ConnectAsync(TestDefaults.UniqueUser("bob"));
        await alice.JoinRoom(room);
        await bob.JoinRoom(room);
        var uploaded = await Uploads.UploadAsync(one.Http, (await one.GetTokenAsync(alice.UserName)).AccessToken, SampleFiles.Png, "map.png");

        var posted = await alice.PostMessage(room, new PostMessageRequest($"{word} the map", AttachmentIds: [uploaded.Id]));

        var received = await bob.Messages.WaitForAsync(m => m.Id == posted.Id);
        received.Attachments.Should().ContainSingle().Which.Id.Should().Be(uploaded.Id);
        foreach (var node in new[] { one, two })
        {
            using var fetched = await Uploads.GetAsync(node.Http, received.Attachments[0].Url);
            fetched.StatusCode.Should().Be(HttpStatusCode.OK, $"node {node.BaseAddress} serves the file");
            (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Png);
        }

        (await bob.SearchMessages(new SearchRequest($"{word} map"))).Hits.Should().ContainSingle().Which.Message.Id.Should().Be(posted.Id);

        await alice.DeleteMessage(room, posted.Id);

        // The files go right after the delete's commit, before it is answered.
        using var gone = await Uploads.GetAsync(one.Http, received.Attachments[0].Url);
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound, "the deleted message's file is gone on every node");
        (await bob.SearchMessages(new SearchRequest($"{word} map"))).Hits.Should().BeEmpty();
    }
}

public sealed class SqliteSearchAndFilesClusterTests(SqliteClusterFixture cluster) : IClassFixture<SqliteClusterFixture>
{
    [Fact]
    public Task AFileUploadedToOneNodeIsPostedFoundAndServedOnTheOther() =>
        ClusterFiles.AFileUploadedToOneNodeIsPostedFoundAndServedOnTheOtherAsync(cluster.Nodes[0], cluster.Nodes[1]);
}

public sealed class PostgresSearchAndFilesClusterTests(PostgresClusterFixture cluster) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public Task AFileUploadedToOneNodeIsPostedFoundAndServedOnTheOther() =>
        ClusterFiles.AFileUploadedToOneNodeIsPostedFoundAndServedOnTheOtherAsync(cluster.Nodes[0], cluster.Nodes[1]);
}
