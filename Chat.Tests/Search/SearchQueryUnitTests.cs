using Chat.Server.Hubs;
using Chat.Server.Search;
using Chat.Shared;

namespace Chat.Tests.Search;

/// <summary>Our query language and what each engine gets of it; snippets and cursors. No server.</summary>
public sealed class SearchQueryUnitTests
{
    [Fact]
    public void WordsPhrasesAndPrefixesBecomeTermsInOrder()
    {
        SearchQuery.Parse("  brown \"quick  fox\" jump* don't ").Terms.Should().Equal(
            new SearchTerm(SearchTermKind.Word, "brown"),
            new SearchTerm(SearchTermKind.Phrase, "quick fox"),
            new SearchTerm(SearchTermKind.Prefix, "jump"),
            new SearchTerm(SearchTermKind.Word, "don't"));
    }

    [Fact]
    public void PunctuationAloneIsDroppedAndAOneWordPhraseIsAWord()
    {
        SearchQuery.Parse("!!! cats ??? \"dogs\" \"\"").Terms.Should().Equal(
            new SearchTerm(SearchTermKind.Word, "cats"),
            new SearchTerm(SearchTermKind.Word, "dogs"));
    }

    [Fact]
    public void Fts5GetsEveryTermQuotedSoNothingIsAnOperator()
    {
        SearchQuery.Parse("NEAR \"a OR b\" sh* say\"hi\"").ToFts5().Should().Be("\"NEAR\" \"a OR b\" \"sh\"* \"say\" \"hi\"");
        SearchQuery.Parse("it's").ToFts5().Should().Be("\"it's\"");
    }

    [Fact]
    public void PostgresGetsQuotedLexemesPhrasesAndPrefixes()
    {
        SearchQuery.Parse("brown \"quick fox\" jump* it's back\\slash").ToTsQuery()
            .Should().Be("'brown' & ('quick' <-> 'fox') & 'jump':* & 'it''s' & 'back\\\\slash'");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\"open")]
    [InlineData("a*")]
    [InlineData("ab*c")]
    [InlineData("a-b*")]
    [InlineData("**")]
    [InlineData("... ,,,")]
    public void WhatTheLanguageCannotMeanIsInvalidQuery(string? query)
    {
        var parse = () => SearchQuery.Parse(query);

        parse.Should().Throw<ChatException>().Which.Code.Should().Be(ChatErrorCodes.InvalidQuery);
    }

    [Fact]
    public void TooLongOrTooManyTermsIsInvalidQuery()
    {
        var tooLong = () => SearchQuery.Parse(new string('a', ChatLimits.MaxSearchQueryLength + 1));
        var tooMany = () => SearchQuery.Parse(string.Join(' ', Enumerable.Repeat("w", ChatLimits.MaxSearchTerms + 1)));

        tooLong.Should().Throw<ChatException>().Which.Code.Should().Be(ChatErrorCodes.InvalidQuery);
        tooMany.Should().Throw<ChatException>().Which.Code.Should().Be(ChatErrorCodes.InvalidQuery);
        SearchQuery.Parse(string.Join(' ', Enumerable.Repeat("w", ChatLimits.MaxSearchTerms))).Terms.Should().HaveCount(ChatLimits.MaxSearchTerms);
    }

    [Fact]
    public void SnippetsEscapeTheTextAndMarkOnlyTheEnginesMatches()
    {
        var marked = $"a <b>&\"'{Snippets.Start}cat{Snippets.End} and {Snippets.Start}dog";

        Snippets.ToHtml(marked).Should().Be("a &lt;b&gt;&amp;&quot;&#39;<mark>cat</mark> and <mark>dog</mark>");
        Snippets.ToHtml($"{Snippets.End}x{Snippets.Start}{Snippets.Start}y{Snippets.End}{Snippets.End}").Should().Be("x<mark>y</mark>");
    }

    [Fact]
    public void ACursorRoundTripsAndAnythingElseIsInvalidRequest()
    {
        var cursor = new SearchCursor(638_000_000_000_000_000, "room:with:colons", 42);

        SearchCursor.Decode(cursor.Encode()).Should().Be(cursor);
        SearchCursor.Decode(null).Should().BeNull();
        foreach (var bad in new[] { "%%%", "bm90IGEgY3Vyc29y", "MTox" })
        {
            var decode = () => SearchCursor.Decode(bad);
            decode.Should().Throw<ChatException>().Which.Code.Should().Be(ChatErrorCodes.InvalidRequest);
        }
    }
}
