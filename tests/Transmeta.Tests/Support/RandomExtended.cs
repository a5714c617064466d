using Transmeta.Frontend.Fpu;

namespace Transmeta.Tests.Support;

/// <summary>Random extended-precision operands for the arithmetic tests.</summary>
public static class RandomExtended
{
    /// <summary>Normal numbers and zeros, biased toward the cases the algorithms split on:
    /// equal and nearby exponents (to <paramref name="other"/>), significands with few bits, all
    /// ones, equal magnitudes; exponents around <paramref name="expCenter"/>.</summary>
    public static Float80 Operand(Random rng, Float80 other, int expCenter, int expSpread)
    {
        if (rng.Next(20) == 0) return new Float80(0, (ushort)(rng.Next(2) << 15));
        int exp = rng.Next(6) switch
        {
            0 => other.SignExp & 0x7FFF,
            1 => (other.SignExp & 0x7FFF) + rng.Next(-70, 71),
            _ => expCenter + rng.Next(-expSpread, expSpread + 1),
        };
        exp = Math.Clamp(exp, 1, 0x7FFE);
        ulong sig = rng.Next(5) switch
        {
            0 => Float80.IntegerBit | ((ulong)rng.NextInt64() >> rng.Next(1, 64)),
            1 => ulong.MaxValue << rng.Next(0, 63),
            2 => other.Sig != 0 ? other.Sig : Float80.IntegerBit,
            _ => Float80.IntegerBit | (ulong)rng.NextInt64(),
        };
        return new Float80(sig | Float80.IntegerBit, (ushort)(exp | rng.Next(2) << 15));
    }

    /// <summary>An operand of any class: mostly <see cref="Operand"/>'s normal numbers and zeros,
    /// else denormals, pseudo-denormals, unnormals, infinities, quiet and signaling NaNs,
    /// pseudo-infinities and pseudo-NaNs (the encodings the x87 rejects as invalid).</summary>
    public static Float80 AnyOperand(Random rng, Float80 other, int expCenter, int expSpread)
    {
        ushort sign = (ushort)(rng.Next(2) << 15);
        ulong low = (ulong)rng.NextInt64() >> rng.Next(1, 64);
        return rng.Next(16) switch
        {
            0 => new Float80(low | 1, sign),                                              // denormal
            1 => new Float80(Float80.IntegerBit | low, sign),                             // pseudo-denormal
            2 => new Float80(low | 1, (ushort)(sign | rng.Next(1, 0x7FFF))),              // unnormal
            3 => new Float80(Float80.IntegerBit, (ushort)(sign | 0x7FFF)),                // infinity
            4 => new Float80(Float80.IntegerBit | Float80.QuietBit | low, (ushort)(sign | 0x7FFF)), // QNaN
            5 => new Float80(Float80.IntegerBit | (low >> 1) | 1, (ushort)(sign | 0x7FFF)), // SNaN
            6 => new Float80(low, (ushort)(sign | 0x7FFF)),                               // pseudo-infinity or -NaN
            _ => Operand(rng, other, expCenter, expSpread),
        };
    }
}
