using System.Reflection;

namespace Chat.TypeScript.Generator;

/// <summary>Maps the CLR types of the contract to TypeScript, nullability included.</summary>
internal sealed class TypeMapper(IReadOnlyCollection<Type> dtoTypes)
{
    public TsType Map(Type type, NullabilityInfo nullability)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var nullable = underlying is not null || nullability.ReadState == NullabilityState.Nullable;
        var mapped = MapNonNull(underlying ?? type, nullability);
        return nullable ? mapped with { Text = $"{mapped.Text} | null" } : mapped;
    }

    private TsType MapNonNull(Type type, NullabilityInfo nullability)
    {
        if (type.IsArray)
        {
            var element = Map(type.GetElementType()!, nullability.ElementType!);
            return element with { Text = element.Text.Contains(' ', StringComparison.Ordinal) ? $"({element.Text})[]" : $"{element.Text}[]" };
        }

        if (type == typeof(string))
        {
            return new TsType("string", null, false);
        }

        if (type == typeof(bool))
        {
            return new TsType("boolean", null, false);
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(double))
        {
            return new TsType("number", null, false);
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new TsType("Date", null, true);
        }

        if (dtoTypes.Contains(type))
        {
            return new TsType(type.Name, type.Name, false);
        }

        throw new InvalidOperationException($"No TypeScript form for {type}: teach the generator (clients/typescript/generator/TypeMapper.cs).");
    }
}
