using Chat.Client;

namespace Chat.Tests.Client;

/// <summary>
/// What the client knows of this user's read pointers, without a server: it only moves forward, so news of a pointer
/// behind one heard already is stale, and a message at or before the known pointer needs no mark.
/// </summary>
public sealed class ReadPointersUnitTests
{
    [Fact]
    public void NothingIsKnownOfARoomUntilItsPointerIsHeardOf()
    {
        var pointers = new ReadPointers();

        pointers.Get("lobby").Should().BeNull();
        pointers.Covers("lobby", 0).Should().BeFalse("an unknown pointer covers nothing, so the first mark is sent");
    }

    [Fact]
    public void PointerMovesForwardOnlyAndOlderNewsIsStale()
    {
        var pointers = new ReadPointers();

        pointers.Advance("lobby", 5).Should().BeTrue();
        pointers.Advance("lobby", 5).Should().BeTrue("the same pointer again is not stale: another device's event for the move may follow the answer");
        pointers.Advance("lobby", 3).Should().BeFalse();
        pointers.Advance("team", 1).Should().BeTrue("rooms are apart");

        pointers.Get("lobby").Should().Be(5);
        pointers.Covers("lobby", 5).Should().BeTrue();
        pointers.Covers("lobby", 6).Should().BeFalse();
        pointers.Advance("lobby", 8).Should().BeTrue();
        pointers.Get("lobby").Should().Be(8);
    }
}
