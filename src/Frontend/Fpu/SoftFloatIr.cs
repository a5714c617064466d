using Transmeta.IR;
using static Transmeta.Frontend.Fpu.FpuBits;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The common case of extended-precision arithmetic written in IR, for the inline x87 paths
/// (Lifters/X87InlinePath.cs): normal operands, round to nearest-even at 64 bits (the control
/// word 037F), a normal result. Each operation returns the result and a "fail" condition that
/// sends the instruction to its helper, which handles everything else; where it does not fail it
/// computes exactly what <see cref="X87Fast"/> computes (the same algorithms, branch-free, so
/// the backends see straight-line code that LLVM and the .NET JIT turn into conditional moves).
/// Values are a 64-bit significand (I64, J bit explicit) and a 16-bit sign/exponent (I32).
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

    /// <summary>a × b where each operand is normal or zero: a zero operand gives the zero with
    /// the sign of the product, exactly and with no flags (Intel SDM Vol. 1 Table 4-7 rules).</summary>
    public static Result MulOrZero(IrBuilder b, int ma, int sea, int mb, int seb)
    {
        Result r = Mul(b, ma, sea, mb, seb);
        int zero = b.Or(IsZero(b, ma, sea), IsZero(b, mb, seb));
        int sign = b.And(b.Xor(sea, seb), SignBit);
        return new Result(b.Select(zero, b.Const64(0), r.Sig), b.Select(zero, sign, r.SignExp),
            b.Select(zero, b.Const(0), r.Flags), b.And(Not01(b, zero), r.Fail));
    }

    /// <summary>a + b where each operand is normal or zero: with a zero operand the result is
    /// the other one, exactly; two zeros give -0 only when both are -0 (round to nearest).</summary>
    public static Result AddOrZero(IrBuilder b, int ma, int sea, int mb, int seb)
    {
        Result r = Add(b, ma, sea, mb, seb);
        int za = IsZero(b, ma, sea), zb = IsZero(b, mb, seb);
        int sig = b.Select(zb, ma, b.Select(za, mb, r.Sig));
        int bothZeroSign = b.And(b.And(sea, seb), SignBit);
        int signExp = b.Select(zb, b.Select(za, bothZeroSign, sea), b.Select(za, seb, r.SignExp));
        int any = b.Or(za, zb);
        return new Result(sig, signExp, b.Select(any, b.Const(0), r.Flags), b.And(Not01(b, any), r.Fail));
    }

    /// <summary>Logical not of a 0/1 value.</summary>
    public static int Not01(IrBuilder b, int bit) => b.Xor(bit, b.Const(1));

    /// <summary>Rounds s0:s1 (J set in s0) to nearest-even at 64 bits, as X87Fast.Round.</summary>
    public static Result Round(IrBuilder b, int sign, int exp, int s0, int s1)
    {
        // The exponent must stay normal (a carry from rounding can add one: still below 7FFF).
        int fail = Not01(b, b.ULt(b.Sub(exp, b.Const(1)), b.Const(0x7FFD)));
        int sticky = b.Ne(b.Shl(s1, b.Const(1)), b.Const64(0));
        int half = b.Unary(Opcode.Trunc, b.ShrImm(s1, 63));
        int odd = b.Unary(Opcode.Trunc, b.And(s0, b.Const64(1)));
        int up = b.And(half, b.Or(sticky, odd));
        int r0 = b.Add(s0, b.Unary(Opcode.ZextTo64, up));
        int carry = b.Eq(r0, b.Const64(0)); // all ones rounded up: 1.0 × 2^(exp+1)
        r0 = b.Or(r0, b.Shl(b.Unary(Opcode.ZextTo64, carry), b.Const(63)));
        int signExp = b.Or(sign, b.Add(exp, carry));
        int inexact = b.Ne(s1, b.Const64(0));
        int flags = b.Or(b.ShlImm(inexact, 5), b.ShlImm(up, 9)); // PE, C1
        return new Result(r0, signExp, flags, fail);
    }

    /// <summary>a × b (both normal).</summary>
    public static Result Mul(IrBuilder b, int ma, int sea, int mb, int seb)
    {
        int hi = b.MulHiU(ma, mb);
        int lo = b.Mul(ma, mb);
        int exp = b.Sub(b.Add(b.And(sea, ExpMask), b.And(seb, ExpMask)), b.Const(Float80.Bias));
        // The product of two significands in [1, 2) is in [1, 4): at most one bit to shift.
        int top = b.Unary(Opcode.Trunc, b.ShrImm(hi, 63));
        int s0 = b.Select(top, hi, b.Or(b.ShlImm(hi, 1), b.ShrImm(lo, 63)));
        int s1 = b.Select(top, lo, b.ShlImm(lo, 1));
        return Round(b, b.And(b.Xor(sea, seb), SignBit), b.Add(exp, top), s0, s1);
    }

    /// <summary>a / b (both normal; a zero operand fails: ZE, or a zero result the helper gives),
    /// as X87Fast.Div: a 128-by-64-bit quotient of 64 bits (<see cref="Opcode.UDivWide"/>) and
    /// the remainder, which says where the rest lies against a half (the sticky bits).</summary>
    public static Result Div(IrBuilder b, int ma, int sea, int mb, int seb)
    {
        int exp = b.Add(b.Sub(b.And(sea, ExpMask), b.And(seb, ExpMask)), b.Const(Float80.Bias));
        // The division runs whatever the operands (the code is branch-free; a zero or unnormal
        // operand fails afterwards), and UDivWide needs a divisor above the high half: with the
        // J bit forced on it is never zero, and it is the divisor itself for a normal number.
        mb = b.Or(mb, b.Const64(Float80.IntegerBit));
        // Dividend significand at or above the divisor's: quotient (ma/2 · 2^64) / mb, else
        // (ma · 2^64) / mb one exponent lower; either way in [2^63, 2^64).
        int ge = b.ULe(mb, ma);
        int high = b.Select(ge, b.ShrImm(ma, 1), ma);
        int low = b.Select(ge, b.ShlImm(ma, 63), b.Const64(0));
        exp = b.Sub(exp, Not01(b, ge));
        int q = b.UDivWide(high, low, mb);
        int rem = b.Sub(low, b.Mul(q, mb)); // exact: the true remainder is below mb < 2^64
        int rest = b.Sub(mb, rem);
        int ext = b.Select(b.Eq(rem, b.Const64(0)), b.Const64(0),
            b.Select(b.ULt(rest, rem), b.Const64(Float80.IntegerBit | 1),
                b.Select(b.Eq(rem, rest), b.Const64(Float80.IntegerBit), b.Const64(1))));
        Result r = Round(b, b.And(b.Xor(sea, seb), SignBit), exp, q, ext);
        int zero = b.Or(IsZero(b, ma, sea), b.Eq(b.And(seb, ExpMask), b.Const(0))); // (mb has J forced)
        return r with { Fail = b.Or(r.Fail, zero) };
    }

    /// <summary>The square root of a positive normal number, as SoftFloat.SqrtCore: N, the
    /// significand placed so the root is 64 bits, is in [2^126, 2^128); floor(sqrt(N)) by four
    /// Newton steps (each a <see cref="Opcode.UDivWide"/>) from a tangent of sqrt above the
    /// curve (relative error 6%, then about e²/2 a step: below 2^-64 after four), corrected
    /// to the floor with the exact square; the remainder then gives the rounding. Fails for
    /// anything else (zero, negative, not normal) and for the two largest high halves, where
    /// the root is not above them and the quotient would not fit.</summary>
    public static Result Sqrt(IrBuilder b, int sig, int signExp)
    {
        int u = b.Sub(b.And(signExp, ExpMask), b.Const(Float80.Bias));
        int odd = b.And(u, 1u);
        int hi = b.Select(odd, sig, b.ShrImm(sig, 1));
        int lo = b.Select(odd, b.Const64(0), b.ShlImm(sig, 63));
        int exp = b.Add(b.SarImm(u, 1), b.Const(Float80.Bias));
        // Tangent at m = 2 of sqrt(m)·2^63, m = N / 2^126 ≈ hi / 2^62: (hi + 2^63) / √2, as
        // x + x·(√2 - 1) for x = hi/2 + 2^62; saturated at 2^64 - 1 (the root is below 2^64).
        int x = b.Add(b.ShrImm(hi, 1), b.Const64(1UL << 62));
        int q = b.Add(x, b.Add(b.MulHiU(x, b.Const64(0x6A09E667F3BCC909)), b.Const64(2)));
        q = b.Select(b.ULt(q, x), b.Const64(ulong.MaxValue), q);
        for (int step = 0; step < 4; step++)
        {
            int d = b.UDivWide(hi, lo, q);
            // (q + d) / 2 without the carry out of 64 bits
            q = b.Add(b.Add(b.ShrImm(q, 1), b.ShrImm(d, 1)), b.And(b.And(q, d), b.Const64(1)));
        }
        // Newton from above ends at the floor or one above it.
        int over = Greater128(b, b.MulHiU(q, q), b.Mul(q, q), hi, lo);
        q = b.Sub(q, b.Unary(Opcode.ZextTo64, over));
        int sqHi = b.MulHiU(q, q), sqLo = b.Mul(q, q);
        int remLo = b.Sub(lo, sqLo);
        int remHi = b.Sub(b.Sub(hi, sqHi), b.Unary(Opcode.ZextTo64, b.ULt(lo, sqLo)));
        int remZero = b.And(b.Eq(remHi, b.Const64(0)), b.Eq(remLo, b.Const64(0)));
        int aboveHalf = b.Or(b.Ne(remHi, b.Const64(0)), b.ULt(q, remLo)); // remainder > q
        int ext = b.Select(remZero, b.Const64(0), b.Select(aboveHalf, b.Const64(Float80.IntegerBit | 1), b.Const64(1)));
        Result r = Round(b, b.Const(0), exp, q, ext);
        int unsupported = b.Or(Not01(b, IsNormal(b, sig, signExp)), b.Ne(b.And(signExp, SignBit), b.Const(0)));
        int tooHigh = b.ULe(b.Const64(ulong.MaxValue - 1), hi);
        return r with { Fail = b.Or(r.Fail, b.Or(unsupported, tooHigh)) };
    }

    /// <summary>1 when aHi:aLo &gt; bHi:bLo (unsigned 128-bit).</summary>
    private static int Greater128(IrBuilder b, int aHi, int aLo, int bHi, int bLo) =>
        b.Or(b.ULt(bHi, aHi), b.And(b.Eq(aHi, bHi), b.ULt(bLo, aLo)));

    /// <summary>a + b (both normal; a subtraction is an addition of the negated operand). Fails
    /// when the exponents differ by 64 or 65, and on a cancellation that leaves only the low
    /// 64 bits (the helper then does the wide normalization).</summary>
    public static Result Add(IrBuilder b, int ma0, int sea0, int mb0, int seb0)
    {
        int ea0 = b.And(sea0, ExpMask), eb0 = b.And(seb0, ExpMask);
        // The larger magnitude first.
        int swap = b.Or(b.ULt(ea0, eb0), b.And(b.Eq(ea0, eb0), b.ULt(ma0, mb0)));
        int ma = b.Select(swap, mb0, ma0), mb = b.Select(swap, ma0, mb0);
        int ea = b.Select(swap, eb0, ea0), eb = b.Select(swap, ea0, eb0);
        int sa = b.And(b.Select(swap, seb0, sea0), SignBit), sb = b.And(b.Select(swap, sea0, seb0), SignBit);
        int d = b.Sub(ea, eb);
        int far = b.ULe(b.Const(64), d);
        int dz = b.Eq(d, b.Const(0));
        // b aligned to a: b0 the part under a's significand, b1 the bits shifted out.
        int b0 = b.Shr(mb, b.And(d, 63u));
        int b1 = b.Select(dz, b.Const64(0), b.Shl(mb, b.And(b.Sub(b.Const(64), d), 63u)));
        int same = b.Eq(sa, sb);

        // Same signs: a carry out shifts right by one (the bit shifted out stays sticky).
        int t0 = b.Add(ma, b0);
        int c = b.ULt(t0, ma);
        int u0 = b.Select(c, b.Or(b.ShrImm(t0, 1), b.Const64(Float80.IntegerBit)), t0);
        int u1 = b.Select(c, b.Or(b.Or(b.ShrImm(b1, 1), b.ShlImm(t0, 63)), b.And(b1, b.Const64(1))), b1);
        int ue = b.Add(ea, c);

        // Different signs: a - b over 128 bits, then normalized left.
        int r1 = b.Neg(b1);
        int r0 = b.Sub(b.Sub(ma, b0), b.Unary(Opcode.ZextTo64, b.Ne(b1, b.Const64(0))));
        int r0Zero = b.Eq(r0, b.Const64(0));
        int n = b.Unary(Opcode.Trunc, b.Unary(Opcode.Clz, b.Or(r0, b.Const64(1)))); // r0 != 0 where used
        int nz = b.Eq(n, b.Const(0));
        int v0 = b.Or(b.Shl(r0, n), b.Select(nz, b.Const64(0), b.Shr(r1, b.And(b.Sub(b.Const(64), n), 63u))));
        int v1 = b.Shl(r1, n);
        int ve = b.Sub(ea, n);

        int s0 = b.Select(same, u0, v0), s1 = b.Select(same, u1, v1), e = b.Select(same, ue, ve);
        Result r = Round(b, sa, e, s0, s1);
        // Exact cancellation gives +0, exactly (round to nearest); a total cancellation into
        // the low half (r0 = 0 otherwise) is left to the helper.
        int exactZero = b.And(Not01(b, same), b.And(dz, b.Eq(ma, mb)));
        int wide = b.And(Not01(b, same), b.And(r0Zero, Not01(b, exactZero)));
        // b below a quarter of a's last place (exponents 66 or more apart): a ± b rounds to a,
        // inexact, whatever the signs (below a power of two the last place halves, hence the
        // quarter); a - b rounded back to a is a rounding up in magnitude (C1).
        int tiny = b.ULe(b.Const(66), d);
        int sig = b.Select(tiny, ma, b.Select(exactZero, b.Const64(0), r.Sig));
        int signExp = b.Select(tiny, b.Or(sa, ea), b.Select(exactZero, b.Const(0), r.SignExp));
        int tinyFlags = b.Select(same, b.Const(PE), b.Const(PE | C1));
        int flags = b.Select(tiny, tinyFlags, b.Select(exactZero, b.Const(0), r.Flags));
        int fail = b.Select(far, Not01(b, tiny), b.Or(b.And(r.Fail, Not01(b, exactZero)), wide));
        return new Result(sig, signExp, flags, fail);
    }

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
