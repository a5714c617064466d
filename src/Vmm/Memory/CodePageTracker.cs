using System.Numerics;
using System.Runtime.CompilerServices;

namespace Transmeta.Vmm.Memory;

/// <summary>
/// One bit per 4 KiB physical page of guest RAM: set when the translation cache holds a block
/// translated from that page.
/// </summary>
/// <remarks>
/// Why: translated blocks are keyed by physical address (design.md, "Translation cache"), so a guest
/// store into a page that holds translated code must invalidate that page's translations, or
/// self-modifying code and code loaded over old code (module loading, exec) would keep running the
/// stale translation. The store paths ask <see cref="IsCode"/> on every write that misses the fast
/// path, so the check is a shift, a mask and one array load. Keeping this a plain data structure
/// (no callbacks) leaves the policy — what to invalidate, when to re-protect — to the execution
/// engine.
/// <para>Pages are page numbers (physical address >> 12), as in a 32-bit non-PAE page frame number
/// (Intel SDM Vol. 3A §4.3). Not thread-safe; owned by the thread running the guest.</para>
/// </remarks>
public sealed class CodePageTracker
{
    public const int PageShift = 12;

    private readonly uint[] _bits;
    private int _count;

    /// <summary>Creates a tracker covering <paramref name="ramSizeBytes"/> of RAM (rounded up to a page).</summary>
    public CodePageTracker(uint ramSizeBytes)
    {
        PageCount = (uint)(((ulong)ramSizeBytes + GuestRam.PageSize - 1) >> PageShift);
        _bits = new uint[(PageCount + 31) / 32];
    }

    /// <summary>Creates a tracker covering all of <paramref name="ram"/>.</summary>
    public CodePageTracker(GuestRam ram) : this(ram.Size) { }

    /// <summary>Number of pages covered.</summary>
    public uint PageCount { get; }

    /// <summary>Number of pages currently marked.</summary>
    public int MarkedCount => _count;

    /// <summary>Marks a page as holding translated code.</summary>
    /// <exception cref="ArgumentOutOfRangeException">the page is not in RAM (no translation can come from there).</exception>
    public void MarkCode(uint page)
    {
        if (page >= PageCount)
            throw new ArgumentOutOfRangeException(nameof(page), page,
                $"page 0x{page:X5} is outside guest RAM ({PageCount} pages)");
        ref uint word = ref _bits[page >> 5];
        uint mask = 1u << (int)(page & 31);
        if ((word & mask) == 0)
        {
            word |= mask;
            _count++;
        }
    }

    /// <summary>True if the page is marked. Pages outside RAM are never code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsCode(uint page) =>
        page < PageCount && (_bits[page >> 5] & (1u << (int)(page & 31))) != 0;

    /// <summary>True if the page containing physical address <paramref name="phys"/> is marked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsCodeAddress(uint phys) => IsCode(phys >> PageShift);

    /// <summary>
    /// True if any page touched by [phys, phys + length) is marked — for stores and bulk writes that
    /// may straddle a page boundary. A zero length touches nothing.
    /// </summary>
    public bool RangeHasCode(uint phys, uint length)
    {
        if (length == 0)
            return false;
        uint first = phys >> PageShift;
        uint last = (uint)(((ulong)phys + length - 1) >> PageShift);
        for (uint p = first; p <= last && p < PageCount; p++)
        {
            if (IsCode(p))
                return true;
        }
        return false;
    }

    /// <summary>Unmarks a page (its translations were dropped). Pages outside RAM are ignored.</summary>
    public void ClearCode(uint page)
    {
        if (page >= PageCount)
            return;
        ref uint word = ref _bits[page >> 5];
        uint mask = 1u << (int)(page & 31);
        if ((word & mask) != 0)
        {
            word &= ~mask;
            _count--;
        }
    }

    /// <summary>Unmarks every page (the whole translation cache was flushed).</summary>
    public void ClearAll()
    {
        Array.Clear(_bits);
        _count = 0;
    }

    /// <summary>Marked page numbers in ascending order (diagnostics).</summary>
    public IEnumerable<uint> MarkedPages()
    {
        for (int w = 0; w < _bits.Length; w++)
        {
            uint word = _bits[w];
            while (word != 0)
            {
                int bit = BitOperations.TrailingZeroCount(word);
                yield return (uint)(w * 32 + bit);
                word &= word - 1;
            }
        }
    }
}
