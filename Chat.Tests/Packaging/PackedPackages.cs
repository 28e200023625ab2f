using System.IO.Compression;
using System.Xml.Linq;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Packaging;

/// <summary>
/// Chat.Shared and Chat.Client packed once per test class by <c>scripts/pack.sh</c>, the documented command, under a
/// version of their own (so no NuGet cache can hold a stale package of it) and into a build folder of their own (so
/// the repository's build outputs, which the other tests use, stay as they are).
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>
    /// Where the sources are published, as scripts/pack.sh is told for a release. A stand-in: a clone whose origin is a
    /// local path (CI's) has no web address of its own.
    /// </summary>
    public const string PublishedRepository = "https://github.com/chat-tests/chat";

    private readonly TempDirectory _directory = new();

    private readonly string _suffix = $"test.{Guid.NewGuid():N}";

    /// <summary>The packages' version: Packaging.props' prefix with this run's suffix.</summary>
    public string Version { get; private set; } = "";

    public string Folder => Path.Combine(_directory.Path, "packages");

    /// <summary>The commit the packages were built from.</summary>
    public string Commit { get; private set; } = "";

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(Folder, $"{id}.{Version}.{extension}");

    /// <summary>The package's .nuspec manifest.</summary>
    public XElement Manifest(string id)
    {
        using var package = ZipFile.OpenRead(PackagePath(id));
        using var stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream).Root!;
    }

    public async Task InitializeAsync()
    {
        await DotNetCommand.RunAsync(
            RepositoryPaths.Root,
            TimeSpan.FromMinutes(5),
            "bash",
            ["scripts/pack.sh", "--artifacts-path", Path.Combine(_directory.Path, "build"),
                $"-p:VersionSuffix={_suffix}", $"-p:RepositoryUrl={PublishedRepository}"],
            new Dictionary<string, string> { ["CHAT_PACKAGES_DIR"] = Folder });
        var client = Path.GetFileNameWithoutExtension(Directory.GetFiles(Folder, "Chat.Client.*.nupkg").Single());
        Version = client["Chat.Client.".Length..];
        Version.Should().EndWith("-" + _suffix);
        Commit = (await DotNetCommand.RunAsync(RepositoryPaths.Root, TimeSpan.FromSeconds(30), "git", ["rev-parse", "HEAD"])).Trim();
    }

    public Task DisposeAsync()
    {
        // The fresh project restored this run's packages into the machine's package cache: they are nobody else's.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "chat.client", "chat.shared" })
        {
            var restored = Path.Combine(cache, id, Version);
            if (Directory.Exists(restored))
            {
                Directory.Delete(restored, recursive: true);
            }

            if (Directory.Exists(Path.Combine(cache, id)) && !Directory.EnumerateFileSystemEntries(Path.Combine(cache, id)).Any())
            {
                Directory.Delete(Path.Combine(cache, id));
            }
        }

        _directory.Dispose();
        return Task.CompletedTask;
    }
}
