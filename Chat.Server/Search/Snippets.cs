using System.Text;

namespace Chat.Server.Search;

/// <summary>
/// Engines mark matches with two control characters (<see cref="Start"/>, <see cref="End"/>); clients get HTML with
/// everything escaped and the matches in <c>&lt;mark&gt;</c>, so a page can show it as markup without trusting the text.
/// </summary>
public static class Snippets
{
    public const char Start = '\u0002';
    public const char End = '\u0003';

    public static string ToHtml(string marked)
    {
        var html = new StringBuilder(marked.Length + 32);
        var open = false;
        foreach (var c in marked)
        {
            switch (c)
            {
                case Start when !open:
                    html.Append("<mark>");
                    open = true;
                    break;
                case End when open:
                    html.Append("</mark>");
                    open = false;
                    break;
                case Start or End:
                    break;
                case '&':
                    html.Append("&amp;");
                    break;
                case '<':
                    html.Append("&lt;");
                    break;
                case '>':
                    html.Append("&gt;");
                    break;
                case '"':
                    html.Append("&quot;");
                    break;
                case '\'':
                    html.Append("&#39;");
                    break;
                default:
                    html.Append(c);
                    break;
            }
        }

        return open ? html.Append("</mark>").ToString() : html.ToString();
    }
}
