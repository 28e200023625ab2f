using Chat.Shared;

namespace Chat.Tests.Messaging;

/// <summary>Which free text every store keeps exactly (ChatRules.IsStorableText): pure logic, no server.</summary>
public sealed class StorableTextRuleTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("emoji 😀 and a family 👩‍👩‍👧‍👦, a flag 🇺🇦")]
    [InlineData("\U0010FFFD the last plane")]
    [InlineData("controls are text: \t\n\u0001\u007f, and so are U+FFFD \uFFFD and a BOM \uFEFF")]
    public void WellFormedTextIsStorable(string text) => ChatRules.IsStorableText(text).Should().BeTrue();

    // Built at run time in one test: attribute arguments are kept as UTF-8, where half a surrogate pair cannot live.
    [Fact]
    public void ANulOrHalfASurrogatePairIsNot()
    {
        string[] broken =
        [
            "before\0after",
            "\0",
            "a high half alone \ud83d at the middle",
            "a high half at the end \ud83d",
            "\ude00 a low half first",
            "halves the wrong way round \ude00\ud83d",
        ];

        broken.Should().AllSatisfy(text => ChatRules.IsStorableText(text).Should().BeFalse());
    }

    [Fact]
    public void AReactionWithHalfASurrogatePairIsNoReaction() => ChatRules.IsValidReaction("\ud83d").Should().BeFalse();
}
