namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The 80-bit packed BCD format of FBLD/FBSTP (Intel SDM Vol. 1 §4.7): bytes 0..8 hold 18
/// decimal digits, two per byte (the less significant digit in the low nibble, byte 0 the least
/// significant); bit 7 of byte 9 is the sign, its other bits are ignored on load and zero on store.
/// </summary>
internal static class Bcd
{
    private const ulong Limit = 1_000_000_000_000_000_000; // 10^18

    /// <summary>FBLD: exact. Digits above 9 are undefined on hardware; here they weigh their
    /// nibble value.</summary>
    public static Float80 FromPacked(ulong low, ushort high)
    {
        ulong v = 0;
        // byte 8 (digits 17, 16) is the low byte of high
        v = Digits((byte)high);
        for (int i = 7; i >= 0; i--) v = v * 100 + Digits((byte)(low >> (8 * i)));
        Float80 r = SoftFloat.FromInt((long)v);
        return (high & 0x8000) != 0 ? r.Negate() : r;
    }

    private static ulong Digits(byte b) => (ulong)(b >> 4) * 10 + (ulong)(b & 0xF);

    /// <summary>FBSTP: rounds by RC; NaN, infinity, unsupported or |value| &gt;= 10^18 is invalid
    /// (the packed BCD indefinite: FFFF C000000000000000).</summary>
    public static ulong ToPacked(ref FpEnv env, Float80 a, out uint high)
    {
        high = 0xFFFF;
        const ulong indefinite = 0xC000_0000_0000_0000;
        if (a.IsUnsupported || a.IsNaN || a.IsInfinity)
        {
            env.Flags |= FpuBits.IE;
            return indefinite;
        }
        ulong mag = 0;
        if (!a.IsZero)
        {
            int e = SoftFloat.Normalize(a, out ulong sig);
            if (!SoftFloat.RoundToInteger(env.Rc, a.Sign, e, sig, out mag, out bool inexact, out bool up) || mag >= Limit)
            {
                env.Flags |= FpuBits.IE;
                return indefinite;
            }
            if (inexact) env.Flags |= FpuBits.PE;
            if (up) env.Flags |= FpuBits.C1;
        }
        ulong low = 0;
        for (int i = 0; i < 8; i++)
        {
            ulong pair = mag % 100;
            mag /= 100;
            low |= ((pair / 10) << 4 | (pair % 10)) << (8 * i);
        }
        ulong top = mag % 100;
        high = (uint)((top / 10) << 4 | (top % 10)) | (a.Sign ? 0x8000u : 0);
        return low;
    }
}
