using System.Text;

namespace Chat.TypeScript.Generator;

/// <summary>Writes the TypeScript files of a <see cref="ContractModel"/>.</summary>
public static class TypeScriptWriter
{
    private const string Header =
        "// Generated from Chat.Shared by clients/typescript/generator on every build: do not edit, change Chat.Shared.\n" +
        "// Not committed (see docs/typescript.md), so it cannot drift from the server's contract.\n\n";

    public static IEnumerable<(string Name, string Text)> Write(ContractModel contract)
    {
        yield return ("contract.ts", Contract(contract));
        yield return ("hub.ts", Hub(contract));
    }

    private static string Contract(ContractModel contract)
    {
        var ts = new StringBuilder(Header);
        ts.Append("// Every object has the same camelCase field names over JSON and MessagePack (MessagePack maps with string keys).\n");
        ts.Append("// Times are Date objects whichever protocol carried them: the client turns JSON's ISO strings into Dates.\n\n");
        foreach (var dto in contract.Dtos)
        {
            Doc(ts, "", dto.Doc);
            ts.Append($"export interface {dto.Name} {{\n");
            foreach (var field in dto.Fields)
            {
                Doc(ts, "  ", field.Doc);
                ts.Append($"  {field.WireName}{(field.Optional ? "?" : "")}: {field.Type.Text};\n");
            }

            ts.Append("}\n\n");
        }

        foreach (var set in contract.Constants)
        {
            Doc(ts, "", set.Doc);
            ts.Append($"export const {set.Name} = {{\n");
            foreach (var member in set.Members)
            {
                Doc(ts, "  ", member.Doc);
                ts.Append($"  {member.Name}: {member.Value},\n");
            }

            ts.Append("} as const;\n\n");
            if (set.StringValues is not null)
            {
                Doc(ts, "", $"One of the values of {{@link {set.Name}}}.");
                ts.Append($"export type {set.Name} = {string.Join(" | ", set.StringValues)};\n\n");
            }
        }

        Doc(ts, "", "The server's name rules (Chat.Shared `ChatRules`), as regular expressions: check before calling.");
        ts.Append("export const ChatRules = {\n");
        foreach (var pattern in contract.Patterns)
        {
            Doc(ts, "  ", pattern.Doc);
            ts.Append($"  {pattern.Name}: new RegExp({System.Text.Json.JsonSerializer.Serialize(pattern.Source)}, \"u\"),\n");
        }

        ts.Append("} as const;\n\n");

        Doc(ts, "", "What in each contract type is a time (made a Date) or another contract type (looked into): used by `normalize`.");
        ts.Append("export const WireShapes: Readonly<Record<string, { readonly dates: readonly string[]; readonly nested: Readonly<Record<string, string>> }>> = {\n");
        foreach (var dto in contract.Dtos)
        {
            var dates = dto.Fields.Where(f => f.Type.IsDate).Select(f => $"\"{f.WireName}\"").ToList();
            var nested = dto.Fields.Where(f => f.Type.Shape is not null).Select(f => $"{f.WireName}: \"{f.Type.Shape}\"").ToList();
            if (dates.Count > 0 || nested.Count > 0)
            {
                ts.Append($"  {dto.Name}: {{ dates: [{string.Join(", ", dates)}], nested: {{{(nested.Count == 0 ? "" : " " + string.Join(", ", nested) + " ")}}} }},\n");
            }
        }

        ts.Append("};\n");
        return ts.ToString();
    }

    private static string Hub(ContractModel contract)
    {
        var ts = new StringBuilder(Header);
        var used = contract.HubMethods.Concat(contract.Callbacks)
            .SelectMany(m => m.Parameters.Select(p => p.Type).Append(m.Result))
            .Select(t => t?.Shape).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        ts.Append($"import type {{ {string.Join(", ", used)} }} from \"./contract.js\";\n\n");

        Doc(ts, "", contract.HubDoc);
        ts.Append("export interface IChatHub {\n");
        foreach (var method in contract.HubMethods)
        {
            MethodDoc(ts, method);
            ts.Append($"  {method.Name}({Parameters(method)}): Promise<{method.Result?.Text ?? "void"}>;\n");
        }

        ts.Append("}\n\n");

        Doc(ts, "", contract.ClientDoc);
        ts.Append("export interface IChatClient {\n");
        foreach (var callback in contract.Callbacks)
        {
            MethodDoc(ts, callback);
            ts.Append($"  {callback.Name}({Parameters(callback)}): void;\n");
        }

        ts.Append("}\n\n");

        Doc(ts, "", "The contract type each hub method answers with (also inside an array), for `normalize`.");
        ts.Append("export const HubResultShapes: Readonly<Record<keyof IChatHub, string | null>> = {\n");
        foreach (var method in contract.HubMethods)
        {
            ts.Append($"  {method.Name}: {(method.Result?.Shape is { } shape ? $"\"{shape}\"" : "null")},\n");
        }

        ts.Append("};\n\n");

        Doc(ts, "", "The contract type of each callback's argument, for `normalize`.");
        ts.Append("export const CallbackShapes: Readonly<Record<keyof IChatClient, string | null>> = {\n");
        foreach (var callback in contract.Callbacks)
        {
            ts.Append($"  {callback.Name}: {(callback.Parameters.Single().Type.Shape is { } shape ? $"\"{shape}\"" : "null")},\n");
        }

        ts.Append("};\n\n");

        Doc(ts, "", "Runs one hub method: a bare connection's `invoke`, or a client that retries and reconnects.");
        ts.Append("export type HubInvoker = <M extends keyof IChatHub>(method: M, ...args: Parameters<IChatHub[M]>) => ReturnType<IChatHub[M]>;\n\n");
        Doc(ts, "", "Every hub method with its typed arguments and result, over a {@link HubInvoker}.");
        ts.Append("export class ChatHubProxy implements IChatHub {\n");
        ts.Append("  constructor(private readonly invoke: HubInvoker) {}\n");
        foreach (var method in contract.HubMethods)
        {
            ts.Append('\n');
            MethodDoc(ts, method);
            var names = string.Concat(method.Parameters.Select(p => ", " + p.Name));
            ts.Append($"  {method.Name}({Parameters(method)}): Promise<{method.Result?.Text ?? "void"}> {{\n");
            ts.Append($"    return this.invoke(\"{method.Name}\"{names});\n");
            ts.Append("  }\n");
        }

        ts.Append("}\n");
        return ts.ToString();
    }

    private static string Parameters(Method method) =>
        string.Join(", ", method.Parameters.Select(p => $"{p.Name}: {p.Type.Text}"));

    private static void MethodDoc(StringBuilder ts, Method method)
    {
        var lines = new List<string> { method.Doc };
        lines.AddRange(method.Parameters.Where(p => p.Doc.Length > 0).Select(p => $"@param {p.Name} {p.Doc}"));
        Doc(ts, "  ", string.Join("\n", lines.Where(l => l.Length > 0)));
    }

    private static void Doc(StringBuilder ts, string indent, string doc)
    {
        if (doc.Length == 0)
        {
            return;
        }

        var lines = doc.Split('\n');
        if (lines.Length == 1)
        {
            ts.Append($"{indent}/** {doc} */\n");
            return;
        }

        ts.Append($"{indent}/**\n");
        foreach (var line in lines)
        {
            ts.Append($"{indent} * {line}\n");
        }

        ts.Append($"{indent} */\n");
    }
}
