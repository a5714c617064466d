using System.Runtime.CompilerServices;

namespace Transmeta.IR;

/// <summary>
/// Guest memory access through the soft TLB, for code written in C# (the interpreter and
/// helpers). Compiled backends inline the same hit test in their generated code.
/// </summary>
public static unsafe class GuestMemoryAccess
{
    /// <summary>The soft-TLB entry that maps <paramref name="address"/>'s page, if any does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TlbEntry* Entry(TlbEntry* tlb, uint address) => tlb + ((address >> SoftTlbLayout.PageBits) & SoftTlbLayout.IndexMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read(RuntimeContext* ctx, uint address, int size)
    {
        TlbEntry* e = Entry(ctx->ReadTlb, address);
        if ((address & (SoftTlbLayout.PageMask | (uint)(size - 1))) == e->Tag)
        {
            byte* p = (byte*)(e->Addend + (nint)address);
            return size switch { 1 => *p, 2 => *(ushort*)p, _ => *(uint*)p };
        }
        return ctx->ReadSlow(ctx, address, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(RuntimeContext* ctx, uint address, int size, uint value)
    {
        TlbEntry* e = Entry(ctx->WriteTlb, address);
        if ((address & (SoftTlbLayout.PageMask | (uint)(size - 1))) == e->Tag)
        {
            byte* p = (byte*)(e->Addend + (nint)address);
            switch (size)
            {
                case 1: *p = (byte)value; break;
                case 2: *(ushort*)p = (ushort)value; break;
                default: *(uint*)p = value; break;
            }
            return;
        }
        ctx->WriteSlow(ctx, address, size, value);
    }

    /// <summary>An 8-byte read (the x87's m64 operands): one access when it is 4-byte aligned
    /// within one page (the hit test on its last word: aligned, and in the entry's page), else
    /// two 4-byte reads through the slow path, the low one first (as two 4-byte loads would
    /// fault).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read64(RuntimeContext* ctx, uint address)
    {
        TlbEntry* e = Entry(ctx->ReadTlb, address);
        if (((address + 4) & (SoftTlbLayout.PageMask | 3)) == e->Tag) return *(ulong*)(e->Addend + (nint)address);
        return ReadSlow64(ctx, address);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong ReadSlow64(RuntimeContext* ctx, uint address)
    {
        uint lo = ctx->ReadSlow(ctx, address, 4);
        if (ctx->Status == RuntimeContext.StatusFault) return 0;
        return lo | (ulong)ctx->ReadSlow(ctx, address + 4, 4) << 32;
    }

    /// <summary>An 8-byte write: one access, or two 4-byte slow writes (the low one first). The
    /// caller makes sure an access that crosses into a page that faults writes nothing (the x87
    /// lifters check the second page first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write64(RuntimeContext* ctx, uint address, ulong value)
    {
        TlbEntry* e = Entry(ctx->WriteTlb, address);
        if (((address + 4) & (SoftTlbLayout.PageMask | 3)) == e->Tag)
        {
            *(ulong*)(e->Addend + (nint)address) = value;
            return;
        }
        WriteSlow64(ctx, address, value);
    }

    /// <summary>A write's status (code modified) stays for the caller's check; a fault in the
    /// low half stops it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WriteSlow64(RuntimeContext* ctx, uint address, ulong value)
    {
        ctx->WriteSlow(ctx, address, 4, (uint)value);
        if (ctx->Status == RuntimeContext.StatusFault) return;
        int first = ctx->Status;
        ctx->WriteSlow(ctx, address + 4, 4, (uint)(value >> 32));
        if (ctx->Status == RuntimeContext.StatusOk) ctx->Status = first;
    }

    /// <summary><see cref="Opcode.MemProbe"/>: the host address of <paramref name="address"/>
    /// when the <paramref name="length"/> bytes from it lie in one page that the soft TLB maps
    /// for every access in <paramref name="rights"/>; else the context's slow path decides (a
    /// range over two pages, a miss).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Probe(RuntimeContext* ctx, uint address, uint length, int rights)
    {
        uint page = address & SoftTlbLayout.PageMask;
        if ((address & ~SoftTlbLayout.PageMask) + length <= SoftTlbLayout.PageSize)
        {
            TlbEntry* r = Entry(ctx->ReadTlb, address), w = Entry(ctx->WriteTlb, address);
            bool hit = ((rights & (int)ProbeRights.Read) == 0 || r->Tag == page)
                && ((rights & (int)ProbeRights.Write) == 0 || w->Tag == page);
            if (hit) return ((rights & (int)ProbeRights.Read) != 0 ? r->Addend : w->Addend) + (nint)address;
        }
        return ctx->ProbeSlow(ctx, address, length, rights);
    }
}
