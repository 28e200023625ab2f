namespace Chat.TypeScript.Generator;

internal static class GeneratedFiles
{
    /// <summary>Writes the file unless it holds this text already (its time stamp then keeps later steps incremental). True if written.</summary>
    public static bool WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return true;
    }
}
