using System.Runtime.InteropServices;

namespace Transmeta.IR;

/// <summary>
/// What a compiled block receives: a pointer to this struct, in native memory, owned by the VMM.
/// Generated code reads guest state through <see cref="State"/>, translates guest addresses
/// through the soft TLB arrays (inline hit path), and calls the slow paths on a miss. The field
/// order is a contract with every backend (the LLVM backend addresses the fields by offset).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct RuntimeContext
{
    /// <summary>Guest CPU state (layout owned by the frontend).</summary>
    public byte* State;
    /// <summary>Soft TLB for reads, <see cref="SoftTlbLayout.Entries"/> entries.</summary>
    public TlbEntry* ReadTlb;
    /// <summary>Soft TLB for writes; pages holding translated code or MMIO are never in it.</summary>
    public TlbEntry* WriteTlb;
    /// <summary>Set by slow paths and helpers: <see cref="StatusOk"/>, <see cref="StatusFault"/>
    /// (the guest fault is recorded in guest state; leave the block at the faulting instruction)
    /// or <see cref="StatusCodeModified"/> (translated code was overwritten; leave the block after
    /// the current instruction).</summary>
    public int Status;
    private int _pad;
    /// <summary>Slow-path read: (ctx, linear address, size 1/2/4) → zero-extended value.</summary>
    public delegate*<RuntimeContext*, uint, int, uint> ReadSlow;
    /// <summary>Slow-path write: (ctx, linear address, size, value).</summary>
    public delegate*<RuntimeContext*, uint, int, uint, void> WriteSlow;
    /// <summary>The same two slow paths with the platform calling convention, for native code.</summary>
    public nint ReadSlowUnmanaged;
    public nint WriteSlowUnmanaged;
    /// <summary>A GCHandle to the object that owns this context (the VMM's memory system).</summary>
    public nint Owner;
    /// <summary>The unit chain table (<see cref="ChainTableLayout"/>), or null when chaining is
    /// off: native code that leaves with <see cref="BlockExit.Jump"/> looks its next PC up here
    /// and tail-calls that unit's code instead of returning to the dispatcher.</summary>
    public ChainEntry* ChainTable;
    /// <summary>The slow path of <see cref="Opcode.MemProbe"/> when the soft TLB misses: (ctx,
    /// linear address, length, <see cref="ProbeRights"/>) → the host address of the first byte,
    /// with the TLB filled so the next probe hits, or 0 when the range is not plain RAM for that
    /// access. Never faults.</summary>
    public delegate*<RuntimeContext*, uint, uint, int, nint> ProbeSlow;
    /// <summary>The same with the platform calling convention, for native code.</summary>
    public nint ProbeSlowUnmanaged;

    public const int StatusOk = 0;
    public const int StatusFault = 1;
    public const int StatusCodeModified = 2;

    public static readonly int OffsetState = (int)Marshal.OffsetOf<RuntimeContext>(nameof(State));
    public static readonly int OffsetReadTlb = (int)Marshal.OffsetOf<RuntimeContext>(nameof(ReadTlb));
    public static readonly int OffsetWriteTlb = (int)Marshal.OffsetOf<RuntimeContext>(nameof(WriteTlb));
    public static readonly int OffsetStatus = (int)Marshal.OffsetOf<RuntimeContext>(nameof(Status));
    public static readonly int OffsetChainTable = (int)Marshal.OffsetOf<RuntimeContext>(nameof(ChainTable));
    public static readonly int OffsetProbeSlowUnmanaged = (int)Marshal.OffsetOf<RuntimeContext>(nameof(ProbeSlowUnmanaged));
}

/// <summary>One soft-TLB entry: a guest linear page and the value that, added to a linear
/// address in that page, gives the host address of the byte.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TlbEntry
{
    /// <summary>Linear page address (low 12 bits zero), or <see cref="SoftTlbLayout.InvalidTag"/>.</summary>
    public uint Tag;
    private uint _pad;
    public nint Addend;
}

/// <summary>
/// The soft TLB geometry every backend's inline hit path assumes. The hit test is
/// <c>(addr &amp; (PageMask | (size - 1))) == entry.Tag</c>: it checks the page and that the access
/// is aligned, so an access that could cross a page always takes the slow path.
/// </summary>
public static class SoftTlbLayout
{
    public const int PageBits = 12;
    public const uint PageSize = 1u << PageBits;
    public const uint PageMask = ~(PageSize - 1);
    public const int Entries = 1024;
    public const uint IndexMask = Entries - 1;
    /// <summary>Has low bits set that no masked address has, so it never matches.</summary>
    public const uint InvalidTag = 0xFFF;
    public const int EntrySize = 16;
    public const int OffsetTag = 0;
    public const int OffsetAddend = 8;
}
