using Transmeta.IR;

namespace Transmeta.Frontend.Flags;

/// <summary>
/// The flag rules of <see cref="LazyFlags"/>, emitted as IR for an operation known at
/// translation time, so a <c>cmp</c>/<c>jcc</c> pair in one block compiles to one compare and
/// only the flags that are read are computed. Each method returns an I32 temp holding 0 or 1.
/// </summary>
public static class FlagExpressions
{
    public static int Flag(IrBuilder b, in KnownFlags f, int bit)
    {
        if (f.Op == CcOp.Eflags)
            return b.And(b.ShrImm(f.Src1, bit), 1u);
        int size = CcOp.SizeOf(f.Op);
        int bits = size * 8;
        CcKind kind = CcOp.KindOf(f.Op);
        return bit switch
        {
            EflagsBits.CfBit => Carry(b, f, kind, bits),
            EflagsBits.ZfBit => b.Eq(f.Res, b.Const(0)),
            EflagsBits.SfBit => b.ShrImm(f.Res, bits - 1),
            EflagsBits.PfBit => b.Xor(b.And(b.Unary(Opcode.Popcnt, b.And(f.Res, 0xFFu)), 1u), b.Const(1)),
            EflagsBits.OfBit => Overflow(b, f, kind, bits),
            EflagsBits.AfBit => Adjust(b, f, kind, bits),
            _ => throw new ArgumentOutOfRangeException(nameof(bit)),
        };
    }

    private static int Carry(IrBuilder b, in KnownFlags f, CcKind kind, int bits) => kind switch
    {
        CcKind.Add => b.ULt(f.Res, f.Src1),
        CcKind.Adc => b.Select(f.Aux, b.ULe(f.Res, f.Src1), b.ULt(f.Res, f.Src1)),
        CcKind.Sub => b.ULt(f.Src1, f.Src2),
        CcKind.Sbb => b.Select(f.Aux, b.ULe(f.Src1, f.Src2), b.ULt(f.Src1, f.Src2)),
        CcKind.Logic => b.Const(0),
        CcKind.Inc or CcKind.Dec => b.And(f.Aux, 1u),
        CcKind.Shl => b.And(b.ShrImm(f.Src1, bits - 1), 1u),
        CcKind.Shr or CcKind.Sar => b.And(f.Src1, 1u),
        _ => b.Ne(f.Src1, b.Const(0)), // Mul
    };

    private static int Overflow(IrBuilder b, in KnownFlags f, CcKind kind, int bits)
    {
        uint sign = 1u << (bits - 1);
        switch (kind)
        {
            case CcKind.Add or CcKind.Adc:
                return b.ShrImm(b.And(b.And(b.Xor(f.Src1, f.Res), b.Xor(f.Src2, f.Res)), sign), bits - 1);
            case CcKind.Sub or CcKind.Sbb:
                return b.ShrImm(b.And(b.And(b.Xor(f.Src1, f.Src2), b.Xor(f.Src1, f.Res)), sign), bits - 1);
            case CcKind.Logic or CcKind.Sar:
                return b.Const(0);
            case CcKind.Inc:
                return b.Eq(f.Res, b.Const(sign));
            case CcKind.Dec:
                return b.Eq(f.Res, b.Const(sign - 1));
            case CcKind.Shl:
                return b.Xor(b.And(b.ShrImm(f.Src1, bits - 1), 1u), b.ShrImm(f.Res, bits - 1));
            case CcKind.Shr:
                return b.ShrImm(f.Src2, bits - 1);
            default: // Mul
                return b.Ne(f.Src1, b.Const(0));
        }
    }

    private static int Adjust(IrBuilder b, in KnownFlags f, CcKind kind, int bits) => kind switch
    {
        CcKind.Add or CcKind.Adc or CcKind.Sub or CcKind.Sbb =>
            b.And(b.ShrImm(b.Xor(b.Xor(f.Res, f.Src1), f.Src2), 4), 1u),
        CcKind.Inc => b.Eq(b.And(f.Res, 0xFu), b.Const(0)),
        CcKind.Dec => b.Eq(b.And(f.Res, 0xFu), b.Const(0xF)),
        _ => b.Const(0),
    };

    /// <summary>All six arithmetic flags as EFLAGS bits.</summary>
    public static int AllFlags(IrBuilder b, in KnownFlags f)
    {
        if (f.Op == CcOp.Eflags) return b.And(f.Src1, EflagsBits.Arithmetic);
        int r = Flag(b, f, EflagsBits.CfBit);
        foreach (int bit in new[] { EflagsBits.PfBit, EflagsBits.AfBit, EflagsBits.ZfBit, EflagsBits.SfBit, EflagsBits.OfBit })
            r = b.Or(r, b.ShlImm(Flag(b, f, bit), bit));
        return r;
    }
}

/// <summary>The last flag-setting operation as the lifter knows it at translation time: its
/// kind (a <see cref="CcOp"/> value) and the temps holding its operands.</summary>
public readonly record struct KnownFlags(uint Op, int Res, int Src1, int Src2, int Aux);
