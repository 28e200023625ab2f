using MessagePack;

namespace Chat.Shared;

/// <summary>The body of <see cref="IChatHub.SearchMessages"/>.</summary>
/// <param name="Query">
/// Words that must all match (a word matches as a whole word, case and accents aside), <c>"a phrase"</c> that must
/// match word by word, and <c>prefix*</c>. At most <see cref="ChatLimits.MaxSearchQueryLength"/> characters and
/// <see cref="ChatLimits.MaxSearchTerms"/> terms; anything else answers <see cref="ChatErrorCodes.InvalidQuery"/>.
/// </param>
/// <param name="Room">Only this room (<see cref="ChatErrorCodes.Forbidden"/> if the caller may not read it).</param>
/// <param name="SenderId">Only messages of this user.</param>
/// <param name="After">Only messages sent after this instant (UTC).</param>
/// <param name="Before">Only messages sent before this instant (UTC).</param>
/// <param name="Limit">Hits per page, 1–50.</param>
/// <param name="Cursor">The <see cref="SearchResult.NextCursor"/> of the previous page of the same search.</param>
[MessagePackObject]
public sealed record SearchRequest(
    [property: Key("query")] string Query,
    [property: Key("room")] string? Room = null,
    [property: Key("senderId")] string? SenderId = null,
    [property: Key("after")] DateTime? After = null,
    [property: Key("before")] DateTime? Before = null,
    [property: Key("limit")] int Limit = ChatLimits.DefaultSearchPage,
    [property: Key("cursor")] string? Cursor = null);

/// <summary>One message found by <see cref="IChatHub.SearchMessages"/>.</summary>
/// <param name="Message">The message as it is now.</param>
/// <param name="Snippet">
/// A short excerpt of its text, HTML-escaped, with each matched word inside <c>&lt;mark&gt;…&lt;/mark&gt;</c>: safe to
/// insert as HTML, and nothing else in it is markup.
/// </param>
[MessagePackObject]
public sealed record SearchHit(
    [property: Key("message")] ChatMessage Message,
    [property: Key("snippet")] string Snippet);

/// <summary>A page of search hits, newest first.</summary>
/// <param name="Hits">The messages found, newest first.</param>
/// <param name="NextCursor">Pass it back for the next page; null when there is none.</param>
[MessagePackObject]
public sealed record SearchResult(
    [property: Key("hits")] SearchHit[] Hits,
    [property: Key("nextCursor")] string? NextCursor)
{
    /// <summary>Value equality, the hits included.</summary>
    public bool Equals(SearchResult? other) =>
        other is not null && NextCursor == other.NextCursor && Lists.Equal(Hits, other.Hits);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Hits.Length, NextCursor);
}
