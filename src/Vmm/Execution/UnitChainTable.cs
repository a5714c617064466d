using System.Runtime.InteropServices;
using Transmeta.IR;

namespace Transmeta.Vmm.Execution;

/// <summary>
/// The VMM's side of the unit chain table (<see cref="ChainTableLayout"/>): native memory that
/// generated code reads to go from one unit straight into the next. The dispatcher publishes a
/// unit after running it; the translation cache forgets a unit when it drops it, and the whole
/// table is emptied when the PC→unit mapping changes (a new decode mode).
/// </summary>
/// <remarks>
/// Only the VMM's thread writes the table, and only while no generated code runs or from a slow
/// path the running code called. The table holds raw code addresses, so it also holds the
/// compiled units themselves (<see cref="_owners"/>): a unit's native code lives as long as its
/// object. A unit dropped while generated code runs (a store to its code page, from inside the
/// chain) stays referenced until the dispatcher has control again (<see cref="ReleaseDropped"/>),
/// since the code still running may be that unit's.
/// </remarks>
public sealed unsafe class UnitChainTable : IDisposable
{
    private ChainEntry* _entries;
    private readonly CompiledBlock?[] _owners = new CompiledBlock?[ChainTableLayout.Entries];
    private readonly List<CompiledBlock> _dropped = new();

    public UnitChainTable()
    {
        _entries = (ChainEntry*)NativeMemory.AllocZeroed((nuint)(ChainTableLayout.Entries * sizeof(ChainEntry)));
    }

    public ChainEntry* Entries => _entries;

    /// <summary>Units published so far (statistics).</summary>
    public long Published { get; private set; }

    /// <summary>Makes <paramref name="code"/>, the unit at <paramref name="pc"/>, reachable from
    /// other units' code, if it can be tail-called.</summary>
    public void Publish(uint pc, CompiledBlock code)
    {
        nint entry = code.ChainEntry;
        if (entry == 0) return;
        uint i = ChainTableLayout.Index(pc);
        ref ChainEntry e = ref _entries[i];
        if (e.Pc == pc && e.Code == entry) return;
        if (_owners[i] is { } previous) _dropped.Add(previous);
        e.Code = 0; // never a moment with the new PC and the old code
        e.Pc = pc;
        e.Code = entry;
        _owners[i] = code;
        Published++;
    }

    /// <summary>Removes whatever is published for <paramref name="pc"/> (its unit was dropped;
    /// the entry may hold an older tier's code of the same unit).</summary>
    public void Forget(uint pc)
    {
        uint i = ChainTableLayout.Index(pc);
        if (_owners[i] is not { } owner || _entries[i].Pc != pc) return;
        _entries[i] = default;
        _dropped.Add(owner);
        _owners[i] = null;
    }

    /// <summary>Empties the table.</summary>
    public void Clear()
    {
        for (int i = 0; i < ChainTableLayout.Entries; i++)
        {
            if (_owners[i] is null) continue;
            _entries[i] = default;
            _dropped.Add(_owners[i]!);
            _owners[i] = null;
        }
    }

    /// <summary>Lets go of units dropped while generated code ran (dispatcher: no code runs now).</summary>
    public void ReleaseDropped()
    {
        if (_dropped.Count != 0) _dropped.Clear();
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~UnitChainTable() => Free();

    private void Free()
    {
        if (_entries is null) return;
        NativeMemory.Free(_entries);
        _entries = null;
    }
}
