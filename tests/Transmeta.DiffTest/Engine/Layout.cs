namespace Transmeta.DiffTest;

/// <summary>
/// The guest memory layout every sequence runs in, natively (tests/native-harness/harness.c has
/// the same constants) and under Transmeta: a code page and an 8 KiB data buffer at fixed
/// addresses that are free in a static i386 binary. Everything else is unmapped: an access
/// outside these pages faults on both sides. The guest stack lies inside the data buffer, so
/// everything a sequence pushes is compared.
/// </summary>
public static class Layout
{
    public const uint CodeBase = 0x0040_0000;
    public const uint CodeSize = 0x1000;
    /// <summary>Longest sequence in bytes (the harness appends a 5-byte jump).</summary>
    public const int MaxCode = (int)CodeSize - 16;
    public const uint DataBase = 0x0050_0000;
    public const uint DataSize = 0x2000;
    public const uint DataEnd = DataBase + DataSize;
    /// <summary>Initial ESP lies in [StackLow, StackHigh): at least 1.5 KiB of buffer below it.</summary>
    public const uint StackLow = DataBase + 0x1000;
    public const uint StackHigh = DataBase + 0x1800;

    /// <summary>EFLAGS bits a sequence may start with and that are compared (where defined):
    /// CF PF AF ZF SF OF, DF, IF (always 1: user mode cannot change it), NT and ID.</summary>
    public const uint StatusFlags = 0x8D5;
    public const uint DF = 0x400, IF = 0x200, NT = 0x4000, ID = 0x20_0000;
    public const uint ComparedFlags = StatusFlags | DF | IF | NT | ID;

    public static bool InData(uint address, uint size) =>
        address >= DataBase && size <= DataSize && address - DataBase <= DataSize - size;

    /// <summary>Unmapped pages on both sides of the buffer (and far from the code page): an
    /// access that touches them faults, natively and under Transmeta, which tests precise faults.</summary>
    public const uint Guard = 0x1000;

    /// <summary>Inside the buffer or its guard pages: either it works or it faults with #PF.</summary>
    public static bool InDataOrGuard(uint address, uint size) =>
        address >= DataBase - Guard && (ulong)address + size <= DataEnd + Guard;
}

/// <summary>splitmix64 (the harness uses the same generator for the data buffer).</summary>
public struct SplitMix64(ulong seed)
{
    private ulong _s = seed;

    public ulong Next()
    {
        ulong z = _s += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }

    public static ulong Mix(ulong a, ulong b) => new SplitMix64(a * 0x9E37_79B9_7F4A_7C15 ^ b).Next();
}

/// <summary>Random choices of the generator: every sequence is a function of (seed, index).</summary>
public sealed class Rng(ulong seed)
{
    private SplitMix64 _s = new(seed);

    public ulong NextU64() => _s.Next();
    public uint NextU32() => (uint)_s.Next();
    /// <summary>0 &lt;= result &lt; n.</summary>
    public int Next(int n) => (int)((_s.Next() >> 33) % (ulong)n);
    public int Range(int lo, int hiInclusive) => lo + Next(hiInclusive - lo + 1);
    public bool Chance(double p) => (_s.Next() >> 11) * (1.0 / (1ul << 53)) < p;
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}

/// <summary>Initial contents of the data buffer, and its hash: the same functions as the harness.</summary>
public static class DataFill
{
    private static readonly uint[] Special =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0xFFFFFFFE, 0x10000, 0x100, 0x55555555,
    ];

    public static void Fill(Span<uint> words, ulong seed, bool zero)
    {
        if (zero) { words.Clear(); return; }
        var s = new SplitMix64(seed);
        for (int i = 0; i < words.Length; i++)
        {
            ulong z = s.Next();
            uint lo = (uint)z;
            words[i] = (z >> 61) switch
            {
                4 => lo & 0xF,
                5 => Special[(z >> 32) & 15],
                6 => lo & 0xFF,
                7 => 0u - (lo & 0xF),
                _ => lo,
            };
        }
    }

    public static ulong Hash(ReadOnlySpan<ulong> words)
    {
        ulong h = 0xCBF2_9CE4_8422_2325;
        foreach (ulong w in words)
        {
            h = (h ^ w) * 0x100_0000_01B3;
            h ^= h >> 29;
        }
        return h;
    }
}
