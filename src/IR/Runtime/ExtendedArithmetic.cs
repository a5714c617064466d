using System.Numerics;
using System.Runtime.CompilerServices;

namespace Transmeta.IR;

/// <summary>
/// IEEE 754 double-extended arithmetic (64-bit significand with an explicit integer bit, 15-bit
/// exponent biased by 16383), rounding to nearest-even at 64 bits, for the common case only:
/// operands that are normal numbers or zeros and a result that is one. Anything else (a
/// denormal, infinite or NaN operand or result, a division by zero, the square root of a
/// negative number) is reported as <see cref="Unhandled"/>, and the caller takes its general
/// path. Branch-light integer code: the fast path of <see cref="ExtendedOperation"/> (the
/// semantics of <see cref="Opcode.ExtArith"/>) and of the x87 helpers.
/// </summary>
public static class ExtendedArithmetic
{
    public const int Bias = 0x3FFF;
    public const ulong IntegerBit = 1UL << 63;

    // Status bits. Inexact and RoundedUp sit where the x87 status word keeps them (PE, C1), the
    // host unit's layout, so a lifter for it merges them without moving bits.
    /// <summary>Status: the result is rounded (IEEE inexact).</summary>
    public const uint Inexact = 0x20;
    /// <summary>Status: the rounding increased the magnitude.</summary>
    public const uint RoundedUp = 0x200;
    /// <summary>Status: not the common case; the other parts are meaningless. Never set with
    /// another bit.</summary>
    public const uint Unhandled = 0x8000;
    /// <summary>Status: the six IEEE exception flags, in the conventional order (invalid,
    /// denormal operand, divide by zero, overflow, underflow, inexact: bits 0..5, as in the x87
    /// status word and MXCSR). The fast path raises only <see cref="Inexact"/>.</summary>
    public const uint Exceptions = 0x3F;

    /// <summary>A result in two registers: the significand, and the sign/exponent in bits 0..15
    /// with the status bits (<see cref="Inexact"/>, <see cref="RoundedUp"/>) in bits 16..31; bit
    /// 63 set when unhandled.</summary>
    public readonly struct Result
    {
        public readonly ulong Sig, Meta;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Result(ulong sig, ulong meta)
        {
            Sig = sig;
            Meta = meta;
        }

        public bool Failed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (long)Meta < 0;
        }

        public ushort SignExp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (ushort)Meta;
        }

        /// <summary>The exception flags and <see cref="RoundedUp"/> of a handled result.</summary>
        public uint Flags
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (uint)(Meta >> 16) & (Exceptions | RoundedUp);
        }

        /// <summary><see cref="Inexact"/> | <see cref="RoundedUp"/>, or <see cref="Unhandled"/>.</summary>
        public uint Status
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Failed ? Unhandled : (uint)(Meta >> 16) & (Inexact | RoundedUp);
        }

        public static Result Fail
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(0, 1UL << 63);
        }

        /// <summary>A result with its exception flags and <see cref="RoundedUp"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Result WithFlags(ulong sig, uint signExp, uint flags) => new(sig, (signExp & 0xFFFF) | (ulong)flags << 16);

        /// <summary>An exact result.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Result Exact(ulong sig, uint signExp) => new(sig, signExp);
    }

    /// <summary>A normal number: exponent 1..7FFE and the integer bit set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNormal(ulong sig, uint signExp) => (uint)((signExp & 0x7FFF) - 1) < 0x7FFE && (long)sig < 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(ulong sig, uint signExp) => (signExp & 0x7FFF) == 0 && sig == 0;

    /// <summary>a op b for operands that are normal numbers or zeros (IEEE 754 rules for zeros,
    /// rounding to nearest: an exact zero sum is +0 unless both addends are -0). The
    /// sign/exponents are read in their low 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result Evaluate(ExtOp op, ulong a, uint aSignExp, ulong b, uint bSignExp)
    {
        aSignExp &= 0xFFFF;
        bSignExp &= 0xFFFF;
        if (op == ExtOp.Sub)
        {
            bSignExp ^= 0x8000;
            op = ExtOp.Add;
        }
        bool za = IsZero(a, aSignExp), zb = IsZero(b, bSignExp);
        if (!za && !IsNormal(a, aSignExp)) return Result.Fail;
        if (op == ExtOp.Sqrt)
            return za ? Result.Exact(0, aSignExp) : (aSignExp & 0x8000) != 0 ? Result.Fail : Sqrt(a, aSignExp);
        if (!zb && !IsNormal(b, bSignExp)) return Result.Fail;
        uint productSign = (aSignExp ^ bSignExp) & 0x8000;
        return op switch
        {
            ExtOp.Add when za && zb => Result.Exact(0, aSignExp & bSignExp & 0x8000),
            ExtOp.Add when zb => Result.Exact(a, aSignExp),
            ExtOp.Add when za => Result.Exact(b, bSignExp),
            ExtOp.Add => Add(a, aSignExp, b, bSignExp),
            ExtOp.Mul when za || zb => Result.Exact(0, productSign),
            ExtOp.Mul => Mul(a, aSignExp, b, bSignExp),
            ExtOp.Div when zb => Result.Fail, // division by zero
            ExtOp.Div when za => Result.Exact(0, productSign),
            _ => Div(a, aSignExp, b, bSignExp),
        };
    }

    /// <summary>Rounds s0:s1 (integer bit set in s0) to nearest-even at 64 bits; fails unless
    /// the exponent before rounding is 1..7FFD (a carry from rounding then stays below 7FFF).
    /// Branch-free: the data decides nothing but the exponent-range test.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result Round(uint sign, int e, ulong s0, ulong s1)
    {
        if ((uint)(e - 1) >= 0x7FFD) return Result.Fail;
        // Up when the discarded part is above one half, or exactly one half with s0 odd.
        ulong sticky = (s1 << 1) != 0 ? 1UL : 0;
        ulong up = (s1 >> 63) & (sticky | s0); // s1 >> 63 is 0 or 1: only bit 0 of the rest counts
        ulong r0 = s0 + up;
        ulong carry = r0 == 0 ? 1UL : 0; // all ones rounded up: 1.0 × 2^(e+1)
        r0 |= carry << 63;
        ulong status = (s1 != 0 ? Inexact : 0) | up * RoundedUp;
        return new Result(r0, sign | (uint)(e + (int)carry) | status << 16);
    }

    /// <summary>a + b for normal operands (a subtraction is the addition of the negated operand).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result Add(ulong ma, uint sea, ulong mb, uint seb)
    {
        int ea = (int)(sea & 0x7FFF), eb = (int)(seb & 0x7FFF);
        uint sa = sea & 0x8000, sb = seb & 0x8000;
        if (ea < eb || (ea == eb && ma < mb))
        {
            (ea, eb) = (eb, ea);
            (ma, mb) = (mb, ma);
            (sa, sb) = (sb, sa);
        }
        int d = ea - eb;
        ulong b0 = mb, b1 = 0;
        if (d != 0)
        {
            if (d < 64)
            {
                b1 = mb << (64 - d);
                b0 = mb >> d;
            }
            else
            {
                b0 = 0;
                b1 = d < 128 ? (mb >> (d - 64)) | ((mb << (128 - d)) != 0 ? 1UL : 0) : 1;
                if (d == 64) b1 = mb;
            }
        }
        if (sa == sb)
        {
            ulong s0 = ma + b0;
            if (s0 < ma)
            {
                b1 = (b1 >> 1) | (s0 << 63) | (b1 & 1);
                s0 = (s0 >> 1) | IntegerBit;
                ea++;
            }
            return Round(sa, ea, s0, b1);
        }
        if (d == 0 && ma == mb) return Result.Exact(0, 0); // exact cancellation: +0 when rounding to nearest
        ulong r1 = 0 - b1;
        ulong r0 = ma - b0 - (b1 != 0 ? 1UL : 0);
        Normalize128(ref r0, ref r1, ref ea);
        return Round(sa, ea, r0, r1);
    }

    /// <summary>a × b for normal operands.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result Mul(ulong ma, uint sea, ulong mb, uint seb)
    {
        // High half by MULX, low half by a plain multiply that runs beside it: Math.BigMul's out
        // parameter went through the stack, a store and a reload on the path to the result.
        ulong hi, lo;
        if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
        {
            hi = System.Runtime.Intrinsics.X86.Bmi2.X64.MultiplyNoFlags(ma, mb);
            lo = ma * mb;
        }
        else hi = Math.BigMul(ma, mb, out lo);
        int e = (int)(sea & 0x7FFF) + (int)(seb & 0x7FFF) - Bias;
        if ((long)hi < 0) e++;
        else
        {
            hi = (hi << 1) | (lo >> 63);
            lo <<= 1;
        }
        return Round((sea ^ seb) & 0x8000, e, hi, lo);
    }

    /// <summary>a / b for normal operands.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Result Div(ulong sa, uint sea, ulong sb, uint seb)
    {
        int e = (int)(sea & 0x7FFF) - (int)(seb & 0x7FFF) + Bias;
        ulong q = DivideSignificands(sa, sb, ref e, out ulong ext);
        return Round((sea ^ seb) & 0x8000, e, q, ext);
    }

    /// <summary>The quotient of two normalized significands (integer bit set) as 64 bits with
    /// the integer bit set, lowering the exponent <paramref name="e"/> by one when the dividend's
    /// significand is the smaller; <paramref name="ext"/>: the rounding word of the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong DivideSignificands(ulong sa, ulong sb, ref int e, out ulong ext)
    {
        ulong nhi, nlo;
        if (sa >= sb)
        {
            nhi = sa >> 1;
            nlo = sa << 63;
        }
        else
        {
            nhi = sa;
            nlo = 0;
            e--;
        }
        ulong q = DivRem128(nhi, nlo, sb, out ulong rem);
        ext = RoundingWord(rem, sb);
        return q;
    }

    /// <summary>The square root of a positive normal number.</summary>
    public static Result Sqrt(ulong sig, uint signExp)
    {
        ulong q = RootSignificand(sig, (int)(signExp & 0x7FFF) - Bias, out int e, out ulong ext);
        return Round(0, e, q, ext);
    }

    /// <summary>The square root of a normalized significand with unbiased exponent
    /// <paramref name="u"/>: 64 bits with the integer bit set, the root's biased exponent
    /// <paramref name="e"/>, and <paramref name="ext"/> the rounding word of the rest.</summary>
    public static ulong RootSignificand(ulong sig, int u, out int e, out ulong ext)
    {
        // N = the significand placed so that its root has 64 bits: in [2^126, 2^128).
        bool odd = (u & 1) != 0;
        ulong q = Isqrt128(odd ? sig : sig >> 1, odd ? 0 : sig << 63, out UInt128 r);
        ext = r == 0 ? 0 : r > q ? IntegerBit | 1 : 1; // r ≤ 2q, never exactly q + 1/2
        e = (u >> 1) + Bias;
        return q;
    }

    /// <summary>The discarded fraction rem/divisor as a rounding word: bit 63 = at least one
    /// half, bit 0 = sticky.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong RoundingWord(ulong rem, ulong divisor) =>
        rem == 0 ? 0 : rem > divisor - rem ? IntegerBit | 1 : rem == divisor - rem ? IntegerBit : 1;

    /// <summary>Shifts the nonzero 128-bit significand r0:r1 left until bit 127 is set, lowering
    /// the exponent <paramref name="e"/> by the shift (after a subtraction cancelled high bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Normalize128(ref ulong r0, ref ulong r1, ref int e)
    {
        if (r0 == 0)
        {
            r0 = r1;
            r1 = 0;
            e -= 64;
        }
        int lz = BitOperations.LeadingZeroCount(r0);
        if (lz != 0)
        {
            r0 = (r0 << lz) | (r1 >> (64 - lz));
            r1 <<= lz;
            e -= lz;
        }
    }

    /// <summary>(u1:u0) / v for a normalized v (bit 63 set) and u1 &lt; v: the 64-bit quotient and
    /// the remainder (Hacker's Delight, divlu, with 32-bit digits).</summary>
    public static ulong DivRem128(ulong u1, ulong u0, ulong v, out ulong rem)
    {
        const ulong b = 1UL << 32;
        ulong vn1 = v >> 32, vn0 = v & 0xFFFF_FFFF;
        ulong un1 = u0 >> 32, un0 = u0 & 0xFFFF_FFFF;
        ulong q1 = u1 / vn1, rhat = u1 - q1 * vn1;
        while (q1 >= b || q1 * vn0 > ((rhat << 32) | un1))
        {
            q1--;
            rhat += vn1;
            if (rhat >= b) break;
        }
        ulong un21 = (u1 << 32) + un1 - q1 * v;
        ulong q0 = un21 / vn1;
        rhat = un21 - q0 * vn1;
        while (q0 >= b || q0 * vn0 > ((rhat << 32) | un0))
        {
            q0--;
            rhat += vn1;
            if (rhat >= b) break;
        }
        rem = (un21 << 32) + un0 - q0 * v;
        return (q1 << 32) | q0;
    }

    /// <summary>floor(sqrt(N)) for N = hi:lo in [2^126, 2^128), and N - floor(sqrt(N))^2.</summary>
    public static ulong Isqrt128(ulong hi, ulong lo, out UInt128 remainder)
    {
        // A double estimate (good to about 2^-52, so within 2^12 of the root), one Newton step
        // q = (q0 + N / q0) / 2 with a 128/64 division (N / q0 < 2^64 because q0 ≈ sqrt(N)),
        // which lands within a unit or two; then exact correction with 128-bit products.
        double approx = Math.Sqrt(hi * 18446744073709551616.0 + lo);
        ulong q = approx >= 18446744073709551615.0 ? ulong.MaxValue : (ulong)approx;
        if (q < (1UL << 63)) q = 1UL << 63;
        if (hi < q)
        {
            ulong d = DivRem128(hi, lo, q, out _);
            q = (q >> 1) + (d >> 1) + (q & d & 1);
            if (q < (1UL << 63)) q = 1UL << 63;
        }
        var n = new UInt128(hi, lo);
        while (true)
        {
            ulong sqHi = Math.BigMul(q, q, out ulong sqLo);
            var sq = new UInt128(sqHi, sqLo);
            if (sq > n)
            {
                q--;
                continue;
            }
            UInt128 rem = n - sq;
            if (rem > 2 * (UInt128)q)
            {
                q++;
                continue;
            }
            remainder = rem;
            return q;
        }
    }
}
