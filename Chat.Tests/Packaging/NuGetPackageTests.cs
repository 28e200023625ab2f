using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Packaging;

/// <summary>
/// The NuGet packages as a developer gets them: made by scripts/pack.sh, restored into a fresh console project that
/// chats with a real server, and read back as NuGet and a debugger read them.
/// </summary>
public sealed class NuGetPackageTests(ChatServerFixture server, PackedPackages packages)
    : IClassFixture<ChatServerFixture>, IClassFixture<PackedPackages>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    // The kind of a portable PDB's custom debug information that holds the SourceLink JSON (Portable PDB specification).
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private const string ProgramSource = """
        using Chat.Client;

        var server = new Uri(args[0]);
        var room = args[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await using var alice = new ChatClient(new ChatClientOptions { ServerUrl = server, UserName = "alice" });
        await using var bob = new ChatClient(new ChatClientOptions { ServerUrl = server, UserName = "bob" });
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.MessageReceived += (_, message) => received.TrySetResult($"{message.SenderName}'s message in {message.Room}: {message.Content}");

        await alice.StartAsync(timeout.Token);
        await bob.StartAsync(timeout.Token);
        await alice.JoinRoomAsync(room, timeout.Token);
        await bob.JoinRoomAsync(room, timeout.Token);
        await alice.SendMessageAsync(room, "hello from the package", cancellationToken: timeout.Token);
        Console.WriteLine($"ok bob received {await received.Task.WaitAsync(timeout.Token)}");
        """;

    [Fact]
    public async Task AFreshConsoleProjectRestoresThePackageAndChatsWithARealServer()
    {
        using var workspace = new TempDirectory();
        // Added to the machine's own package sources (NuGet reads the user's configuration too), as a developer would.
        await File.WriteAllTextAsync(Path.Combine(workspace.Path, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="chat-packed" value="{packages.Folder}" />
              </packageSources>
            </configuration>
            """);
        var project = Path.Combine(workspace.Path, "ChatDemo");
        await DotNetAsync(workspace.Path, "new", "console", "--output", project, "--no-restore");
        await DotNetAsync(project, "add", "package", "Chat.Client", "--version", packages.Version);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), ProgramSource);
        var room = TestDefaults.UniqueRoom();

        var printed = await DotNetAsync(project, "run", "--no-restore", "--", server.Server.BaseAddress.ToString(), room);

        printed.Should().Contain($"ok bob received alice's message in {room}: hello from the package");
        var assets = await File.ReadAllTextAsync(Path.Combine(project, "obj", "project.assets.json"));
        assets.Should().Contain($"\"Chat.Client/{packages.Version}\"").And.Contain(
            $"\"Chat.Shared/{packages.Version}\"", "the contract comes as the client's dependency, from the packed folder");
    }

    [Theory]
    [InlineData("Chat.Shared")]
    [InlineData("Chat.Client")]
    public void EachPackageCarriesItsReadmeXmlDocsAndMetadata(string id)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        package.Entries.Select(e => e.FullName).Should().Contain(["README.md", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml"]);
        using (var readme = new StreamReader(package.GetEntry("README.md")!.Open()))
        {
            readme.ReadToEnd().Should().StartWith($"# {id}").And.Contain($"dotnet add package {id}");
        }

        using (var docs = package.GetEntry($"lib/net10.0/{id}.xml")!.Open())
        {
            XDocument.Load(docs).Descendants("member").Should().HaveCountGreaterThan(20, "the public API is documented");
        }

        var metadata = Child(packages.Manifest(id), "metadata");
        Child(metadata, "id").Value.Should().Be(id);
        Child(metadata, "version").Value.Should().Be(packages.Version);
        Child(metadata, "readme").Value.Should().Be("README.md");
        Child(metadata, "license").Should().Match<XElement>(l => (string?)l.Attribute("type") == "expression" && l.Value == "MIT");
        Child(metadata, "description").Value.Should().NotBeNullOrWhiteSpace();
        Child(metadata, "tags").Value.Split(' ').Should().Contain(["chat", "signalr"]);
        Child(metadata, "projectUrl").Value.Should().Be(PackedPackages.PublishedRepository);
        var repository = Child(metadata, "repository");
        ((string?)repository.Attribute("url")).Should().Be(PackedPackages.PublishedRepository);
        ((string?)repository.Attribute("commit")).Should().Be(packages.Commit);
    }

    [Fact]
    public void TheClientPackageDependsOnTheContractPackageOfTheSameVersion()
    {
        var dependencies = Child(Child(packages.Manifest("Chat.Client"), "metadata"), "dependencies").Descendants()
            .Where(d => d.Name.LocalName == "dependency")
            .ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);

        dependencies.Should().Contain("Chat.Shared", packages.Version).And.ContainKey("Microsoft.AspNetCore.SignalR.Client");
        using var package = ZipFile.OpenRead(packages.PackagePath("Chat.Client"));
        package.Entries.Should().NotContain(e => e.Name == "Chat.Shared.dll", "the contract ships once, in its own package");
    }

    [Theory]
    [InlineData("Chat.Shared")]
    [InlineData("Chat.Client")]
    public void EachSymbolPackageHoldsTheAssemblysPdbWithSourceLinkToTheCommitBuilt(string id)
    {
        using var symbols = ZipFile.OpenRead(packages.PackagePath(id, "snupkg"));
        var pdbEntry = symbols.GetEntry($"lib/net10.0/{id}.pdb");
        pdbEntry.Should().NotBeNull();
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(Copy(pdbEntry!));
        var reader = pdb.GetMetadataReader();

        var sourceLink = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(information => reader.GetGuid(information.Kind) == SourceLinkKind)
            .Select(information => reader.GetBlobBytes(information.Value))
            .Should().ContainSingle().Subject;
        using var json = JsonDocument.Parse(sourceLink);
        var mapping = json.RootElement.GetProperty("documents").EnumerateObject().Should().ContainSingle().Subject;
        mapping.Name.Should().Be("/_/*", "packages are CI builds: deterministic paths, no build machine's");
        mapping.Value.GetString().Should().StartWith("https://").And.EndWith($"/{packages.Commit}/*");
        reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name))
            .Should().Contain(name => name.StartsWith($"/_/{id}/", StringComparison.Ordinal));

        // A debugger takes this PDB for the package's DLL only if their ids match.
        using var package = ZipFile.OpenRead(packages.PackagePath(id));
        using var assembly = new PEReader(Copy(package.GetEntry($"lib/net10.0/{id}.dll")!));
        var codeView = assembly.ReadCodeViewDebugDirectoryData(
            assembly.ReadDebugDirectory().Single(entry => entry.Type == DebugDirectoryEntryType.CodeView));
        new Guid(reader.DebugMetadataHeader!.Id.AsSpan(0, 16)).Should().Be(codeView.Guid);
    }

    private static Task<string> DotNetAsync(string workingDirectory, params string[] arguments) =>
        DotNetCommand.RunAsync(workingDirectory, CommandTimeout, "dotnet", arguments);

    private static XElement Child(XElement parent, string name) => parent.Elements().Single(e => e.Name.LocalName == name);

    private static MemoryStream Copy(ZipArchiveEntry entry)
    {
        var copy = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        return copy;
    }
}
