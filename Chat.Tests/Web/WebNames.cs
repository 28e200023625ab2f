namespace Chat.Tests.Web;

/// <summary>
/// Short unique names: unique among the tests that share a server, and short enough that the pages (and the
/// screenshots taken of them) stay readable.
/// </summary>
public static class WebNames
{
    public static string Room(string prefix) => $"{prefix}-{Suffix()}";

    public static string User(string prefix) => $"{prefix}-{Suffix()}";

    private static string Suffix() => Guid.NewGuid().ToString("N")[..6];
}
