using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// SHL/SAL, SHR, SAR (Intel SDM Vol. 2B, "SAL/SAR/SHL/SHR"), 8/16/32-bit, register or memory
/// destination, count 1, imm8 or CL. The count is masked to 5 bits; a masked count of 0 changes
/// neither the destination nor any flag (with CL that is decided at run time, branch-free, by
/// <see cref="ShiftFlags.SetLazyUnlessZero"/>).
///
/// Flags use the lazy kinds Shl/Shr/Sar with Src1 = the value shifted by count-1, computed at the
/// full 32-bit width and then masked, so counts at or above the operand size (8/16-bit operands
/// take counts up to 31) give what the hardware gives: CF = the last bit shifted out (0 for
/// SHL/SHR once everything is shifted out, the sign for SAR). Undefined flags, as checked on this
/// project's test host (an AMD EPYC; tests/.../ShiftsTests.cs): OF for counts &gt; 1 is the one-bit
/// formula applied to the last step (SHL: CF xor MSB(result); SHR: MSB of the value shifted by
/// count-1, which is why Src2 gets that value rather than the original; SAR: 0), which is what
/// the host produces. AF: the host sets AF = 1 after a shift with a nonzero count; the lazy rule
/// (chosen after Intel Core processors, see <see cref="LazyFlags"/>) gives 0, and we keep that.
/// </summary>
public static class Shifts
{
    public static void AddTo(LifterTable table)
    {
        // SAL is SHL; Iced names the undocumented /6 encoding (D0-D3 /6, C0-C1 /6) Sal.
        table.Add(cx => Shift(cx, CcKind.Shl), Mnemonic.Shl, Mnemonic.Sal);
        table.Add(Mnemonic.Shr, cx => Shift(cx, CcKind.Shr));
        table.Add(Mnemonic.Sar, cx => Shift(cx, CcKind.Sar));
    }

    private static void Shift(LiftContext cx, CcKind kind)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        uint mask = CcOp.Mask(size);
        ShiftCount count = ShiftCount.Read(cx, 1);
        if (count.IsConstantZero)
        {
            // Nothing changes; the memory operand is still read (a fault stays a fault).
            if (cx.IsMemory(0)) cx.Read(0, size);
            return;
        }

        int dst = cx.Read(0, size);
        // count-1 is in 0..30 whenever the count is nonzero; with a zero CL count the masked value
        // (31) is harmless because the result is not used.
        int countMinus1 = count.IsConstant ? b.Const(count.Constant - 1) : b.And(b.Sub(count.Temp, b.Const(1)), 31u);
        int prev, res;
        switch (kind)
        {
            case CcKind.Shl:
                prev = b.Shl(dst, countMinus1);
                if (size != 4) prev = b.And(prev, mask);
                res = b.ShlImm(prev, 1);
                if (size != 4) res = b.And(res, mask);
                break;
            case CcKind.Shr:
                prev = b.Shr(dst, countMinus1);
                res = b.ShrImm(prev, 1);
                break;
            default: // Sar: shift the sign-extended value, then mask.
                int signed = ShiftFlags.SignExtend(b, dst, size);
                int p = b.Sar(signed, countMinus1);
                int r = b.SarImm(p, 1);
                prev = size == 4 ? p : b.And(p, mask);
                res = size == 4 ? r : b.And(r, mask);
                break;
        }

        if (count.IsConstant)
        {
            cx.Write(0, res);
            cx.SetFlags(kind, size, res, prev, prev);
            return;
        }
        int zero = b.Eq(count.Temp, b.Const(0));
        cx.Write(0, b.Select(zero, dst, res));
        ShiftFlags.SetLazyUnlessZero(cx, zero, kind, size, res, prev, prev);
    }
}

/// <summary>A shift or rotate count: an immediate (masked at translation time) or CL (masked to
/// 5 bits at run time).</summary>
internal readonly record struct ShiftCount(bool IsConstant, int Constant, int Temp)
{
    public bool IsConstantZero => IsConstant && Constant == 0;

    public static ShiftCount Read(LiftContext cx, int op)
    {
        if (cx.Insn.GetOpKind(op) == OpKind.Register)
            return new ShiftCount(false, 0, cx.B.And(cx.ReadRegister(cx.Insn.GetOpRegister(op)), 31u));
        return new ShiftCount(true, (int)(cx.Insn.GetImmediate(op) & 31), -1);
    }

    /// <summary>The count as a temp (a constant for an immediate count).</summary>
    public int AsTemp(IrBuilder b) => IsConstant ? b.Const(Constant) : Temp;
}

/// <summary>Flag updates shared by the shift, rotate and double-shift lifters.</summary>
internal static class ShiftFlags
{
    public static int SignExtend(IrBuilder b, int v, int size) => size switch
    {
        1 => b.Unary(Opcode.Sext8, v),
        2 => b.Unary(Opcode.Sext16, v),
        _ => v,
    };

    /// <summary>Records a lazy flag operation unless <paramref name="zero"/> (an I32 0/1 known only
    /// at run time) is set, in which case every lazy field keeps its old value. Branch-free: each
    /// field the new kind needs is stored as a Select between the value in CpuState (which always
    /// holds the current flags: SetFlags and CurrentFlags store what they record) and the new one;
    /// fields the new kind does not use are left alone, so the old kind still finds its own (CcAux
    /// of ADC/INC/DEC, CcSrc2 of the non-Shr kinds). What the flags are is then unknown at
    /// translation time, so the next reader evaluates them from CpuState.</summary>
    public static void SetLazyUnlessZero(LiftContext cx, int zero, CcKind kind, int size, int res, int src1, int src2)
    {
        IrBuilder b = cx.B;
        void Field(int offset, int value) => b.StoreState(offset, b.Select(zero, b.LoadState(offset), value));
        Field(CpuState.OffCcOp, b.Const(CcOp.Make(kind, size)));
        Field(CpuState.OffCcRes, res);
        Field(CpuState.OffCcSrc1, src1);
        if (kind == CcKind.Shr) Field(CpuState.OffCcSrc2, src2);
        cx.ForgetFlags();
    }

    /// <summary>Sets the arithmetic flags under <paramref name="mask"/> to <paramref name="bits"/>
    /// (EFLAGS bit positions), keeping the others; when <paramref name="zero"/> is a temp (not -1)
    /// and nonzero at run time, all flags keep their old values. The flags stay known (as bits).</summary>
    public static void SetBitsUnlessZero(LiftContext cx, int zero, int bits, uint mask)
    {
        IrBuilder b = cx.B;
        int old = cx.ArithmeticFlags();
        int merged = b.Or(b.And(old, ~mask), b.And(bits, mask));
        if (zero >= 0) merged = b.Select(zero, old, merged);
        cx.SetFlagsMaterialized(merged);
    }
}
