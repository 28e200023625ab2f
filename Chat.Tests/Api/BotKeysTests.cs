using Chat.Server.Api;

namespace Chat.Tests.Api;

public sealed class BotKeysTests
{
    [Fact]
    public void NewKeysAreWellFormedPrefixedAndNeverRepeat()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => BotKeys.New()).ToList();

        keys.Should().OnlyContain(k => BotKeys.IsWellFormed(k) && k.StartsWith(BotKeys.Prefix, StringComparison.Ordinal) && k.Length == BotKeys.Length);
        keys.Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("chatbot_")]
    [InlineData("chatbot_short")]
    public void KeysOfAnotherFormAreNotWellFormed(string? key) => BotKeys.IsWellFormed(key).Should().BeFalse();

    [Fact]
    public void AKeyWithAnotherPrefixOrForeignCharactersIsNotWellFormed()
    {
        var key = BotKeys.New();

        BotKeys.IsWellFormed("otherbot" + key[BotKeys.Prefix.Length..]).Should().BeFalse();
        BotKeys.IsWellFormed(key[..^1] + "!").Should().BeFalse();
        BotKeys.IsWellFormed(key + "A").Should().BeFalse();
    }

    [Fact]
    public void TheHashIsSha256OfTheKeyTheSameEveryTime()
    {
        var key = BotKeys.New();

        BotKeys.Hash(key).Should().HaveCount(32).And.Equal(BotKeys.Hash(key));
        BotKeys.Hash(key).Should().NotEqual(BotKeys.Hash(BotKeys.New()));
    }

    [Theory]
    [InlineData("Bot abc", "abc")]
    [InlineData("bot abc", "abc")]
    [InlineData("BOT  abc ", "abc")]
    [InlineData("Bearer abc", null)]
    [InlineData("Bot", null)]
    [InlineData("Botabc", null)]
    [InlineData(null, null)]
    public void TheKeyIsReadFromABotAuthorizationHeaderOnly(string? header, string? key) => BotKeys.FromAuthorization(header).Should().Be(key);

    [Fact]
    public void ABotsUserIdIsItsNameInLowerCaseUnderTheBotPrefix() => BotKeys.UserIdFor("CI.Runner").Should().Be("bot:ci.runner");
}
