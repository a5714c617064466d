using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// ROL, ROR, RCL, RCR (Intel SDM Vol. 2B, "RCL/RCR/ROL/ROR"), 8/16/32-bit, register or memory,
/// count 1, imm8 or CL. The count is masked to 5 bits; RCL/RCR then rotate by count mod 9 (8-bit)
/// or mod 17 (16-bit) through CF. Only CF and OF change, and only when the masked count is
/// nonzero (decided at run time for CL, branch-free); SF, ZF, AF and PF are never touched.
///
/// OF is defined only for a masked count of 1. For larger counts this lifter applies the one-bit
/// formula to the final result, which is what this project's test host (an AMD EPYC) was found to
/// do for every count (RotatesTests.cs): ROL/RCL: OF = MSB(result) xor CF; ROR/RCR: OF = MSB(result)
/// xor the bit below it. Also as on the host, a nonzero masked count that rotates by a multiple of
/// the width (ROL AL, 8; RCL AL, 9) still sets CF and OF from the (unchanged) result.
/// </summary>
public static class Rotates
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Rol, cx => Rotate(cx, left: true));
        table.Add(Mnemonic.Ror, cx => Rotate(cx, left: false));
        table.Add(Mnemonic.Rcl, cx => RotateThroughCarry(cx, left: true));
        table.Add(Mnemonic.Rcr, cx => RotateThroughCarry(cx, left: false));
    }

    private static void Rotate(LiftContext cx, bool left)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int bits = size * 8;
        uint mask = CcOp.Mask(size);
        ShiftCount count = ShiftCount.Read(cx, 1);
        if (count.IsConstantZero)
        {
            if (cx.IsMemory(0)) cx.Read(0, size);
            return;
        }

        int dst = cx.Read(0, size);
        // Rotate by c = count mod width: (x << c) | (x >> ((width - c) mod width)); with c = 0 both
        // halves are x, so every shift amount stays below the width.
        int c, back;
        if (count.IsConstant)
        {
            int k = count.Constant & (bits - 1);
            c = b.Const(k);
            back = b.Const((bits - k) & (bits - 1));
        }
        else
        {
            c = b.And(count.Temp, (uint)(bits - 1));
            back = b.And(b.Sub(b.Const(bits), c), (uint)(bits - 1));
        }
        int res = left ? b.Or(b.Shl(dst, c), b.Shr(dst, back)) : b.Or(b.Shr(dst, c), b.Shl(dst, back));
        if (size != 4) res = b.And(res, mask);

        int msb = b.ShrImm(res, bits - 1);
        int cf, of;
        if (left)
        {
            cf = b.And(res, 1u);
            of = b.Xor(msb, cf);
        }
        else
        {
            cf = msb;
            of = b.Xor(msb, b.And(b.ShrImm(res, bits - 2), 1u));
        }
        Finish(cx, count, dst, res, cf, of);
    }

    private static void RotateThroughCarry(LiftContext cx, bool left)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int bits = size * 8;
        int width = bits + 1; // CF is the extra bit
        ShiftCount count = ShiftCount.Read(cx, 1);
        if (count.IsConstantZero)
        {
            if (cx.IsMemory(0)) cx.Read(0, size);
            return;
        }

        int dst = cx.Read(0, size);
        int cfIn = cx.Flag(EflagsBits.CfBit);
        // c = count mod (width) in 0..width-1 (32-bit: the masked count is already below 33).
        int c;
        if (count.IsConstant) c = b.Const(count.Constant % width);
        else c = size == 4 ? count.Temp : b.Binary(Opcode.URem, count.Temp, b.Const(width));
        int back = b.Sub(b.Const(width), c); // 1..width: below 64

        // The (width)-bit value CF:dst in an I64, rotated within width bits.
        int w = b.Or(b.Unary(Opcode.ZextTo64, dst), b.Shl(b.Unary(Opcode.ZextTo64, cfIn), b.Const(bits)));
        int rotated = left ? b.Or(b.Shl(w, c), b.Shr(w, back)) : b.Or(b.Shr(w, c), b.Shl(w, back));
        int res = b.Unary(Opcode.Trunc, rotated);
        if (size != 4) res = b.And(res, CcOp.Mask(size));
        int cf = b.And(b.Unary(Opcode.Trunc, b.Shr(rotated, b.Const(bits))), 1u);

        int msb = b.ShrImm(res, bits - 1);
        int of = left ? b.Xor(msb, cf) : b.Xor(msb, b.And(b.ShrImm(res, bits - 2), 1u));
        Finish(cx, count, dst, res, cf, of);
    }

    /// <summary>Writes the result, then CF and OF (nothing when a CL count is zero).</summary>
    private static void Finish(LiftContext cx, ShiftCount count, int dst, int res, int cf, int of)
    {
        IrBuilder b = cx.B;
        int zero = count.IsConstant ? -1 : b.Eq(count.Temp, b.Const(0));
        cx.Write(0, zero < 0 ? res : b.Select(zero, dst, res));
        int bits = b.Or(cf, b.ShlImm(of, EflagsBits.OfBit));
        ShiftFlags.SetBitsUnlessZero(cx, zero, bits, EflagsBits.CF | EflagsBits.OF);
    }
}
