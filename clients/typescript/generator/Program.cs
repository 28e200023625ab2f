using Chat.TypeScript.Generator;

// Usage: Chat.TypeScript.Generator <output folder>. Writes the TypeScript contract of Chat.Shared there.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Chat.TypeScript.Generator <output folder>");
    return 2;
}

var contract = ContractModel.Read(typeof(Chat.Shared.IChatHub).Assembly);
var written = 0;
foreach (var (name, text) in TypeScriptWriter.Write(contract))
{
    if (GeneratedFiles.WriteIfChanged(Path.Combine(args[0], name), text))
    {
        written++;
    }
}

Console.WriteLine($"TypeScript contract: {written} file(s) rewritten in {args[0]}");
return 0;
