using System.Globalization;
using Microsoft.Diagnostics.Runtime;

namespace Chat.Bench;

/// <summary>
/// What a running .NET process keeps alive, by type: the live managed objects (reachable from the GC roots, so not
/// the garbage a snapshot of the whole heap would also count), their count and bytes. Taken once with a server's
/// warm-up connections and once more with its idle connections open, the difference is what one connection keeps.
/// </summary>
internal static class HeapCensus
{
    public static int Run(int processId, string[] args)
    {
        var per = 1.0;
        var top = 60;
        string? save = null;
        string? compare = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--per":
                    per = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--top":
                    top = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--save":
                    save = args[i + 1];
                    break;
                case "--compare":
                    compare = args[i + 1];
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        var census = Take(processId);
        if (save is not null)
        {
            File.WriteAllLines(save, census.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Value.Bytes}\t{t.Value.Count}\t{t.Key}")));
        }

        var baseline = compare is null ? [] : File.ReadLines(compare).Select(line => line.Split('\t', 3))
            .ToDictionary(f => f[2], f => (Count: long.Parse(f[1], CultureInfo.InvariantCulture), Bytes: long.Parse(f[0], CultureInfo.InvariantCulture)));
        var rows = census.Keys.Union(baseline.Keys)
            .Select(type =>
            {
                var now = census.GetValueOrDefault(type);
                var then = baseline.GetValueOrDefault(type);
                return (Type: type, Count: now.Count - then.Count, Bytes: now.Bytes - then.Bytes);
            })
            .ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"live {rows.Sum(r => r.Bytes) / per:F0} bytes{(per == 1 ? string.Empty : $" per {per:F0}")}{(compare is null ? string.Empty : $" since {compare}")}"));
        foreach (var row in rows.OrderByDescending(r => Math.Abs(r.Bytes)).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Bytes / per,10:F1} B {row.Count / per,8:F2} x  {row.Type}"));
        }

        return 0;
    }

    private static Dictionary<string, (long Count, long Bytes)> Take(int processId)
    {
        using var target = DataTarget.AttachToProcess(processId, suspend: true);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var heap = runtime.Heap;
        var live = new HashSet<ulong>();
        var pending = new Stack<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (root.Object.Address != 0 && live.Add(root.Object.Address))
            {
                pending.Push(root.Object.Address);
            }
        }

        var census = new Dictionary<string, (long Count, long Bytes)>();
        while (pending.TryPop(out var address))
        {
            var obj = heap.GetObject(address);
            if (!obj.IsValid)
            {
                continue;
            }

            var type = obj.Type?.Name ?? "?";
            var (count, bytes) = census.GetValueOrDefault(type);
            census[type] = (count + 1, bytes + (long)obj.Size);
            foreach (var reference in obj.EnumerateReferenceAddresses(carefully: true, considerDependantHandles: true))
            {
                if (reference != 0 && live.Add(reference))
                {
                    pending.Push(reference);
                }
            }
        }

        return census;
    }
}
