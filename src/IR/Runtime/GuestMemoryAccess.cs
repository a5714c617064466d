using System.Runtime.CompilerServices;

namespace Transmeta.IR;

/// <summary>
/// Guest memory access through the soft TLB, for code written in C# (the interpreter and
/// helpers). Compiled backends inline the same hit test in their generated code.
/// </summary>
public static unsafe class GuestMemoryAccess
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read(RuntimeContext* ctx, uint address, int size)
    {
        TlbEntry* e = ctx->ReadTlb + ((address >> SoftTlbLayout.PageBits) & SoftTlbLayout.IndexMask);
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
        TlbEntry* e = ctx->WriteTlb + ((address >> SoftTlbLayout.PageBits) & SoftTlbLayout.IndexMask);
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
}
