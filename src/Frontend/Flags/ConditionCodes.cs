using Iced.Intel;
using Transmeta.IR;

namespace Transmeta.Frontend.Flags;

/// <summary>
/// The sixteen x86 conditions (Intel SDM Vol. 1 Appendix B, "EFLAGS Condition Codes") as IR.
/// Conditions come in pairs, the second the negation of the first. When the flag-setting
/// operation is a known compare or subtraction, the condition is one IR compare of its operands
/// (what a compiler's cmp/jcc pair means); otherwise it is a formula over the flags.
/// </summary>
public static class ConditionCodes
{
    /// <summary>True for the condition that is the negation of its pair's first (ae, ne, a, ...).</summary>
    public static bool IsNegated(ConditionCode cc) => ((int)cc & 1) == 0;

    /// <summary>The positive condition of the pair (o, b, e, be, s, p, l, le).</summary>
    public static ConditionCode Positive(ConditionCode cc) => IsNegated(cc) ? cc - 1 : cc;

    /// <summary>Emits the condition (an I32 0/1) given a way to read individual flags.</summary>
    public static int Emit(IrBuilder b, ConditionCode cc, in KnownFlags f)
    {
        int v = EmitPositive(b, Positive(cc), f);
        return IsNegated(cc) ? b.Xor(v, b.Const(1)) : v;
    }

    private static int EmitPositive(IrBuilder b, ConditionCode cc, KnownFlags f)
    {
        if (f.Op != CcOp.Eflags && CcOp.KindOf(f.Op) == CcKind.Sub)
        {
            // Compare semantics directly: Src1 - Src2.
            int size = CcOp.SizeOf(f.Op);
            switch (cc)
            {
                case ConditionCode.b: return b.ULt(f.Src1, f.Src2);
                case ConditionCode.e: return b.Eq(f.Src1, f.Src2);
                case ConditionCode.be: return b.ULe(f.Src1, f.Src2);
                case ConditionCode.l: return b.SLt(SignExtend(b, f.Src1, size), SignExtend(b, f.Src2, size));
                case ConditionCode.le: return b.SLe(SignExtend(b, f.Src1, size), SignExtend(b, f.Src2, size));
            }
        }
        if (f.Op != CcOp.Eflags && CcOp.KindOf(f.Op) == CcKind.Logic)
        {
            int size = CcOp.SizeOf(f.Op);
            switch (cc)
            {
                case ConditionCode.b or ConditionCode.o: return b.Const(0);
                case ConditionCode.e or ConditionCode.be: return b.Eq(f.Res, b.Const(0));
                case ConditionCode.l: return b.SLt(SignExtend(b, f.Res, size), b.Const(0));
                case ConditionCode.le: return b.SLe(SignExtend(b, f.Res, size), b.Const(0));
            }
        }
        int F(int bit) => FlagExpressions.Flag(b, f, bit);
        return cc switch
        {
            ConditionCode.o => F(EflagsBits.OfBit),
            ConditionCode.b => F(EflagsBits.CfBit),
            ConditionCode.e => F(EflagsBits.ZfBit),
            ConditionCode.be => b.Or(F(EflagsBits.CfBit), F(EflagsBits.ZfBit)),
            ConditionCode.s => F(EflagsBits.SfBit),
            ConditionCode.p => F(EflagsBits.PfBit),
            ConditionCode.l => b.Xor(F(EflagsBits.SfBit), F(EflagsBits.OfBit)),
            ConditionCode.le => b.Or(F(EflagsBits.ZfBit), b.Xor(F(EflagsBits.SfBit), F(EflagsBits.OfBit))),
            _ => throw new ArgumentOutOfRangeException(nameof(cc)),
        };
    }

    private static int SignExtend(IrBuilder b, int v, int size) => size switch
    {
        1 => b.Unary(Opcode.Sext8, v),
        2 => b.Unary(Opcode.Sext16, v),
        _ => v,
    };
}
