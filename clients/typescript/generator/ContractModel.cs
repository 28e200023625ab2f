using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Chat.Shared;
using MessagePack;

namespace Chat.TypeScript.Generator;

/// <summary>A TypeScript type of a field or parameter, and what a received value needs to look the same over both protocols.</summary>
/// <param name="Text">The TypeScript type.</param>
/// <param name="Shape">The contract type inside (also inside an array), whose own fields may need normalizing.</param>
/// <param name="IsDate">A time: an ISO string over JSON, a Date over MessagePack; the client makes it a Date.</param>
public sealed record TsType(string Text, string? Shape, bool IsDate);

public sealed record Field(string WireName, TsType Type, bool Optional, string Doc);

public sealed record Dto(string Name, string Doc, IReadOnlyList<Field> Fields);

public sealed record Constant(string Name, string Value, string Doc);

public sealed record ConstantSet(string Name, string Doc, IReadOnlyList<Constant> Members, IReadOnlyList<string>? StringValues);

public sealed record Parameter(string Name, TsType Type, string Doc);

public sealed record Method(string Name, string Doc, IReadOnlyList<Parameter> Parameters, TsType? Result);

public sealed record Pattern(string Name, string Source, string Doc);

/// <summary>Everything of Chat.Shared a TypeScript client needs, read by reflection with its documentation.</summary>
public sealed partial class ContractModel
{
    public required IReadOnlyList<Dto> Dtos { get; init; }
    public required IReadOnlyList<ConstantSet> Constants { get; init; }
    public required IReadOnlyList<Pattern> Patterns { get; init; }
    public required string HubDoc { get; init; }
    public required IReadOnlyList<Method> HubMethods { get; init; }
    public required string ClientDoc { get; init; }
    public required IReadOnlyList<Method> Callbacks { get; init; }

    private const string Namespace = "Chat.Shared";

    public static ContractModel Read(Assembly assembly)
    {
        var types = assembly.GetExportedTypes().Where(t => t.Namespace == Namespace).OrderBy(t => t.MetadataToken).ToList();
        var dtoTypes = types.Where(t => t.IsClass && !t.IsAbstract && t.IsSealed && t.GetMethod("<Clone>$") is not null).ToList();
        var constantTypes = types.Where(t => t.IsAbstract && t.IsSealed && t.GetFields(BindingFlags.Public | BindingFlags.Static).Length > 0).ToList();
        var valueSets = constantTypes
            .Where(t => PublicConstants(t).All(f => f.FieldType == typeof(string)) && PublicConstants(t).Any())
            .Select(t => t.Name)
            .ToHashSet();

        var docs = XmlDocs.Load(assembly, cref => LinkName(cref, dtoTypes));
        var inputs = InputTypes(dtoTypes);
        var mapper = new TypeMapper(dtoTypes);

        return new ContractModel
        {
            Dtos = dtoTypes.Select(t => ReadDto(t, docs, mapper, valueSets, inputs.Contains(t))).ToList(),
            Constants = constantTypes.Select(t => ReadConstants(t, docs)).ToList(),
            Patterns = ReadPatterns(typeof(ChatRules), docs),
            HubDoc = docs.Summary($"T:{typeof(IChatHub).FullName}"),
            HubMethods = ReadMethods(typeof(IChatHub), docs, mapper),
            ClientDoc = docs.Summary($"T:{typeof(IChatClient).FullName}"),
            Callbacks = ReadMethods(typeof(IChatClient), docs, mapper),
        };
    }

    /// <summary>Records sent to the server (hub arguments, request bodies): their nullable fields with a default may be left out.</summary>
    private static HashSet<Type> InputTypes(List<Type> dtoTypes)
    {
        var inputs = new HashSet<Type>();
        var pending = new Stack<Type>(typeof(IChatHub).GetMethods().SelectMany(m => m.GetParameters()).Select(p => ElementOf(p.ParameterType))
            .Concat(dtoTypes.Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal))));
        while (pending.TryPop(out var type))
        {
            if (dtoTypes.Contains(type) && inputs.Add(type))
            {
                foreach (var parameter in PrimaryConstructor(type).GetParameters())
                {
                    pending.Push(ElementOf(parameter.ParameterType));
                }
            }
        }

        return inputs;
    }

    private static Type ElementOf(Type type) =>
        type.IsArray ? ElementOf(type.GetElementType()!) : Nullable.GetUnderlyingType(type) ?? type;

    private static ConstructorInfo PrimaryConstructor(Type type) =>
        type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();

    private static IEnumerable<FieldInfo> PublicConstants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral);

    private static Dto ReadDto(Type type, XmlDocs docs, TypeMapper mapper, HashSet<string> valueSets, bool isInput)
    {
        var id = $"T:{type.FullName}";
        var nullability = new NullabilityInfoContext();
        var fields = new List<Field>();
        foreach (var parameter in PrimaryConstructor(type).GetParameters())
        {
            var property = type.GetProperty(parameter.Name!)!;
            var wireName = WireName(type, property);
            var tsType = mapper.Map(property.PropertyType, nullability.Create(property));
            var valueSet = ValueSetOf(docs.ParamElement(id, parameter.Name!), valueSets);
            if (valueSet is not null && ElementOf(property.PropertyType) == typeof(string))
            {
                tsType = tsType with { Text = tsType.Text.Replace("string", valueSet, StringComparison.Ordinal) };
            }

            var optional = isInput && parameter.HasDefaultValue && parameter.DefaultValue is null;
            fields.Add(new Field(wireName, tsType, optional, docs.Param(id, parameter.Name!)));
        }

        return new Dto(type.Name, docs.Summary(id), fields);
    }

    /// <summary>
    /// The field's name on the wire: the MessagePack key, which must be the name System.Text.Json writes (camelCase, or
    /// its <see cref="JsonPropertyNameAttribute"/>), or the two protocols would show different shapes.
    /// </summary>
    private static string WireName(Type type, PropertyInfo property)
    {
        var json = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
        var key = property.GetCustomAttribute<KeyAttribute>();
        if (key is not null && key.StringKey != json)
        {
            throw new InvalidOperationException(
                $"{type.Name}.{property.Name}: MessagePack key \"{key.StringKey}\" differs from its JSON name \"{json}\".");
        }

        return json;
    }

    /// <summary>
    /// A string field documented as "one of <c>X</c>" (a class of string constants), or as a list of such constants,
    /// takes the constants' values as its TypeScript type.
    /// </summary>
    private static string? ValueSetOf(System.Xml.Linq.XElement? doc, HashSet<string> valueSets)
    {
        if (doc is null)
        {
            return null;
        }

        var xml = string.Concat(doc.Nodes().Select(n => n.ToString()));
        if (OneOfSet().Match(xml) is { Success: true } oneOf && valueSets.Contains(oneOf.Groups[1].Value))
        {
            return oneOf.Groups[1].Value;
        }

        var values = ListOfValues().Matches(xml);
        if (ListOnly().IsMatch(xml) && values.Count > 0 && values.All(v => valueSets.Contains(v.Groups[1].Value)))
        {
            return string.Join(" | ", values.Select(v => $"typeof {v.Groups[1].Value}.{v.Groups[2].Value}"));
        }

        return null;
    }

    private static ConstantSet ReadConstants(Type type, XmlDocs docs)
    {
        var members = new List<Constant>();
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var doc = docs.Summary($"F:{type.FullName}.{field.Name}");
            var value = field.GetValue(null);
            switch (value)
            {
                case string text:
                    members.Add(new Constant(field.Name, JsonSerializer.Serialize(text), doc));
                    break;
                case int or long:
                    members.Add(new Constant(field.Name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!, doc));
                    break;
                case TimeSpan span:
                    members.Add(new Constant(field.Name + "Ms", ((long)span.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), $"{doc} (milliseconds)"));
                    break;
                default:
                    throw new InvalidOperationException($"{type.Name}.{field.Name}: no TypeScript form for {field.FieldType}.");
            }
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Static))
        {
            if (property.GetValue(null) is not IEnumerable<string> list)
            {
                throw new InvalidOperationException($"{type.Name}.{property.Name}: no TypeScript form for {property.PropertyType}.");
            }

            members.Add(new Constant(property.Name, JsonSerializer.Serialize(list), docs.Summary($"P:{type.FullName}.{property.Name}")));
        }

        var strings = PublicConstants(type).Select(f => (string?)(f.GetValue(null) as string)).ToList();
        return new ConstantSet(type.Name, docs.Summary($"T:{type.FullName}"), members,
            strings.Count > 0 && strings.All(s => s is not null) ? strings.Select(s => JsonSerializer.Serialize(s)).ToList() : null);
    }

    /// <summary>The name rules' regular expressions (<c>[GeneratedRegex]</c>), so a client checks exactly what the server checks.</summary>
    private static List<Pattern> ReadPatterns(Type rules, XmlDocs docs)
    {
        var patterns = new List<Pattern>();
        foreach (var method in rules.GetMethods(BindingFlags.NonPublic | BindingFlags.Static).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (method.GetCustomAttribute<GeneratedRegexAttribute>() is { } regex)
            {
                var user = rules.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .FirstOrDefault(m => method.Name.StartsWith(m.Name.Replace("IsValid", "", StringComparison.Ordinal), StringComparison.Ordinal));
                patterns.Add(new Pattern(method.Name, regex.Pattern, user is null ? "" : docs.MethodSummary(rules.FullName!, user.Name)));
            }
        }

        return patterns;
    }

    private static List<Method> ReadMethods(Type contract, XmlDocs docs, TypeMapper mapper)
    {
        var nullability = new NullabilityInfoContext();
        return contract.GetMethods().OrderBy(m => m.MetadataToken).Select(method =>
        {
            var parameters = method.GetParameters()
                .Select(p => new Parameter(p.Name!, mapper.Map(p.ParameterType, nullability.Create(p)), docs.MethodParam(contract.FullName!, method.Name, p.Name!)))
                .ToList();
            var returned = method.ReturnType;
            var result = returned.IsGenericType && returned.GetGenericTypeDefinition() == typeof(Task<>)
                ? mapper.Map(returned.GetGenericArguments()[0], nullability.Create(method.ReturnParameter).GenericTypeArguments[0])
                : null;
            return new Method(method.Name, docs.MethodSummary(contract.FullName!, method.Name), parameters, result);
        }).ToList();
    }

    /// <summary>The TypeScript name a documentation link points at: a record's property by its wire name.</summary>
    private static string LinkName(string cref, List<Type> dtoTypes)
    {
        var name = cref[(cref.IndexOf(':') + 1)..];
        var parenthesis = name.IndexOf('(');
        if (parenthesis >= 0)
        {
            name = name[..parenthesis];
        }

        if (name.StartsWith(Namespace + ".", StringComparison.Ordinal))
        {
            name = name[(Namespace.Length + 1)..];
        }

        var dot = name.IndexOf('.');
        if (cref.StartsWith("P:", StringComparison.Ordinal) && dot > 0 && dtoTypes.FirstOrDefault(t => t.Name == name[..dot]) is { } dto
            && dto.GetProperty(name[(dot + 1)..]) is { } property)
        {
            return $"{dto.Name}.{WireName(dto, property)}";
        }

        return name;
    }

    [GeneratedRegex("""^(?i:.*?one of )<see cref="T:Chat\.Shared\.(\w+)"\s*/>""", RegexOptions.Singleline)]
    private static partial Regex OneOfSet();

    [GeneratedRegex("""<see cref="F:Chat\.Shared\.(\w+)\.(\w+)"\s*/>""")]
    private static partial Regex ListOfValues();

    [GeneratedRegex("""^\s*(<see cref="F:[\w.]+"\s*/>\s*(or|,)?\s*)+\.?\s*$""")]
    private static partial Regex ListOnly();
}
