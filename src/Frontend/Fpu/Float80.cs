using System.Runtime.CompilerServices;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// An x87 double-extended value as the FPU stores it (Intel SDM Vol. 1 §4.2.2, §8.2): a 64-bit
/// significand with an explicit integer bit J (bit 63), a 15-bit exponent biased by 16383 and a
/// sign. Besides the IEEE classes (zero, denormal, normal, infinity, NaN) the format has encodings
/// the 387 and later reject as "unsupported" (unnormals, pseudo-infinities, pseudo-NaNs) and
/// pseudo-denormals (exponent 0 with J = 1), which are accepted as denormal operands.
/// </summary>
public readonly struct Float80 : IEquatable<Float80>
{
    public const int Bias = 0x3FFF;
    public const int MaxExponent = 0x7FFF;
    public const ulong IntegerBit = 1UL << 63;
    public const ulong QuietBit = 1UL << 62;

    public readonly ulong Sig;
    public readonly ushort SignExp;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float80(ulong sig, ushort signExp)
    {
        Sig = sig;
        SignExp = signExp;
    }

    public Float80(bool sign, int exp, ulong sig)
    {
        Sig = sig;
        SignExp = (ushort)((sign ? 0x8000 : 0) | exp);
    }

    public bool Sign
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SignExp & 0x8000) != 0;
    }
    public int Exp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SignExp & 0x7FFF;
    }

    // (Properties, not static readonly fields: a struct in a static field lives in a GC box the
    // JIT reaches through a helper call on every use.)

    /// <summary>The x87 "real indefinite": the default QNaN of invalid operations.</summary>
    public static Float80 Indefinite => new(0xC000_0000_0000_0000, 0xFFFF);
    public static Float80 Zero => new(0, 0);
    public static Float80 NegativeZero => new(0, 0x8000);
    public static Float80 One => new(IntegerBit, Bias);
    public static Float80 PositiveInfinity => new(IntegerBit, 0x7FFF);
    public static Float80 NegativeInfinity => new(IntegerBit, 0xFFFF);

    public static Float80 Infinity(bool sign) => new(IntegerBit, (ushort)(sign ? 0xFFFF : 0x7FFF));
    public static Float80 SignedZero(bool sign) => new(0, (ushort)(sign ? 0x8000 : 0));

    public bool IsZero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SignExp & 0x7FFF) == 0 && Sig == 0;
    }
    /// <summary>Exponent 0 and a nonzero significand: a denormal or a pseudo-denormal.</summary>
    public bool IsDenormal
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SignExp & 0x7FFF) == 0 && Sig != 0;
    }
    /// <summary>A normal number (exponent 1..7FFE and J = 1).</summary>
    public bool IsNormal
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (uint)((SignExp & 0x7FFF) - 1) < 0x7FFE && (long)Sig < 0;
    }
    public bool IsInfinity
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SignExp & 0x7FFF) == 0x7FFF && Sig == IntegerBit;
    }
    public bool IsNaN
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SignExp & 0x7FFF) == 0x7FFF && (long)Sig < 0 && (Sig << 1) != 0;
    }
    public bool IsSignalingNaN
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => IsNaN && (Sig & QuietBit) == 0;
    }
    public bool IsQuietNaN
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => IsNaN && (Sig & QuietBit) != 0;
    }
    /// <summary>Unnormals, pseudo-infinities and pseudo-NaNs: a nonzero exponent without J. The
    /// 387 and later raise invalid-operation on them (SDM Vol. 1 §8.2.2).</summary>
    public bool IsUnsupported
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (SignExp & 0x7FFF) != 0 && (long)Sig >= 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float80 Negate() => new(Sig, (ushort)(SignExp ^ 0x8000));
    public Float80 Abs() => new(Sig, (ushort)(SignExp & 0x7FFF));
    public Float80 Quieted() => new(Sig | QuietBit, SignExp);

    /// <summary>The 2-bit tag the FPU reports in FSTENV/FSAVE for a nonempty register:
    /// 0 valid, 1 zero, 2 special (NaN, infinity, denormal, unsupported).</summary>
    public int Tag
    {
        get
        {
            int e = SignExp & 0x7FFF;
            if (e == 0) return Sig == 0 ? 1 : 2;
            if (e == 0x7FFF || (long)Sig >= 0) return 2;
            return 0;
        }
    }

    public bool Equals(Float80 other) => Sig == other.Sig && SignExp == other.SignExp;
    public override bool Equals(object? obj) => obj is Float80 f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(Sig, SignExp);
    public static bool operator ==(Float80 a, Float80 b) => a.Equals(b);
    public static bool operator !=(Float80 a, Float80 b) => !a.Equals(b);

    /// <summary>20 hex digits: sign/exponent, then the significand (as the tests write values).</summary>
    public override string ToString() => $"{SignExp:x4}{Sig:x16}";

    public static Float80 Parse(string hex20) =>
        new(Convert.ToUInt64(hex20.Substring(4, 16), 16), Convert.ToUInt16(hex20.Substring(0, 4), 16));

    /// <summary>The value as a double (round to nearest; for display, tests and transcendentals).</summary>
    public double ToDouble()
    {
        var env = new FpEnv(FpEnv.RoundNearest, 64);
        return BitConverter.UInt64BitsToDouble(SoftFloat.ToFloat64(ref env, this));
    }

    /// <summary>The exact extended value of a double (a NaN keeps its payload, quieted or not).</summary>
    public static Float80 FromDouble(double d)
    {
        var env = new FpEnv(FpEnv.RoundNearest, 64);
        return SoftFloat.FromFloat64(ref env, BitConverter.DoubleToUInt64Bits(d), quiet: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Float80 Pack(bool sign, int exp, ulong sig) => new(sig, (ushort)((sign ? 0x8000 : 0) | exp));
}
