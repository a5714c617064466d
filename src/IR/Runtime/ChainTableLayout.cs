using System.Runtime.InteropServices;

namespace Transmeta.IR;

/// <summary>One entry of the unit chain table: a guest PC and the native entry point of the
/// unit that starts there (an <c>i32 (RuntimeContext*)</c> function), 0 when empty.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ChainEntry
{
    public uint Pc;
    private uint _pad;
    public nint Code;
}

/// <summary>
/// The unit chain table: a direct-mapped table by guest PC that lets native code go from one unit
/// to the next without returning to the dispatcher, the way QEMU's generated code follows
/// <c>lookup_and_goto_ptr</c>. The VMM owns it (fills it with units it has run, empties entries
/// whose unit is dropped, and all of it when the PC→unit mapping changes); generated code only
/// reads it, and only while retired &lt; deadline, so the instruction budget and tier promotion
/// still get the VMM back in time.
/// </summary>
public static class ChainTableLayout
{
    public const int Bits = 12;
    public const int Entries = 1 << Bits;
    public const uint IndexMask = Entries - 1;
    public const int EntrySize = 16;
    public const int OffsetPc = 0;
    public const int OffsetCode = 8;

    /// <summary>The slot of <paramref name="pc"/> (generated code computes the same).</summary>
    public static uint Index(uint pc) => (pc ^ (pc >> Bits)) & IndexMask;
}
