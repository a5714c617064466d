using System.Numerics;

namespace Transmeta.Frontend.Flags;

/// <summary>
/// Evaluates the six arithmetic flags from the lazily kept operation (see <see cref="CcOp"/>).
/// This is the runtime (C#) half of the flag rules; <see cref="FlagExpressions"/> emits the same
/// rules as IR when the operation is known at translation time, and a test checks they agree.
///
/// Flags the Intel SDM leaves undefined are produced as follows, matching the Intel Core
/// processors this project is checked against where that was practical: AF = 0 after logic
/// operations, shifts and multiplies; SF/ZF/PF after MUL/IMUL come from the low half of the result;
/// OF after a shift by more than one is computed with the one-bit formula.
/// </summary>
public static class LazyFlags
{
    public static uint Compute(uint op, uint res, uint src1, uint src2, uint aux)
    {
        if (op == CcOp.Eflags) return src1 & EflagsBits.Arithmetic;
        int size = CcOp.SizeOf(op);
        int bits = size * 8;
        uint mask = CcOp.Mask(size);
        uint sign = 1u << (bits - 1);
        res &= mask;
        uint cf, of, af;
        switch (CcOp.KindOf(op))
        {
            case CcKind.Add:
                cf = res < src1 ? 1u : 0u;
                of = ((src1 ^ res) & (src2 ^ res) & sign) != 0 ? 1u : 0u;
                af = (res ^ src1 ^ src2) >> 4 & 1;
                break;
            case CcKind.Adc:
                cf = (aux != 0 ? res <= src1 : res < src1) ? 1u : 0u;
                of = ((src1 ^ res) & (src2 ^ res) & sign) != 0 ? 1u : 0u;
                af = (res ^ src1 ^ src2) >> 4 & 1;
                break;
            case CcKind.Sub:
                cf = src1 < src2 ? 1u : 0u;
                of = ((src1 ^ src2) & (src1 ^ res) & sign) != 0 ? 1u : 0u;
                af = (res ^ src1 ^ src2) >> 4 & 1;
                break;
            case CcKind.Sbb:
                cf = (aux != 0 ? src1 <= src2 : src1 < src2) ? 1u : 0u;
                of = ((src1 ^ src2) & (src1 ^ res) & sign) != 0 ? 1u : 0u;
                af = (res ^ src1 ^ src2) >> 4 & 1;
                break;
            case CcKind.Logic:
                cf = 0; of = 0; af = 0;
                break;
            case CcKind.Inc:
                cf = aux & 1;
                of = res == sign ? 1u : 0u;
                af = (res & 0xF) == 0 ? 1u : 0u;
                break;
            case CcKind.Dec:
                cf = aux & 1;
                of = res == sign - 1 ? 1u : 0u;
                af = (res & 0xF) == 0xF ? 1u : 0u;
                break;
            case CcKind.Shl:
                cf = (src1 & sign) != 0 ? 1u : 0u;
                of = cf ^ ((res & sign) != 0 ? 1u : 0u);
                af = 0;
                break;
            case CcKind.Shr:
                cf = src1 & 1;
                of = (src2 & sign) != 0 ? 1u : 0u;
                af = 0;
                break;
            case CcKind.Sar:
                cf = src1 & 1;
                of = 0;
                af = 0;
                break;
            default: // Mul
                cf = src1 != 0 ? 1u : 0u;
                of = cf;
                af = 0;
                break;
        }
        uint zf = res == 0 ? 1u : 0u;
        uint sf = (res & sign) != 0 ? 1u : 0u;
        uint pf = Parity(res);
        return cf << EflagsBits.CfBit | pf << EflagsBits.PfBit | af << EflagsBits.AfBit
             | zf << EflagsBits.ZfBit | sf << EflagsBits.SfBit | of << EflagsBits.OfBit;
    }

    /// <summary>PF: set when the low byte has an even number of one bits.</summary>
    public static uint Parity(uint value) => (uint)(~BitOperations.PopCount(value & 0xFF) & 1);
}
