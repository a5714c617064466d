using Transmeta.IR;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The operand classifications and the store conversion of the inline x87 paths
/// (Lifters/X87InlinePath.cs) written in IR; the arithmetic and the loads' conversions are the
/// IR's extended-precision operations (<see cref="Opcode.ExtArith"/>). Extended values are a 64-bit significand (I64, J bit
/// explicit) and a 16-bit sign/exponent (I32); binary32/binary64 values their bits (I64).
/// </summary>
public static class SoftFloatIr
{
    /// <summary>A converted value (I64 bits), the status bits it raises (PE and C1, as FSW bits),
    /// and Fail (nonzero: the inline path does not apply).</summary>
    public readonly record struct Result(int Bits, int Flags, int Fail);

    private const uint ExpMask = 0x7FFF, SignBit = 0x8000;

    /// <summary>1 when the value is normal: exponent 1..7FFE and the J bit set.</summary>
    public static int IsNormal(IrBuilder b, int sig, int signExp) =>
        b.And(b.ULt(b.Sub(b.And(signExp, ExpMask), b.Const(1)), b.Const(0x7FFE)), b.SLt(sig, b.Const64(0)));

    /// <summary>1 when the value is +0 or -0.</summary>
    public static int IsZero(IrBuilder b, int sig, int signExp) =>
        b.And(b.Eq(b.And(signExp, ExpMask), b.Const(0)), b.Eq(sig, b.Const64(0)));

    /// <summary>Logical not of a 0/1 value.</summary>
    public static int Not01(IrBuilder b, int bit) => b.Xor(bit, b.Const(1));

    /// <summary>An extended value rounded to nearest-even into binary32/binary64 (I64,
    /// zero-extended), as X87Fast.StorePrepare, for a normal value whose result is a normal
    /// number, or a zero stored as the zero of its sign; fails for anything else. A store's
    /// conversion is integer code rather than <see cref="Opcode.ExtArith"/>: its flags must not
    /// be raised before the write, which may fault (and a faulting store raises nothing), while a
    /// backend with its own unit raises them where it computes.</summary>
    public static Result ToIeee(IrBuilder b, int sig, int signExp, IeeeFormat f)
    {
        // A zero operand (exact, no flags) is selected at the end; here it only fails the range.
        int zero = IsZero(b, sig, signExp);
        int e = b.Sub(b.And(signExp, ExpMask), b.Const(Float80.Bias));
        int maxE = f.Bias; // largest unbiased exponent of a normal number
        int fail = b.Or(Not01(b, IsNormal(b, sig, signExp)), Not01(b, b.ULt(b.Add(e, b.Const(maxE - 1)), b.Const(2 * maxE - 1))));
        int dropped = 63 - f.FractionBits;
        int kept = b.ShrImm(sig, dropped);
        int rest = b.ShlImm(sig, 64 - dropped);
        int inexact = b.Ne(rest, b.Const64(0));
        int up = b.And(b.Unary(Opcode.Trunc, b.ShrImm(rest, 63)),
            b.Or(b.Ne(b.ShlImm(rest, 1), b.Const64(0)), b.Unary(Opcode.Trunc, b.And(kept, b.Const64(1)))));
        int rounded = b.Add(kept, b.Unary(Opcode.ZextTo64, up));
        int carry = b.Unary(Opcode.Trunc, b.ShrImm(rounded, f.FractionBits + 1));
        rounded = b.Shr(rounded, carry);
        e = b.Add(e, carry);
        fail = b.Or(fail, b.Eq(e, b.Const(maxE + 1)));
        int sign = b.ShlImm(b.Unary(Opcode.ZextTo64, b.ShrImm(b.And(signExp, SignBit), 15)), f.FractionBits + f.ExpBits);
        int biased = b.ShlImm(b.Unary(Opcode.ZextTo64, b.Add(e, b.Const(f.Bias))), f.FractionBits);
        int bits = b.Or(b.Or(sign, biased), b.And(rounded, b.Const64((1UL << f.FractionBits) - 1)));
        int flags = b.Or(b.ShlImm(inexact, 5), b.ShlImm(up, 9));
        return new Result(b.Select(zero, sign, bits), b.Select(zero, b.Const(0), flags), b.And(Not01(b, zero), fail));
    }

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
    public int Bias => (1 << (ExpBits - 1)) - 1;
    public ulong MagnitudeMask => (1UL << (FractionBits + ExpBits)) - 1;
}
