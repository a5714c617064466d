using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// SHLD and SHRD (Intel SDM Vol. 2B), 16/32-bit, register or memory destination, source register,
/// imm8 or CL count masked to 5 bits. A masked count of 0 changes nothing (for CL decided at run
/// time, branch-free). CF = the last bit shifted out of the destination, SF/ZF/PF from the result,
/// OF defined for a count of 1 (sign change), AF undefined.
///
/// Undefined cases reproduce this project's test host (an AMD EPYC; DoubleShiftsTests.cs):
/// <list type="bullet">
/// <item>OF for counts &gt; 1: SHLD: MSB(result) xor CF; SHRD: MSB(result) xor the bit below it.</item>
/// <item>16-bit, count 16: the result is the source; SHLD: CF = bit 0 of the destination, OF = CF;
/// SHRD: CF = bit 15 of the destination, OF as above.</item>
/// <item>16-bit, count 17..31: the result is the source rotated by count-16 (left for SHLD, right
/// for SHRD), CF = 0; SHLD: OF = 0, SHRD: OF as above.</item>
/// <item>AF: the host sets 1; we give 0 (as the lazy rules do for shifts).</item>
/// </list>
/// The flags are recorded with the lazy kind Shr, used here as a carrier for independently
/// computed CF and OF: Src1 = CF (its bit 0 is what the rule reads), Src2 = OF in the top bit.
/// </summary>
public static class DoubleShifts
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Shld, cx => DoubleShift(cx, left: true));
        table.Add(Mnemonic.Shrd, cx => DoubleShift(cx, left: false));
    }

    private static void DoubleShift(LiftContext cx, bool left)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int bits = size * 8;
        ShiftCount count = ShiftCount.Read(cx, 2);
        if (count.IsConstantZero)
        {
            if (cx.IsMemory(0)) cx.Read(0, size);
            return;
        }

        int dst = cx.Read(0, size);
        int src = cx.Read(1, size);
        int c = count.AsTemp(b);
        int res, cf, of;
        if (size == 4)
        {
            // c is 1..31 when it matters; (32 - c) & 31 keeps the unused zero-count case in range.
            int back = b.And(b.Sub(b.Const(32), c), 31u);
            if (left)
            {
                res = b.Or(b.Shl(dst, c), b.Shr(src, back));
                cf = b.And(b.Shr(dst, back), 1u);
                of = b.Xor(b.ShrImm(res, 31), cf);
            }
            else
            {
                res = b.Or(b.Shr(dst, c), b.Shl(src, back));
                cf = b.And(b.Shr(dst, b.And(b.Sub(c, b.Const(1)), 31u)), 1u);
                of = TopTwoBitsDiffer(b, res, 32);
            }
        }
        else
        {
            // 16-bit: shift the 32-bit pair dst:src (SHLD) or src:dst (SHRD) by c when c <= 16;
            // for c > 16 the host shifts src:src by c - 16 and clears CF (see the class comment).
            int big = b.ULt(b.Const(16), c);
            int s = b.Select(big, b.Sub(c, b.Const(16)), c); // 0..16
            int srcSrc = b.Or(b.ShlImm(src, 16), src);
            int zeroBit = b.Const(0);
            if (left)
            {
                int pair = b.Select(big, srcSrc, b.Or(b.ShlImm(dst, 16), src));
                res = b.And(b.ShrImm(b.Shl(pair, s), 16), 0xFFFFu);
                int lastOut = b.And(b.Shr(pair, b.And(b.Sub(b.Const(32), s), 31u)), 1u);
                cf = b.Select(big, zeroBit, lastOut);
                int oneBitOf = b.Xor(b.ShrImm(res, 15), cf);
                of = b.Select(big, zeroBit, b.Select(b.Eq(c, b.Const(16)), cf, oneBitOf));
            }
            else
            {
                int pair = b.Select(big, srcSrc, b.Or(b.ShlImm(src, 16), dst));
                res = b.And(b.Shr(pair, s), 0xFFFFu);
                int lastOut = b.And(b.Shr(pair, b.And(b.Sub(s, b.Const(1)), 31u)), 1u);
                cf = b.Select(big, zeroBit, lastOut);
                of = TopTwoBitsDiffer(b, res, 16);
            }
        }

        int src2 = b.ShlImm(of, bits - 1);
        if (count.IsConstant)
        {
            cx.Write(0, res);
            cx.SetFlags(CcKind.Shr, size, res, cf, src2);
            return;
        }
        int zero = b.Eq(count.Temp, b.Const(0));
        cx.Write(0, b.Select(zero, dst, res));
        ShiftFlags.SetLazyUnlessZero(cx, zero, CcKind.Shr, size, res, cf, src2);
    }

    private static int TopTwoBitsDiffer(IrBuilder b, int value, int bits) =>
        b.And(b.Xor(b.ShrImm(value, bits - 1), b.ShrImm(value, bits - 2)), 1u);
}
