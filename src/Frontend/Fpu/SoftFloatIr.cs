using Transmeta.IR;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The conversions and classifications of the inline x87 paths (Lifters/X87InlinePath.cs)
/// written in IR: binary32/binary64 to and from extended for normal numbers and zeros,
/// rounding to nearest-even (the control word 037F). Each returns the result and a "fail"
/// condition that sends the instruction to its helper, which handles everything else; where it
/// does not fail it computes exactly what <see cref="X87Fast"/> computes (branch-free, so the
/// backends see straight-line code). The arithmetic itself is the IR's own extended-precision
/// operation (<see cref="Opcode.ExtArith"/>). Values are a 64-bit significand (I64, J bit
/// explicit) and a 16-bit sign/exponent (I32).
/// </summary>
public static class SoftFloatIr
{
    /// <summary>An extended result: significand, sign/exponent, the status bits it raises (PE
    /// and C1, as FSW bits), and Fail (nonzero: the inline path does not apply).</summary>
    public readonly record struct Result(int Sig, int SignExp, int Flags, int Fail);

    private const uint ExpMask = 0x7FFF, SignBit = 0x8000;

    /// <summary>1 when the value is normal: exponent 1..7FFE and the J bit set.</summary>
    public static int IsNormal(IrBuilder b, int sig, int signExp) =>
        b.And(b.ULt(b.Sub(b.And(signExp, ExpMask), b.Const(1)), b.Const(0x7FFE)), b.SLt(sig, b.Const64(0)));

    /// <summary>1 when the value is +0 or -0.</summary>
    public static int IsZero(IrBuilder b, int sig, int signExp) =>
        b.And(b.Eq(b.And(signExp, ExpMask), b.Const(0)), b.Eq(sig, b.Const64(0)));

    /// <summary>Logical not of a 0/1 value.</summary>
    public static int Not01(IrBuilder b, int bit) => b.Xor(bit, b.Const(1));

    /// <summary>A binary32 or binary64 value (I64, zero-extended) as an extended one: exact for
    /// normal numbers and zeros; fails for denormals, infinities and NaNs (which raise DE or IE,
    /// or need the special classes).</summary>
    public static Result FromIeee(IrBuilder b, int bits, IeeeFormat f)
    {
        int exp = b.And(b.Unary(Opcode.Trunc, b.ShrImm(bits, f.FractionBits)), (uint)f.MaxExp);
        int sign = b.And(b.Unary(Opcode.Trunc, b.ShrImm(bits, f.FractionBits + f.ExpBits - 15)), SignBit);
        int zero = b.Eq(b.And(bits, b.Const64(f.MagnitudeMask)), b.Const64(0));
        int normal = b.ULt(b.Sub(exp, b.Const(1)), b.Const(f.MaxExp - 1));
        int sig = b.Or(b.ShlImm(bits, 63 - f.FractionBits), b.Const64(Float80.IntegerBit));
        int se = b.Add(exp, b.Const(Float80.Bias - f.Bias));
        return new Result(b.Select(zero, b.Const64(0), sig), b.Or(sign, b.Select(zero, b.Const(0), se)),
            b.Const(0), Not01(b, b.Or(zero, normal)));
    }

    /// <summary>A normal extended value rounded to nearest-even into binary32/binary64 (I64,
    /// zero-extended), as X87Fast.StorePrepare, or a zero stored as the zero of its sign; fails
    /// unless the result is a normal number or zero.</summary>
    public static Result ToIeee(IrBuilder b, int sig, int signExp, IeeeFormat f)
    {
        // A zero operand (exact, no flags) is selected at the end; here it only fails the range.
        int zero = IsZero(b, sig, signExp);
        int e = b.Sub(b.And(signExp, ExpMask), b.Const(Float80.Bias));
        int maxE = f.Bias; // largest unbiased exponent of a normal number
        int fail = Not01(b, b.ULt(b.Add(e, b.Const(maxE - 1)), b.Const(2 * maxE - 1)));
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
        return new Result(b.Select(zero, sign, bits), b.Const(0), b.Select(zero, b.Const(0), flags), b.And(Not01(b, zero), fail));
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
