namespace Chat.Server.Conversations;

/// <summary>Server administrators: they act as owners in every room (that is how rooms made before v2 are moderated).</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>User ids (the token's <c>sub</c>; <c>guest:name</c> for guests) of the administrators.</summary>
    public string[] UserIds { get; set; } = [];

    public bool IsAdmin(string userId) => Array.IndexOf(UserIds, userId) >= 0;
}
