using System.Net;
using Chat.Server.Attachments;
using Chat.Server.History;
using Chat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chat.Tests.Attachments;

/// <summary>A server on PostgreSQL that keeps attachments in the history database (<c>Attachments:Store=database</c>).</summary>
public sealed class PostgresAttachmentsFixture : PostgresChatServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Attachments:Store"] = "database" };
}

/// <summary>Attachments in PostgreSQL, in chunks, so every node of a cluster serves every file.</summary>
public sealed class DatabaseAttachmentTests(PostgresAttachmentsFixture fixture) : IClassFixture<PostgresAttachmentsFixture>
{
    private ChatServer Server => fixture.Server;

    [Fact]
    public async Task AFileOfManyChunksComesBackByteForByte()
    {
        var alice = await Server.GetTokenAsync(TestDefaults.UniqueUser("alice"));
        var bytes = SampleFiles.Random(1024 * 1024 + 123, seed: 11);

        var attachment = await Uploads.UploadAsync(Server.Http, alice.AccessToken, bytes, "big.bin");
        using var fetched = await Uploads.GetAsync(Server.Http, attachment.Url);
        using var head = await Uploads.GetAsync(Server.Http, attachment.Url, method: HttpMethod.Head);

        (await ChunksOfAsync(attachment.Id)).Should().Be(5, "256 KiB chunks");
        fetched.StatusCode.Should().Be(HttpStatusCode.OK);
        fetched.Content.Headers.ContentLength.Should().Be(bytes.Length);
        (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
        fetched.Content.Headers.ContentType!.MediaType.Should().Be("application/octet-stream");
        AttachmentHttpTests.ShouldHaveSafeHeaders(fetched);
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.Should().Be(bytes.Length);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task AnImageIsDetectedAndServedInlineFromTheDatabase()
    {
        var bob = await Server.GetTokenAsync(TestDefaults.UniqueUser("bob"));

        var attachment = await Uploads.UploadAsync(Server.Http, bob.AccessToken, SampleFiles.Png, "red.png");
        using var fetched = await Uploads.GetAsync(Server.Http, $"/api/attachments/{attachment.Id}", bob.AccessToken);

        attachment.Should().BeEquivalentTo(new { ContentType = "image/png", Width = 3, Height = 2 });
        (await ChunksOfAsync(attachment.Id)).Should().Be(1);
        fetched.Content.Headers.ContentDisposition!.DispositionType.Should().Be("inline");
        (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(SampleFiles.Png);
    }

    [Fact]
    public async Task ATooLargeUploadLeavesNoRowAndNoChunk()
    {
        var carol = await Server.GetTokenAsync(TestDefaults.UniqueUser("carol"));
        var chunksBefore = await AllChunksAsync();
        await using var upload = await RawUpload.StartAsync(Server.BaseAddress, carol.AccessToken, contentLength: null);
        var answer = upload.ReadToEndAsync();
        try
        {
            await upload.WriteChunkAsync(RawUpload.FilePartStart());
            var chunk = SampleFiles.Random(64 * 1024);
            for (var sent = 0; sent < 12 * 1024 * 1024 && !answer.IsCompleted; sent += chunk.Length)
            {
                await upload.WriteChunkAsync(chunk);
            }
        }
        catch (IOException)
        {
            // The server closed the connection after its answer.
        }

        (await answer).Should().StartWith("HTTP/1.1 413");
        (await Uploads.RowsOfAsync(Server.Services, carol.UserId)).Should().BeEmpty();
        (await AllChunksAsync()).Should().Be(chunksBefore);
    }

    [Fact]
    public async Task CleanupRemovesChunksThatNoRowNames()
    {
        var dave = await Server.GetTokenAsync(TestDefaults.UniqueUser("dave"));
        var kept = await Uploads.UploadAsync(Server.Http, dave.AccessToken, SampleFiles.Gif, "kept.gif");
        var orphan = AttachmentIds.New();
        await using (var db = await Server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync())
        {
            // What a delete leaves when the node stops between deleting the row and its chunks.
            db.AttachmentChunks.AddRange(
                new AttachmentChunkRecord { AttachmentId = orphan, Index = 0, Data = [1, 2, 3] },
                new AttachmentChunkRecord { AttachmentId = orphan, Index = 1, Data = [4] });
            await db.SaveChangesAsync();
        }

        var cleanup = Server.Services.GetServices<IHostedService>().OfType<AttachmentCleanup>().Single();
        var (_, orphans) = await cleanup.RunOnceAsync(CancellationToken.None).WithTimeout();

        orphans.Should().BeGreaterThanOrEqualTo(1);
        (await ChunksOfAsync(orphan)).Should().Be(0);
        (await ChunksOfAsync(kept.Id)).Should().Be(1);
        using var fetched = await Uploads.GetAsync(Server.Http, kept.Url);
        fetched.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<int> ChunksOfAsync(string id)
    {
        await using var db = await Server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        return await db.AttachmentChunks.CountAsync(c => c.AttachmentId == id).WithTimeout();
    }

    private async Task<int> AllChunksAsync()
    {
        await using var db = await Server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        return await db.AttachmentChunks.CountAsync().WithTimeout();
    }
}
