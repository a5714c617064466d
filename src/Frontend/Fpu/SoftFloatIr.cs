using Transmeta.IR;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The operand classifications of the inline x87 paths (Lifters/X87InlinePath.cs) written in
/// IR; the arithmetic and conversions themselves are the IR's extended-precision operations
/// (<see cref="Opcode.ExtArith"/>). Extended values are a 64-bit significand (I64, J bit
/// explicit) and a 16-bit sign/exponent (I32); binary32/binary64 values their bits (I64).
/// </summary>
public static class SoftFloatIr
{
    private const uint ExpMask = 0x7FFF;

    /// <summary>1 when the value is normal: exponent 1..7FFE and the J bit set.</summary>
    public static int IsNormal(IrBuilder b, int sig, int signExp) =>
        b.And(b.ULt(b.Sub(b.And(signExp, ExpMask), b.Const(1)), b.Const(0x7FFE)), b.SLt(sig, b.Const64(0)));

    /// <summary>1 when the value is +0 or -0.</summary>
    public static int IsZero(IrBuilder b, int sig, int signExp) =>
        b.And(b.Eq(b.And(signExp, ExpMask), b.Const(0)), b.Eq(sig, b.Const64(0)));

    /// <summary>Logical not of a 0/1 value.</summary>
    public static int Not01(IrBuilder b, int bit) => b.Xor(bit, b.Const(1));

    /// <summary>1 when a binary32/binary64 operand (I64 bits) is a denormal or a signaling NaN:
    /// the classes for which an arithmetic instruction with a memory operand is not the load
    /// followed by the register form (the load raises DE or IE and quiets the NaN; the memory
    /// form raises DE only when the other operand allows it, and propagates NaNs by their
    /// signaling/quiet rule; Intel SDM Vol. 1 §4.8.3.5, §8.5.2).</summary>
    public static int DenormalOrSignaling(IrBuilder b, int bits, IeeeFormat f)
    {
        int exp = b.And(b.Unary(Opcode.Trunc, b.ShrImm(bits, f.FractionBits)), (uint)f.MaxExp);
        int fraction = b.And(bits, b.Const64((1UL << f.FractionBits) - 1));
        int quiet = b.And(bits, b.Const64(1UL << (f.FractionBits - 1)));
        int nonzero = b.Ne(fraction, b.Const64(0));
        int signaling = b.And(b.Eq(exp, b.Const(f.MaxExp)), b.Eq(quiet, b.Const64(0)));
        return b.And(nonzero, b.Or(b.Eq(exp, b.Const(0)), signaling));
    }
}

/// <summary>An IEEE 754 binary interchange format of the x87 memory operands.</summary>
public readonly record struct IeeeFormat(int FractionBits, int ExpBits)
{
    public static readonly IeeeFormat Single = new(23, 8);
    public static readonly IeeeFormat Double = new(52, 11);

    public int MaxExp => (1 << ExpBits) - 1;
}
