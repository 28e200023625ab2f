using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Chat.TypeScript.Generator;

/// <summary>The XML documentation file of an assembly, turned into TSDoc text.</summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, XElement> _members;
    private readonly Func<string, string> _linkName;

    private XmlDocs(Dictionary<string, XElement> members, Func<string, string> linkName)
    {
        _members = members;
        _linkName = linkName;
    }

    /// <param name="assembly">An assembly built with its documentation file beside it.</param>
    /// <param name="linkName">Turns a <c>cref</c> (e.g. <c>P:Chat.Shared.ChatMessage.Id</c>) into the TypeScript name to link.</param>
    public static XmlDocs Load(Assembly assembly, Func<string, string> linkName)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        // The generator carries the contract's documentation; without the file it would silently drop it.
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The documentation file of {assembly.GetName().Name} is missing.", path);
        }

        var members = XDocument.Load(path).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m);
        return new XmlDocs(members, linkName);
    }

    public string Summary(string memberId) => Text(Element(memberId)?.Element("summary"));

    /// <summary>The documentation of a record's primary constructor parameter, or of a method's parameter.</summary>
    public string Param(string memberId, string name) => Text(ParamElement(memberId, name));

    /// <summary>The raw <c>param</c> element, for looking at what it links to.</summary>
    public XElement? ParamElement(string memberId, string name) =>
        Element(memberId)?.Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == name);

    /// <summary>The documentation of a method (the first overload of that name).</summary>
    public string MethodSummary(string typeFullName, string method) => Text(MethodElement(typeFullName, method)?.Element("summary"));

    public string MethodParam(string typeFullName, string method, string name) =>
        Text(MethodElement(typeFullName, method)?.Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == name));

    private XElement? MethodElement(string typeFullName, string method)
    {
        var prefix = $"M:{typeFullName}.{method}";
        return _members.FirstOrDefault(m => m.Key == prefix || m.Key.StartsWith(prefix + "(", StringComparison.Ordinal)).Value;
    }

    private XElement? Element(string memberId) => _members.GetValueOrDefault(memberId);

    private string Text(XElement? element)
    {
        if (element is null)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            Append(text, node);
        }

        return Whitespace().Replace(text.ToString(), " ").Trim().Replace("*/", "*\\/", StringComparison.Ordinal);
    }

    private void Append(StringBuilder text, XNode node)
    {
        switch (node)
        {
            case XText plain:
                text.Append(plain.Value);
                break;
            case XElement { Name.LocalName: "see" or "seealso" } see when see.Attribute("cref") is { } cref:
                text.Append("{@link ").Append(_linkName(cref.Value)).Append('}');
                break;
            case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                text.Append('`').Append((string?)reference.Attribute("name")).Append('`');
                break;
            case XElement { Name.LocalName: "c" } code:
                text.Append('`').Append(code.Value).Append('`');
                break;
            case XElement other:
                foreach (var child in other.Nodes())
                {
                    Append(text, child);
                }

                break;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
