using System.Numerics;
using static Transmeta.Frontend.Fpu.FpuBits;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// A value as the unevaluated sum of two doubles (about 106 significant bits), with the few
/// operations the x87 transcendental instructions need: enough precision that rounding the
/// result once to the 64-bit extended significand is within one extended ulp. Constants (pi,
/// ln 2) are computed at startup with <see cref="BigInteger"/> fixed point, which also does the
/// exact argument reduction of FSIN/FCOS/FPTAN (|x| up to 2^63, reduced modulo pi/2 with a
/// 512-bit pi).
/// </summary>
public readonly struct DoubleDouble
{
    public readonly double Hi, Lo;

    public DoubleDouble(double hi, double lo = 0)
    {
        Hi = hi;
        Lo = lo;
    }

    public static readonly DoubleDouble One = new(1);

    // ------------------------------------------------------------------ exact building blocks

    private static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        double e = (a - (s - bb)) + (b - bb);
        return new DoubleDouble(s, e);
    }

    private static DoubleDouble FastTwoSum(double a, double b)
    {
        double s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }

    private static DoubleDouble TwoProd(double a, double b)
    {
        double p = a * b;
        return new DoubleDouble(p, Math.FusedMultiplyAdd(a, b, -p));
    }

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        DoubleDouble s = TwoSum(a.Hi, b.Hi);
        DoubleDouble t = TwoSum(a.Lo, b.Lo);
        s = FastTwoSum(s.Hi, s.Lo + t.Hi);
        return FastTwoSum(s.Hi, s.Lo + t.Lo);
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);
    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        DoubleDouble p = TwoProd(a.Hi, b.Hi);
        double t = a.Hi * b.Lo + a.Lo * b.Hi;
        return FastTwoSum(p.Hi, p.Lo + t);
    }

    public static DoubleDouble operator *(DoubleDouble a, double b)
    {
        DoubleDouble p = TwoProd(a.Hi, b);
        return FastTwoSum(p.Hi, p.Lo + a.Lo * b);
    }

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        DoubleDouble r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return new DoubleDouble(q1, 0) + new DoubleDouble(q2, 0) + new DoubleDouble(q3, 0);
    }

    public static DoubleDouble Sqrt(DoubleDouble a)
    {
        if (a.Hi <= 0) return default;
        double x = Math.Sqrt(a.Hi);
        // One Newton step: x + (a - x^2) / (2x).
        DoubleDouble xx = TwoProd(x, x);
        double corr = ((a - xx).Hi) / (2 * x);
        return FastTwoSum(x, corr);
    }

    public static DoubleDouble Ldexp(DoubleDouble a, int n) => new(Math.ScaleB(a.Hi, n), Math.ScaleB(a.Lo, n));

    // ------------------------------------------------------------------ constants

    private const int FixedBits = 512;
    private static readonly BigInteger FixedOne = BigInteger.One << FixedBits;
    /// <summary>pi × 2^512, floor.</summary>
    private static readonly BigInteger PiFixed = ComputePi();
    private static readonly BigInteger Ln2Fixed = ComputeLn2();

    public static readonly DoubleDouble Pi = FromFixed(PiFixed, FixedBits);
    public static readonly DoubleDouble Ln2 = FromFixed(Ln2Fixed, FixedBits);
    /// <summary>log2(e) = 1 / ln 2.</summary>
    public static readonly DoubleDouble Log2E = FromFixed((FixedOne << FixedBits) / Ln2Fixed, FixedBits);

    private static BigInteger AtanInverse(int n)
    {
        // atan(1/n) × 2^512 (plus guard bits) by the alternating series.
        BigInteger one = FixedOne << 32;
        BigInteger sum = 0, term = one / n;
        BigInteger n2 = (BigInteger)n * n;
        for (int k = 0; !term.IsZero; k++)
        {
            BigInteger t = term / (2 * k + 1);
            sum += (k & 1) == 0 ? t : -t;
            term /= n2;
        }
        return sum;
    }

    private static BigInteger ComputePi()
    {
        // Machin: pi/4 = 4 atan(1/5) - atan(1/239).
        BigInteger pi = 4 * (4 * AtanInverse(5) - AtanInverse(239));
        return pi >> 32;
    }

    private static BigInteger ComputeLn2()
    {
        // ln 2 = 2 atanh(1/3) = 2 Σ 1/((2k+1) 3^(2k+1)).
        BigInteger one = FixedOne << 32;
        BigInteger sum = 0, term = one / 3;
        for (int k = 0; !term.IsZero; k++)
        {
            sum += term / (2 * k + 1);
            term /= 9;
        }
        return (2 * sum) >> 32;
    }

    /// <summary>v / 2^fracBits as a double-double (v &gt; 0).</summary>
    private static DoubleDouble FromFixed(BigInteger v, int fracBits)
    {
        bool neg = v.Sign < 0;
        if (neg) v = -v;
        if (v.IsZero) return default;
        long bits = (long)v.GetBitLength();
        int drop = (int)Math.Max(0, bits - 110);
        BigInteger top = v >> drop; // at most 110 bits
        double hi = (double)(top >> 57 << 57);
        double lo = (double)(top - (top >> 57 << 57));
        DoubleDouble r = FastTwoSum(hi, lo);
        r = Ldexp(r, drop - fracBits);
        return neg ? -r : r;
    }

    // ------------------------------------------------------------------ Float80 conversions

    /// <summary>The exact value of a finite nonzero extended <paramref name="a"/> as
    /// dd × 2^<paramref name="scale"/>: scale = 0 when the exponent is within ±900 (the whole
    /// double-double arithmetic stays normal), else dd holds the significand in [1, 2).</summary>
    public static DoubleDouble From(Float80 a, out int scale, bool allowHuge = false)
    {
        int e = SoftFloat.Normalize(a, out ulong sig) - Float80.Bias;
        scale = e is > 900 or < -900 ? e : 0;
        return FromScaled(a.Sign, sig, e - scale);
    }

    /// <summary>(sig / 2^63) × 2^e.</summary>
    public static DoubleDouble FromScaled(bool sign, ulong sig, int e)
    {
        double hi = (double)(sig & 0xFFFF_FFFF_FFFF_F800);
        double lo = (double)(sig & 0x7FF);
        DoubleDouble r = Ldexp(FastTwoSum(hi, lo), e - 63);
        return sign ? -r : r;
    }

    /// <summary>Rounds to an extended value with the environment's rounding mode (64 bits), as
    /// an inexact result: PE is always raised, C1 when rounded up.</summary>
    public static Float80 ToFloat80(ref FpEnv env, DoubleDouble v, int scale = 0)
    {
        if (v.Hi == 0) return Float80.SignedZero(double.IsNegative(v.Hi));
        bool sign = v.Hi < 0;
        double hi = Math.Abs(v.Hi), lo = sign ? -v.Lo : v.Lo;
        long hb = BitConverter.DoubleToInt64Bits(hi);
        int eh = (int)(hb >> 52) - 1075; // hi = mh × 2^eh
        ulong mh = ((ulong)hb & 0xF_FFFF_FFFF_FFFF) | (1UL << 52);
        // 128-bit significand with hi's leading bit at bit 127: value = sig × 2^(eh + 52 - 127).
        UInt128 sig = (UInt128)mh << 75;
        bool sticky = false;
        if (lo != 0)
        {
            long lb = BitConverter.DoubleToInt64Bits(Math.Abs(lo));
            int el = (int)(lb >> 52) - 1075;
            ulong ml = ((ulong)lb & 0xF_FFFF_FFFF_FFFF) | ((lb >> 52) != 0 ? 1UL << 52 : 0);
            if ((lb >> 52) == 0) el = -1074;
            int offset = el - eh + 75;
            UInt128 l;
            if (offset >= 0) l = (UInt128)ml << offset;
            else if (offset > -64)
            {
                l = ml >> -offset;
                sticky = (ml << (64 + offset)) != 0;
            }
            else
            {
                l = 0;
                sticky = true;
            }
            if (lo > 0) sig += l;
            else
            {
                sig -= l;
                if (sticky) sig -= 1;
            }
        }
        int e = eh + 52 + Float80.Bias + scale;
        int lz = (int)UInt128.LeadingZeroCount(sig);
        sig <<= lz;
        e -= lz;
        var env64 = env with { Precision = 64, Flags = 0 };
        Float80 r = SoftFloat.RoundPack(ref env64, sign, e, (ulong)(sig >> 64), (ulong)sig | (sticky ? 1UL : 0), 64);
        env.Flags |= env64.Flags | PE;
        return r;
    }

    /// <summary>The extended value nearest to v (for constants used as soft-float operands).</summary>
    public static Float80 ToFloat80Exact(DoubleDouble v)
    {
        var env = new FpEnv(FpEnv.RoundNearest, 64);
        return ToFloat80(ref env, v);
    }

    // ------------------------------------------------------------------ functions

    /// <summary>pi rounded to 66 bits (C90FDAA22168C234C × 2^-66), the value every x87 (Intel and
    /// AMD alike) reduces the arguments of FSIN, FCOS, FSINCOS and FPTAN by: near multiples of pi
    /// their results differ from the true function by much more than an ulp, and so do ours.</summary>
    private static readonly BigInteger HalfPi66Fixed =
        BigInteger.Parse("0C90FDAA22168C234C", System.Globalization.NumberStyles.HexNumber) << (FixedBits - 66 - 1);

    /// <summary>sin and cos of x (any finite x below 2^63 in magnitude), with the argument reduced
    /// exactly modulo the x87's 66-bit pi/2 (<see cref="HalfPi66Fixed"/>).</summary>
    public static void SinCos(DoubleDouble x, out DoubleDouble sin, out DoubleDouble cos)
    {
        int quadrant = 0;
        DoubleDouble r = x;
        if (Math.Abs(x.Hi) > 0.785)
        {
            // x × 2^512 as an integer (exact: x has at most 106 significant bits, none below
            // 2^-512), then k = round(x / (pi66/2)) and r = x - k pi66/2, in fixed point.
            BigInteger xf = ToFixed(x);
            BigInteger halfPi = HalfPi66Fixed;
            BigInteger k = BigInteger.Divide(2 * xf + (xf.Sign >= 0 ? halfPi : -halfPi), 2 * halfPi);
            BigInteger rf = xf - k * halfPi;
            quadrant = (int)(k & 3);
            r = FromFixed(rf, FixedBits);
        }
        SinCosReduced(r, out DoubleDouble s, out DoubleDouble c);
        switch (quadrant)
        {
            case 0: sin = s; cos = c; break;
            case 1: sin = c; cos = -s; break;
            case 2: sin = -s; cos = -c; break;
            default: sin = -c; cos = s; break;
        }
    }

    private static BigInteger ToFixed(DoubleDouble x) => ToFixed(x.Hi) + ToFixed(x.Lo);

    private static BigInteger ToFixed(double d)
    {
        if (d == 0) return 0;
        long b = BitConverter.DoubleToInt64Bits(d);
        int e = (int)((b >> 52) & 0x7FF);
        ulong m = ((ulong)b & 0xF_FFFF_FFFF_FFFF) | (e != 0 ? 1UL << 52 : 0);
        int shift = (e == 0 ? -1074 : e - 1075) + FixedBits;
        BigInteger v = shift >= 0 ? (BigInteger)m << shift : (BigInteger)m >> -shift;
        return d < 0 ? -v : v;
    }

    /// <summary>Taylor series for |r| ≤ pi/4.</summary>
    private static void SinCosReduced(DoubleDouble r, out DoubleDouble sin, out DoubleDouble cos)
    {
        DoubleDouble r2 = r * r;
        // sin r = r - r^3/3! + ...; cos r = 1 - r^2/2! + ...
        DoubleDouble s = r, c = One;
        DoubleDouble termS = r, termC = One;
        for (int k = 1; k <= 16; k++)
        {
            termS = termS * r2 / new DoubleDouble((2 * k) * (2 * k + 1));
            termC = termC * r2 / new DoubleDouble((2 * k - 1) * (2 * k));
            if ((k & 1) != 0)
            {
                s -= termS;
                c -= termC;
            }
            else
            {
                s += termS;
                c += termC;
            }
            if (Math.Abs(termS.Hi) < 1e-40 && Math.Abs(termC.Hi) < 1e-40) break;
        }
        sin = s;
        cos = c;
    }

    /// <summary>atan(t) for |t| ≤ 1: three argument halvings t → t / (1 + sqrt(1 + t²)), then
    /// the Taylor series.</summary>
    private static DoubleDouble Atan(DoubleDouble t)
    {
        for (int i = 0; i < 3; i++) t /= One + Sqrt(One + t * t);
        DoubleDouble t2 = t * t, term = t, sum = t;
        for (int k = 1; k < 40; k++)
        {
            term = term * t2;
            DoubleDouble q = term / new DoubleDouble(2 * k + 1);
            sum = (k & 1) != 0 ? sum - q : sum + q;
            if (Math.Abs(q.Hi) < Math.Abs(sum.Hi) * 1e-36) break;
        }
        return sum * 8.0;
    }

    /// <summary>atan2(y, x) for finite nonzero x and y of moderate exponents.</summary>
    public static DoubleDouble Atan2(DoubleDouble y, DoubleDouble x)
    {
        bool ny = y.Hi < 0, nx = x.Hi < 0;
        DoubleDouble ay = ny ? -y : y, ax = nx ? -x : x;
        DoubleDouble r;
        if (ay.Hi <= ax.Hi) r = Atan(ay / ax);
        else r = Pi * 0.5 - Atan(ax / ay);
        if (nx) r = Pi - r;
        return ny ? -r : r;
    }

    /// <summary>2^x - 1 for |x| ≤ 1 (larger |x| works while 2^x stays in the double range).</summary>
    public static DoubleDouble Exp2m1(DoubleDouble x)
    {
        DoubleDouble t = x * Ln2;
        // expm1(t) with t reduced by 2^8, then expm1(2u) = expm1(u) (expm1(u) + 2) eight times.
        const int halvings = 8;
        DoubleDouble u = Ldexp(t, -halvings);
        DoubleDouble term = u, sum = u;
        for (int k = 2; k < 30; k++)
        {
            term = term * u / new DoubleDouble(k);
            sum += term;
            if (Math.Abs(term.Hi) < Math.Abs(sum.Hi) * 1e-36) break;
        }
        for (int i = 0; i < halvings; i++) sum = sum * (sum + new DoubleDouble(2));
        return sum;
    }

    /// <summary>ln(1 + x) = 2 atanh(x / (2 + x)) for x &gt; -1 near 0.</summary>
    private static DoubleDouble Log1p(DoubleDouble x)
    {
        DoubleDouble s = x / (new DoubleDouble(2) + x);
        DoubleDouble s2 = s * s, term = s, sum = s;
        for (int k = 1; k < 80; k++)
        {
            term = term * s2;
            DoubleDouble q = term / new DoubleDouble(2 * k + 1);
            sum += q;
            if (Math.Abs(q.Hi) < Math.Abs(sum.Hi) * 1e-36) break;
        }
        return sum * 2.0;
    }

    /// <summary>log2((sig / 2^63) × 2^e) for a normalized significand.</summary>
    public static DoubleDouble Log2(int e, ulong sig)
    {
        DoubleDouble m = FromScaled(false, sig, 0); // [1, 2)
        if (m.Hi > 1.4142135623730951)
        {
            m = Ldexp(m, -1);
            e++;
        }
        DoubleDouble l = Log1p(m - One) * Log2E;
        return new DoubleDouble(e) + l;
    }

    /// <summary>log2(1 + x) for x &gt; -1: the atanh series near 0, log2 of the sum elsewhere.</summary>
    public static DoubleDouble Log2p1(DoubleDouble x)
    {
        if (Math.Abs(x.Hi) < 0.25) return Log1p(x) * Log2E;
        return Log2(One + x);
    }

    /// <summary>log2 of a positive double-double.</summary>
    public static DoubleDouble Log2(DoubleDouble v)
    {
        int e = Math.ILogB(v.Hi);
        DoubleDouble m = Ldexp(v, -e);
        if (m.Hi > 1.4142135623730951)
        {
            m = Ldexp(m, -1);
            e++;
        }
        return new DoubleDouble(e) + Log1p(m - One) * Log2E;
    }
}
