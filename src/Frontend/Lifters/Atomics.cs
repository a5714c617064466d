using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// XADD, CMPXCHG, CMPXCHG8B (Intel SDM Vol. 2). The guest has one CPU, so LOCK changes nothing
/// and the read-modify-write need not be atomic. A memory destination is written before any
/// register, so a faulting write leaves the registers as they were.
/// </summary>
public static class Atomics
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Xadd, Xadd);
        table.Add(Mnemonic.Cmpxchg, Cmpxchg);
        table.Add(Mnemonic.Cmpxchg8b, Cmpxchg8b);
    }

    /// <summary>XADD dst, src: temp = dst + src; src = dst; dst = temp; flags as ADD.
    /// With both operands the same register the sum wins (dst is written last).</summary>
    private static void Xadd(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int dst = cx.Read(0, size);
        int src = cx.Read(1, size);
        int sum = b.Add(dst, src);
        if (size != 4) sum = b.And(sum, CcOp.Mask(size));
        if (cx.IsMemory(0))
        {
            cx.Write(0, sum);
            cx.Write(1, dst);
        }
        else
        {
            cx.Write(1, dst);
            cx.Write(0, sum);
        }
        cx.SetFlags(CcKind.Add, size, sum, dst, src);
    }

    /// <summary>CMPXCHG dst, src: compare the accumulator with dst (flags as CMP acc, dst); if
    /// equal dst = src, else acc = dst. A memory destination is always written (with its old
    /// value on failure), as the processor does.</summary>
    private static void Cmpxchg(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int dst = cx.Read(0, size);
        int src = cx.Read(1, size);
        int acc = cx.ReadGpr(0, size);
        int equal = b.Eq(acc, dst);
        int newDst = b.Select(equal, src, dst);
        if (cx.IsMemory(0))
        {
            cx.Write(0, newDst);
            cx.WriteGpr(0, size, dst); // equal: dst == acc, so this keeps the accumulator
        }
        else
        {
            // The accumulator first: when dst is the accumulator itself, the compare always
            // succeeds and dst = src must win.
            cx.WriteGpr(0, size, dst);
            cx.Write(0, newDst);
        }
        int diff = b.Sub(acc, dst);
        if (size != 4) diff = b.And(diff, CcOp.Mask(size));
        cx.SetFlags(CcKind.Sub, size, diff, acc, dst);
    }

    /// <summary>CMPXCHG8B m64: if EDX:EAX == m64 then m64 = ECX:EBX, ZF = 1; else EDX:EAX = m64,
    /// ZF = 0 (and m64 is written back unchanged). The other flags are kept.</summary>
    private static void Cmpxchg8b(LiftContext cx)
    {
        IrBuilder b = cx.B;
        if (!cx.IsMemory(0)) throw new UnsupportedInstructionException("cmpxchg8b with a register operand");
        int address = cx.MemoryAddress();
        int high = b.Add(address, b.Const(4));
        int lo = cx.ReadMemory(4, address);
        int hi = cx.ReadMemory(4, high);
        int eax = cx.GetReg32(0), edx = cx.GetReg32(2);
        int equal = b.And(b.Eq(lo, eax), b.Eq(hi, edx));
        // An m64 that crosses a page could fault on its second half after the first was written,
        // and the restarted instruction would then compare against the new low half. Writing the
        // high half back unchanged first checks it is writable, so the real writes cannot fault.
        cx.WriteMemory(4, high, hi);
        cx.WriteMemory(4, address, b.Select(equal, cx.GetReg32(3), lo));
        cx.WriteMemory(4, high, b.Select(equal, cx.GetReg32(1), hi));
        // Equal: EDX:EAX already hold m64, so writing m64 to them is harmless.
        cx.SetReg32(0, lo);
        cx.SetReg32(2, hi);
        int flags = cx.ArithmeticFlags();
        cx.SetFlagsMaterialized(b.Or(b.And(flags, ~EflagsBits.ZF), b.ShlImm(equal, EflagsBits.ZfBit)));
    }
}
