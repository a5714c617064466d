namespace Transmeta.Frontend.Fpu;

/// <summary>
/// FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ. The FPU holds the irrational constants with more
/// than 64 bits and rounds them by RC (Intel SDM Vol. 1 §8.3.8: since the 387 the constants are
/// rounded per the rounding control; no precision exception is raised). Each entry is the
/// truncated 64-bit significand and whether the discarded bits exceed one half.
/// </summary>
internal static class Constants
{
    private readonly record struct Entry(int Exp, ulong Truncated, bool NearestRoundsUp, bool Exact);

    // log2(10) = 1.A934F0979A3715FC 9257EDFE... (hex) = D49A784BCD1B8AFE 492B... x 2^1 (64-bit significand)
    private static readonly Entry L2T = new(0x4000, 0xD49A_784B_CD1B_8AFE, false, false);
    // log2(e) = B8AA3B295C17F0BB BE87FED0...
    private static readonly Entry L2E = new(0x3FFF, 0xB8AA_3B29_5C17_F0BB, true, false);
    // pi = C90FDAA22168C234 C4C6628B...
    private static readonly Entry Pi = new(0x4000, 0xC90F_DAA2_2168_C234, true, false);
    // log10(2) = 9A209A84FBCFF798 8F8959AC...
    private static readonly Entry Lg2 = new(0x3FFD, 0x9A20_9A84_FBCF_F798, true, false);
    // ln(2) = B17217F7D1CF79AB C9E3B398...
    private static readonly Entry Ln2 = new(0x3FFE, 0xB172_17F7_D1CF_79AB, true, false);

    public static Float80 Get(int kind, int rc)
    {
        Entry e;
        switch (kind)
        {
            case X87Desc.LoadKind.One: return Float80.One;
            case X87Desc.LoadKind.Zero: return Float80.Zero;
            case X87Desc.LoadKind.L2T: e = L2T; break;
            case X87Desc.LoadKind.L2E: e = L2E; break;
            case X87Desc.LoadKind.Pi: e = Pi; break;
            case X87Desc.LoadKind.Lg2: e = Lg2; break;
            default: e = Ln2; break;
        }
        bool up = rc switch
        {
            FpEnv.RoundNearest => e.NearestRoundsUp,
            FpEnv.RoundUp => !e.Exact,
            _ => false,
        };
        return new Float80(e.Truncated + (up ? 1UL : 0), (ushort)e.Exp);
    }

    /// <summary>The exact-to-64-bits rounded-to-nearest values, for the transcendental code.</summary>
    public static Float80 PiNearest => Get(X87Desc.LoadKind.Pi, FpEnv.RoundNearest);
}
