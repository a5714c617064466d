using Transmeta.IR;
using System.Numerics;
using Transmeta.Frontend.Fpu;
using Xunit;

namespace Transmeta.Tests.Fpu;

/// <summary>The integer kernels of the soft float against BigInteger, and a few identities.
/// (The arithmetic itself is checked against the hardware by <see cref="X87HardwareTests"/>.)</summary>
public class SoftFloatTests
{
    [Fact]
    public void DivRem128MatchesBigInteger()
    {
        var rng = new Random(11);
        for (int i = 0; i < 200_000; i++)
        {
            ulong v = (ulong)rng.NextInt64() | 1UL << 63 | (ulong)rng.Next(2);
            ulong u1 = (ulong)rng.NextInt64() % v;
            ulong u0 = (ulong)rng.NextInt64() ^ (ulong)(uint)rng.Next() << 40;
            if (i % 7 == 0) u1 = v - 1;
            if (i % 11 == 0) v = 1UL << 63;
            if (u1 >= v) u1 = v - 1;
            ulong q = ExtendedArithmetic.DivRem128(u1, u0, v, out ulong r);
            var n = (BigInteger)u1 << 64 | u0;
            Assert.Equal(n / v, (BigInteger)q);
            Assert.Equal(n % v, (BigInteger)r);
        }
    }

    [Fact]
    public void Isqrt128MatchesBigInteger()
    {
        var rng = new Random(12);
        for (int i = 0; i < 100_000; i++)
        {
            ulong hi = (ulong)rng.NextInt64() | 1UL << 62 | (i % 2 == 0 ? 1UL << 63 : 0);
            ulong lo = (ulong)rng.NextInt64();
            if (i % 5 == 0) { hi = ulong.MaxValue; lo = ulong.MaxValue - (ulong)i; }
            if (i % 13 == 0) { ulong q0 = (ulong)rng.NextInt64() | 1UL << 63; hi = Math.BigMul(q0, q0, out lo); }
            ulong q = ExtendedArithmetic.Isqrt128(hi, lo, out UInt128 rem);
            var n = (BigInteger)hi << 64 | lo;
            var bq = (BigInteger)q;
            Assert.True(bq * bq <= n && (bq + 1) * (bq + 1) > n, $"isqrt({n}) = {q}");
            Assert.Equal(n - bq * bq, (BigInteger)rem);
        }
    }

    [Fact]
    public void DoubleRoundTripsExactly()
    {
        var rng = new Random(13);
        for (int i = 0; i < 100_000; i++)
        {
            ulong bits = (ulong)rng.NextInt64() ^ (ulong)rng.Next(4) << 62;
            double d = BitConverter.UInt64BitsToDouble(bits);
            if (double.IsNaN(d)) continue;
            Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(Float80.FromDouble(d).ToDouble()));
        }
    }

    [Fact]
    public void ConstantsAgreeWithTheComputedOnes()
    {
        // The 64-bit constants FLDPI/FLDLN2 round to must be the double-double values rounded.
        Assert.Equal("4000c90fdaa22168c235", DoubleDouble.ToFloat80Exact(DoubleDouble.Pi).ToString());
        Assert.Equal("3ffeb17217f7d1cf79ac", DoubleDouble.ToFloat80Exact(DoubleDouble.Ln2).ToString());
        Assert.Equal("3fffb8aa3b295c17f0bc", DoubleDouble.ToFloat80Exact(DoubleDouble.Log2E).ToString());
    }

    [Fact]
    public void ArithmeticMatchesDoubleWhenRoundedToDoublePrecision()
    {
        // With 53-bit precision and results in the double range, x87 arithmetic is IEEE double.
        var rng = new Random(14);
        var env = new FpEnv(FpEnv.RoundNearest, 53);
        for (int i = 0; i < 100_000; i++)
        {
            double a = (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-300, 300));
            double b = (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-300, 300));
            Float80 fa = Float80.FromDouble(a), fb = Float80.FromDouble(b);
            Assert.Equal(a + b, SoftFloat.Add(ref env, fa, fb).ToDouble());
            Assert.Equal(a - b, SoftFloat.Sub(ref env, fa, fb).ToDouble());
            Assert.Equal(a * b, SoftFloat.Mul(ref env, fa, fb).ToDouble());
            Assert.Equal(a / b, SoftFloat.Div(ref env, fa, fb).ToDouble());
            Assert.Equal(Math.Sqrt(Math.Abs(a)), SoftFloat.Sqrt(ref env, fa.Abs()).ToDouble());
        }
    }
}
