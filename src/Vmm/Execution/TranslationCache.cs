using Transmeta.IR;

namespace Transmeta.Vmm.Execution;

/// <summary>
/// Compiled blocks keyed by the physical address of their first instruction and the decode-mode
/// bits, with an index from physical page to the blocks that read it so a write to a code page
/// drops exactly those blocks. A small direct-mapped "jump cache" by guest EIP sits in front,
/// so the dispatcher's common lookup is one array read and two compares (like QEMU's tb_jmp_cache).
/// </summary>
public sealed class TranslationCache
{
    private const int JumpCacheBits = 14;
    private const uint JumpCacheMask = (1u << JumpCacheBits) - 1;

    private readonly Dictionary<ulong, CachedBlock> _blocks = new();
    private readonly Dictionary<uint, List<ulong>> _byPage = new();
    private readonly CachedBlock?[] _jumpCache = new CachedBlock?[1 << JumpCacheBits];

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long Invalidations { get; private set; }
    public long BlocksInvalidated { get; private set; }
    public int Count => _blocks.Count;

    public IEnumerable<CachedBlock> Blocks => _blocks.Values;

    /// <summary>The native mirror of the jump cache for units generated code can chain into; a
    /// dropped block leaves it with the block.</summary>
    public UnitChainTable Chain { get; } = new();

    public static ulong Key(uint physical, uint modeKey) => physical | (ulong)modeKey << 32;

    /// <summary>Fast lookup by linear EIP (valid while the linear→physical map is unchanged).</summary>
    public CachedBlock? LookupFast(uint eip, uint modeKey)
    {
        CachedBlock? b = _jumpCache[(eip ^ (eip >> JumpCacheBits)) & JumpCacheMask];
        if (b is not null && b.LinearAddress == eip && b.ModeKey == modeKey)
        {
            Hits++;
            return b;
        }
        return null;
    }

    public CachedBlock? Lookup(uint eip, uint physical, uint modeKey)
    {
        if (_blocks.TryGetValue(Key(physical, modeKey), out CachedBlock? b) && b.LinearAddress == eip)
        {
            Hits++;
            _jumpCache[(eip ^ (eip >> JumpCacheBits)) & JumpCacheMask] = b;
            return b;
        }
        Misses++;
        return null;
    }

    public void Add(CachedBlock block)
    {
        ulong key = Key(block.PhysicalAddress, block.ModeKey);
        if (_blocks.TryGetValue(key, out CachedBlock? old)) Remove(old);
        _blocks[key] = block;
        foreach (uint page in block.PhysicalPages)
        {
            if (!_byPage.TryGetValue(page, out List<ulong>? list)) _byPage[page] = list = new List<ulong>();
            list.Add(key);
        }
        _jumpCache[(block.LinearAddress ^ (block.LinearAddress >> JumpCacheBits)) & JumpCacheMask] = block;
    }

    /// <summary>Replaces a block's compiled code (a higher tier) without changing its identity.</summary>
    public void Replace(CachedBlock block, CompiledBlock code) => block.Code = code;

    /// <summary>Drops every block that read physical page <paramref name="page"/>.</summary>
    public void InvalidatePage(uint page)
    {
        if (!_byPage.Remove(page, out List<ulong>? keys)) return;
        Invalidations++;
        foreach (ulong key in keys)
            if (_blocks.TryGetValue(key, out CachedBlock? b)) Remove(b);
    }

    private void Remove(CachedBlock b)
    {
        _blocks.Remove(Key(b.PhysicalAddress, b.ModeKey));
        b.Invalid = true;
        BlocksInvalidated++;
        uint slot = (b.LinearAddress ^ (b.LinearAddress >> JumpCacheBits)) & JumpCacheMask;
        if (ReferenceEquals(_jumpCache[slot], b)) _jumpCache[slot] = null;
        Chain.Forget(b.LinearAddress);
    }

    public void Clear()
    {
        foreach (CachedBlock b in _blocks.Values) b.Invalid = true;
        _blocks.Clear();
        _byPage.Clear();
        Array.Clear(_jumpCache);
        Chain.Clear();
    }
}

/// <summary>A translated block in the cache, with what the profiler and the tiers need.</summary>
public sealed class CachedBlock
{
    public CachedBlock(uint linear, uint physical, uint modeKey, uint[] pages, CompiledBlock code, IrBlock ir)
    {
        LinearAddress = linear;
        PhysicalAddress = physical;
        ModeKey = modeKey;
        PhysicalPages = pages;
        Code = code;
        Ir = ir;
    }

    public uint LinearAddress { get; }
    public uint PhysicalAddress { get; }
    public uint ModeKey { get; }
    public uint[] PhysicalPages { get; }
    public CompiledBlock Code { get; set; }
    public IrBlock Ir { get; }
    public long Executions { get; set; }
    public bool Invalid { get; set; }
    /// <summary>Index of the tier whose code <see cref="Code"/> is (tiered execution).</summary>
    public int Tier { get; set; }
    /// <summary>Guest instructions retired while running this block (tiered execution).</summary>
    public long RetiredInside { get; set; }
    public bool PromotionPending { get; set; }
    public bool PromotionFailed { get; set; }
    /// <summary>The next tier declined the unit (<see cref="ISelectiveBlockCompiler"/>): it stays.</summary>
    public bool PromotionDeclined { get; set; }
    public int GuestInstructions => Ir.GuestInstructionCount;
}
