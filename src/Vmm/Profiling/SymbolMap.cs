using System.Globalization;
using Transmeta.Vmm.Loaders;

namespace Transmeta.Vmm.Profiling;

/// <summary>
/// Guest symbols for profiles and the inspector: from the guest ELF's symbol table
/// (<see cref="LoadedImage.Symbols"/>) or a Linux <c>System.map</c> (<c>ADDR TYPE NAME</c> a line).
/// Lookups give the symbol containing an address and the offset into it.
/// </summary>
public sealed class SymbolMap
{
    private readonly (uint Address, uint Size, string Name)[] _symbols;

    public SymbolMap(IEnumerable<(uint Address, uint Size, string Name)> symbols)
    {
        _symbols = symbols.Where(s => s.Name.Length > 0).OrderBy(s => s.Address).ThenByDescending(s => s.Size).ToArray();
    }

    public static SymbolMap Empty { get; } = new([]);

    public int Count => _symbols.Length;
    public IReadOnlyList<(uint Address, uint Size, string Name)> Symbols => _symbols;

    public static SymbolMap FromImage(LoadedImage? image) => image is null ? Empty : new SymbolMap(image.Symbols);

    /// <summary>Parses a Linux System.map (or `nm` output): <c>c1000000 T startup_32</c>. Code
    /// symbols (t, T, w, W) are kept; each extends to the next symbol.</summary>
    public static SymbolMap FromSystemMap(string path) => ParseSystemMap(File.ReadLines(path));

    public static SymbolMap ParseSystemMap(IEnumerable<string> lines)
    {
        var raw = new List<(uint Address, string Name)>();
        foreach (string line in lines)
        {
            string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || parts[1].Length != 1) continue;
            if ("tTwW".IndexOf(parts[1][0]) < 0) continue;
            if (!ulong.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong addr) || addr > uint.MaxValue) continue;
            raw.Add(((uint)addr, parts[2]));
        }
        raw.Sort((a, b) => a.Address.CompareTo(b.Address));
        var symbols = new List<(uint, uint, string)>(raw.Count);
        for (int i = 0; i < raw.Count; i++)
        {
            uint next = i + 1 < raw.Count ? raw[i + 1].Address : raw[i].Address;
            symbols.Add((raw[i].Address, next - raw[i].Address, raw[i].Name));
        }
        return new SymbolMap(symbols);
    }

    /// <summary>The symbol containing <paramref name="address"/> (a symbol of size 0 covers up to
    /// the next symbol), or false.</summary>
    public bool TryFind(uint address, out (uint Address, uint Size, string Name) symbol)
    {
        int lo = 0, hi = _symbols.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_symbols[mid].Address <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        // Among the symbols at or below the address, the nearest one that contains it.
        for (int i = found; i >= 0 && i > found - 64; i--)
        {
            var s = _symbols[i];
            if (s.Size == 0 ? (i == found || s.Address == _symbols[found].Address) : address - s.Address < s.Size)
            {
                symbol = s;
                return true;
            }
        }
        symbol = default;
        return false;
    }

    /// <summary><c>name+0x12</c> (or <c>name</c> at offset 0), or null when no symbol covers it.</summary>
    public string? Describe(uint address)
    {
        if (!TryFind(address, out var s)) return null;
        uint off = address - s.Address;
        return off == 0 ? s.Name : $"{s.Name}+0x{off:x}";
    }

    /// <summary>The address of a symbol by exact name (the first one), or null.</summary>
    public uint? AddressOf(string name)
    {
        foreach (var s in _symbols)
            if (s.Name == name) return s.Address;
        return null;
    }
}
