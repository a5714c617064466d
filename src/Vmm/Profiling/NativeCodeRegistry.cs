using System.Globalization;
using System.Reflection;
using Transmeta.IR;

namespace Transmeta.Vmm.Profiling;

/// <summary>A range of generated native code: <c>[Start, Start + Size)</c> is <c>Name</c>.</summary>
public readonly record struct NativeCodeRange(ulong Start, ulong Size, string Name)
{
    public bool Contains(ulong address) => address - Start < Size;

    /// <summary>The perf map line: <c>START SIZE name</c>, hex without 0x.</summary>
    public string ToPerfMapLine() => $"{Start:x} {Size:x} {Name}";

    /// <summary>Parses a perf map line (<c>START SIZE name</c>; a 0x prefix on either number is
    /// accepted, as the .NET runtime writes one).</summary>
    public static bool TryParse(string line, out NativeCodeRange range)
    {
        range = default;
        int sp1 = line.IndexOf(' ');
        if (sp1 <= 0) return false;
        int sp2 = line.IndexOf(' ', sp1 + 1);
        if (sp2 <= sp1 + 1 || sp2 == line.Length - 1) return false;
        if (!TryHex(line.AsSpan(0, sp1), out ulong start) || !TryHex(line.AsSpan(sp1 + 1, sp2 - sp1 - 1), out ulong size)) return false;
        range = new NativeCodeRange(start, size, line[(sp2 + 1)..]);
        return true;
    }

    private static bool TryHex(ReadOnlySpan<char> s, out ulong value)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        return ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && s.Length > 0;
    }
}

/// <summary>
/// Where generated code that the CLR does not know about lives (the LLVM backend's blocks), so
/// the perf map, the sampler and the inspector can name it. Process-wide and thread-safe.
/// </summary>
/// <remarks>
/// A backend publishes its code in one of two ways, neither needing a reference to the VMM:
/// its <see cref="CompiledBlock"/> exposes a public property <c>NativeCodeAddress</c> or
/// <c>NativeAddress</c> (nint, nuint, long or ulong; the LLVM backend's does) and overrides <see cref="CompiledBlock.NativeCodeBytes"/> (found by
/// <see cref="Resolve"/>), or whoever wires the backend up adds a resolver to
/// <see cref="Resolvers"/>, or calls <see cref="Register"/> directly.
/// With <see cref="PublishPath"/> set (<c>/tmp/transmeta-PID.codemap</c> while the sampler runs),
/// every range is also appended to that file as a perf map line, for another process to read.
/// </remarks>
public static class NativeCodeRegistry
{
    private static readonly object Lock = new();
    private static readonly List<NativeCodeRange> Ranges = new();
    private static readonly HashSet<ulong> Starts = new();
    private static StreamWriter? _publish;

    /// <summary>Maps a compiled block to its native code range (null: not this resolver's kind).</summary>
    public static List<Func<CompiledBlock, (ulong Start, ulong Size)?>> Resolvers { get; } = new();

    /// <summary>The registry file the sampler reads: <c>/tmp/transmeta-PID.codemap</c>.</summary>
    public static string DefaultPublishPath(int pid) => $"/tmp/transmeta-{pid}.codemap";

    /// <summary>Appends every registered range to this file (perf map lines), or null for none.</summary>
    public static string? PublishPath
    {
        get { lock (Lock) return _publishPath; }
        set
        {
            lock (Lock)
            {
                _publish?.Dispose();
                _publish = null;
                _publishPath = value;
                if (value is null) return;
                _publish = new StreamWriter(new FileStream(value, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = true };
                foreach (NativeCodeRange r in Ranges) _publish.WriteLine(r.ToPerfMapLine());
            }
        }
    }
    private static string? _publishPath;

    public static void Register(ulong start, ulong size, string name)
    {
        if (start == 0 || size == 0) return;
        lock (Lock)
        {
            if (!Starts.Add(start))
            {
                int i = Ranges.FindLastIndex(r => r.Start == start);
                if (i >= 0 && Ranges[i].Size == size && Ranges[i].Name == name) return;
            }
            var range = new NativeCodeRange(start, size, name);
            Ranges.Add(range);
            _publish?.WriteLine(range.ToPerfMapLine());
        }
    }

    public static IReadOnlyList<NativeCodeRange> Snapshot()
    {
        lock (Lock) return Ranges.ToArray();
    }

    public static void Clear()
    {
        lock (Lock)
        {
            Ranges.Clear();
            Starts.Clear();
        }
    }

    /// <summary>The native code range of a compiled block, from the resolvers or from public
    /// <c>NativeCodeAddress</c> + <see cref="CompiledBlock.NativeCodeBytes"/>; null when unknown.</summary>
    public static (ulong Start, ulong Size)? Resolve(CompiledBlock code)
    {
        foreach (var resolver in Resolvers)
            if (resolver(code) is { } r) return r;
        PropertyInfo? p = code.GetType().GetProperty("NativeCodeAddress", BindingFlags.Public | BindingFlags.Instance)
                          ?? code.GetType().GetProperty("NativeAddress", BindingFlags.Public | BindingFlags.Instance);
        if (p is null || code.NativeCodeBytes <= 0) return null;
        ulong start = p.GetValue(code) switch
        {
            nint n => (ulong)n,
            nuint n => n,
            ulong n => n,
            long n => (ulong)n,
            _ => 0,
        };
        return start == 0 ? null : (start, (ulong)code.NativeCodeBytes);
    }

    /// <summary>Registers a compiled block's code under <c>blk_XXXXXXXX [tier] symbol</c> if its range is known.</summary>
    public static bool RegisterBlock(CompiledBlock code, string? symbol = null)
    {
        if (Resolve(code) is not { } r) return false;
        Register(r.Start, r.Size, BlockCodeName(code.Source.Name, code.Tier, symbol));
        return true;
    }

    public static string BlockCodeName(string block, string tier, string? symbol) =>
        symbol is null ? $"{block} [{tier}]" : $"{block} [{tier}] {symbol}";
}
