using System.Text;
using Chat.Server.Hubs;
using Chat.Shared;

namespace Chat.Server.Search;

public enum SearchTermKind
{
    /// <summary>A whole word (or the words a tokenizer makes of it, in order: <c>don't</c>).</summary>
    Word,

    /// <summary>Words in this order: <c>"a phrase"</c>.</summary>
    Phrase,

    /// <summary>Any word that starts so: <c>prefix*</c>.</summary>
    Prefix,
}

public sealed record SearchTerm(SearchTermKind Kind, string Text);

/// <summary>
/// The query language of <c>SearchMessages</c>, ours rather than an engine's: every term must match; <c>"a phrase"</c>;
/// <c>prefix*</c>; no operators. Parsing it here gives both stores one meaning and one set of errors, and what reaches
/// an engine is always built by us, quoted, never the user's text as the engine's syntax.
/// </summary>
public sealed class SearchQuery
{
    private SearchQuery(IReadOnlyList<SearchTerm> terms) => Terms = terms;

    public IReadOnlyList<SearchTerm> Terms { get; }

    public static SearchQuery Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid("a search needs at least one word");
        }

        if (text.Length > ChatLimits.MaxSearchQueryLength || !ChatRules.IsStorableText(text))
        {
            throw Invalid($"a search is at most {ChatLimits.MaxSearchQueryLength} characters of well-formed text");
        }

        var terms = new List<SearchTerm>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw Invalid("a phrase needs its closing quote");
                }

                Add(terms, text[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                var end = i;
                while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '"')
                {
                    end++;
                }

                AddWord(terms, text[i..end]);
                i = end;
            }
        }

        if (terms.Count == 0)
        {
            throw Invalid("a search needs at least one word of letters or digits");
        }

        return terms.Count <= ChatLimits.MaxSearchTerms
            ? new SearchQuery(terms)
            : throw Invalid($"a search has at most {ChatLimits.MaxSearchTerms} words, phrases and prefixes");
    }

    /// <summary>The query in FTS5 syntax: every term a quoted string (so nothing in it is an operator), ANDed.</summary>
    public string ToFts5()
    {
        var query = new StringBuilder();
        foreach (var term in Terms)
        {
            if (query.Length > 0)
            {
                query.Append(' ');
            }

            query.Append('"').Append(term.Text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            if (term.Kind == SearchTermKind.Prefix)
            {
                query.Append('*');
            }
        }

        return query.ToString();
    }

    /// <summary>
    /// The query as PostgreSQL <c>tsquery</c> text for <c>to_tsquery('simple', …)</c>: every word a quoted lexeme (which
    /// the parser may split, in order, as it split the text), phrases joined by <c>&lt;-&gt;</c>, prefixes <c>:*</c>, ANDed.
    /// </summary>
    public string ToTsQuery()
    {
        var query = new StringBuilder();
        foreach (var term in Terms)
        {
            if (query.Length > 0)
            {
                query.Append(" & ");
            }

            switch (term.Kind)
            {
                case SearchTermKind.Phrase:
                    query.Append('(').AppendJoin(" <-> ", term.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Lexeme)).Append(')');
                    break;
                case SearchTermKind.Prefix:
                    query.Append(Lexeme(term.Text)).Append(":*");
                    break;
                default:
                    query.Append(Lexeme(term.Text));
                    break;
            }
        }

        return query.ToString();
    }

    private static string Lexeme(string word) =>
        "'" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void AddWord(List<SearchTerm> terms, string word)
    {
        var star = word.IndexOf('*');
        if (star < 0)
        {
            Add(terms, word);
            return;
        }

        var prefix = word[..star];
        if (star != word.Length - 1 || prefix.Length < ChatLimits.MinSearchPrefixLength || !prefix.All(char.IsLetterOrDigit))
        {
            throw Invalid($"'*' ends a prefix of at least {ChatLimits.MinSearchPrefixLength} letters or digits, as in chat*");
        }

        terms.Add(new SearchTerm(SearchTermKind.Prefix, prefix));
    }

    /// <summary>
    /// A word, or the words of a phrase (a phrase of one word is that word). Words of punctuation alone match nothing
    /// in either engine, so they are dropped rather than refused.
    /// </summary>
    private static void Add(List<SearchTerm> terms, string text)
    {
        var words = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (words.Any(char.IsLetterOrDigit))
        {
            terms.Add(new SearchTerm(words.Contains(' ', StringComparison.Ordinal) ? SearchTermKind.Phrase : SearchTermKind.Word, words));
        }
    }

    private static ChatException Invalid(string message) => new(ChatErrorCodes.InvalidQuery, message);
}
