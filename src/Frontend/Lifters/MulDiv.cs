using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV (Intel SDM Vol. 2A/2B), 8/16/32-bit,
/// register or memory source.
///
/// MUL/IMUL: one-operand forms write AX (8-bit), DX:AX (16) or EDX:EAX (32); the two- and
/// three-operand IMUL forms keep the low half. CF = OF = 1 when the high half is significant
/// (MUL: nonzero; IMUL: not the sign extension of the low half), recorded with the lazy kind Mul.
/// SF, ZF, AF, PF are undefined: the lazy rule gives SF/ZF/PF from the low half and AF = 0 (as
/// Intel Core processors do). This project's test host (an AMD EPYC) leaves those four unchanged
/// instead; matching it would mean evaluating the old flags on every multiply, so we don't.
///
/// DIV/IDIV: AX / r/m8 → AL quotient, AH remainder; DX:AX / r/m16 → AX, DX; EDX:EAX / r/m32 →
/// EAX, EDX (64-bit IR arithmetic). A zero divisor or a quotient that does not fit (including
/// IDIV of the most negative dividend by -1) raises #DE before any register is written; the IR's
/// division never sees a zero divisor (it is replaced by 1 on the faulting path). All six flags
/// are undefined after DIV/IDIV and differ between processors (the test host changes PF/ZF/SF/AF
/// as a function we did not model): we leave them unchanged.
/// </summary>
public static class MulDiv
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Mul, cx => MulWide(cx, signed: false));
        table.Add(Mnemonic.Imul, Imul);
        table.Add(Mnemonic.Div, cx => Divide(cx, signed: false));
        table.Add(Mnemonic.Idiv, cx => Divide(cx, signed: true));
    }

    private static void Imul(LiftContext cx)
    {
        if (cx.Insn.OpCount == 1) MulWide(cx, signed: true);
        else ImulTruncating(cx);
    }

    /// <summary>One-operand MUL/IMUL: accumulator times r/m into the double-width accumulator.</summary>
    private static void MulWide(LiftContext cx, bool signed)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int src = cx.Read(0, size);
        int acc = cx.ReadGpr(0, size);
        int lo, hi, significant;
        if (size == 4)
        {
            Opcode widen = signed ? Opcode.SextTo64 : Opcode.ZextTo64;
            int product = b.Mul(b.Unary(widen, acc), b.Unary(widen, src));
            lo = b.Unary(Opcode.Trunc, product);
            hi = b.Unary(Opcode.Trunc, b.Shr(product, b.Const(32)));
            significant = signed
                ? b.Ne(b.Unary(Opcode.SextTo64, lo), product)
                : b.Ne(hi, b.Const(0));
        }
        else
        {
            // 8x8 and 16x16 products fit in 32 bits (signed ones as two's complement).
            int bits = size * 8;
            uint mask = CcOp.Mask(size);
            int product = signed
                ? b.Mul(ShiftFlags.SignExtend(b, acc, size), ShiftFlags.SignExtend(b, src, size))
                : b.Mul(acc, src);
            lo = b.And(product, mask);
            hi = b.And(b.ShrImm(product, bits), mask);
            significant = signed
                ? b.Ne(ShiftFlags.SignExtend(b, lo, size), product)
                : b.Ne(hi, b.Const(0));
        }

        if (size == 1)
        {
            cx.WriteGpr(0, 2, b.Or(lo, b.ShlImm(hi, 8)));
        }
        else
        {
            cx.WriteGpr(0, size, lo);
            cx.WriteGpr(2, size, hi);
        }
        cx.SetFlags(CcKind.Mul, size, lo, significant);
    }

    /// <summary>IMUL r, r/m and IMUL r, r/m, imm: the low half of the signed product.</summary>
    private static void ImulTruncating(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int a = cx.Read(cx.Insn.OpCount == 3 ? 1 : 0, size);
        int c = cx.Read(cx.Insn.OpCount == 3 ? 2 : 1, size);
        int lo, significant;
        if (size == 4)
        {
            int product = b.Mul(b.Unary(Opcode.SextTo64, a), b.Unary(Opcode.SextTo64, c));
            lo = b.Unary(Opcode.Trunc, product);
            significant = b.Ne(b.Unary(Opcode.SextTo64, lo), product);
        }
        else
        {
            int product = b.Mul(ShiftFlags.SignExtend(b, a, size), ShiftFlags.SignExtend(b, c, size));
            lo = b.And(product, CcOp.Mask(size));
            significant = b.Ne(ShiftFlags.SignExtend(b, lo, size), product);
        }
        cx.Write(0, lo);
        cx.SetFlags(CcKind.Mul, size, lo, significant);
    }

    private static void Divide(LiftContext cx, bool signed)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int divisor = cx.Read(0, size);
        int divisorIsZero = b.Eq(divisor, b.Const(0));

        if (size == 4)
        {
            // EDX:EAX / r/m32 in 64-bit arithmetic.
            int dividend = b.Or(b.Shl(b.Unary(Opcode.ZextTo64, cx.GetReg32(2)), b.Const(32)),
                                b.Unary(Opcode.ZextTo64, cx.GetReg32(0)));
            int d = b.Unary(signed ? Opcode.SextTo64 : Opcode.ZextTo64, b.Select(divisorIsZero, b.Const(1), divisor));
            int q = b.Binary(signed ? Opcode.SDiv : Opcode.UDiv, dividend, d);
            int r = b.Binary(signed ? Opcode.SRem : Opcode.URem, dividend, d);
            // Unsigned: q must be below 2^32. Signed: q + 2^31 (mod 2^64) must be below 2^32, which
            // also catches MIN / -1 (the IR wraps it to MIN).
            int biased = signed ? b.Add(q, b.Const64(0x8000_0000)) : q;
            int overflow = b.ULt(b.Const64(0xFFFF_FFFF), biased);
            cx.FaultIf(b.Or(divisorIsZero, overflow), ExceptionVectors.DivideError);
            cx.SetReg32(0, b.Unary(Opcode.Trunc, q));
            cx.SetReg32(2, b.Unary(Opcode.Trunc, r));
            return;
        }

        // 8-bit: AX / r/m8; 16-bit: DX:AX / r/m16. The dividend fits in 32 bits.
        int bits = size * 8;
        uint mask = CcOp.Mask(size);
        int dividend32 = size == 1
            ? cx.ReadGpr(0, 2)
            : b.Or(b.ShlImm(cx.ReadGpr(2, 2), 16), cx.ReadGpr(0, 2));
        int safeDivisor = b.Select(divisorIsZero, b.Const(1), divisor);
        int quotient, remainder, overflow32;
        if (signed)
        {
            int n = size == 1 ? b.Unary(Opcode.Sext16, dividend32) : dividend32;
            int dv = ShiftFlags.SignExtend(b, safeDivisor, size);
            quotient = b.Binary(Opcode.SDiv, n, dv);   // 16-bit MIN / -1 wraps to MIN: caught below
            remainder = b.Binary(Opcode.SRem, n, dv);
            // The quotient must lie in [-2^(bits-1), 2^(bits-1) - 1].
            overflow32 = b.ULt(b.Const(mask), b.Add(quotient, b.Const(1u << (bits - 1))));
        }
        else
        {
            quotient = b.Binary(Opcode.UDiv, dividend32, safeDivisor);
            remainder = b.Binary(Opcode.URem, dividend32, safeDivisor);
            overflow32 = b.ULt(b.Const(mask), quotient);
        }
        cx.FaultIf(b.Or(divisorIsZero, overflow32), ExceptionVectors.DivideError);
        quotient = b.And(quotient, mask);
        remainder = b.And(remainder, mask);
        if (size == 1)
        {
            cx.WriteGpr(0, 2, b.Or(quotient, b.ShlImm(remainder, 8)));
        }
        else
        {
            cx.WriteGpr(0, 2, quotient);
            cx.WriteGpr(2, 2, remainder);
        }
    }
}
