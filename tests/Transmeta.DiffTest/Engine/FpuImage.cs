using System.Buffers.Binary;
using System.Text;

namespace Transmeta.DiffTest;

/// <summary>
/// The x87 state as both sides exchange it: a 32-bit protected-mode FNSAVE image (Intel SDM Vol. 1
/// Figure 8-10), 108 bytes: CW, SW, TW (the full tag word, physical order), FIP, FCS | FOP &lt;&lt; 16,
/// FDP, FDS (each in a dword), then ST(0)..ST(7) (stack order), 10 bytes each.
/// </summary>
public static class FpuImage
{
    public const int Size = 108;
    /// <summary>C0 C1 C2 C3 in the status word.</summary>
    public const uint C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, AllCc = C0 | C1 | C2 | C3;

    public static byte[] Initial() => Build(0x037F, 0, 0xFFFF, new (ulong, ushort)[8]);

    public static byte[] Build(uint cw, uint sw, uint tw, IReadOnlyList<(ulong Sig, ushort SignExp)> st)
    {
        var img = new byte[Size];
        var s = img.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, cw | 0xFFFF_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], sw | 0xFFFF_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], tw | 0xFFFF_0000);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s[(28 + 10 * i)..], st[i].Sig);
            BinaryPrimitives.WriteUInt16LittleEndian(s[(36 + 10 * i)..], st[i].SignExp);
        }
        return img;
    }

    public static byte[] WithWords(byte[] img, uint cw, uint sw, uint tw)
    {
        var c = (byte[])img.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(c, cw | 0xFFFF_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(4), sw | 0xFFFF_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(8), tw | 0xFFFF_0000);
        return c;
    }

    public static uint Cw(byte[] img) => BinaryPrimitives.ReadUInt16LittleEndian(img);
    public static uint Sw(byte[] img) => BinaryPrimitives.ReadUInt16LittleEndian(img.AsSpan(4));
    public static uint Tw(byte[] img) => BinaryPrimitives.ReadUInt16LittleEndian(img.AsSpan(8));
    public static uint Fip(byte[] img) => BinaryPrimitives.ReadUInt32LittleEndian(img.AsSpan(12));
    public static uint Fcs(byte[] img) => BinaryPrimitives.ReadUInt16LittleEndian(img.AsSpan(16));
    public static uint Fop(byte[] img) => BinaryPrimitives.ReadUInt32LittleEndian(img.AsSpan(16)) >> 16 & 0x7FF;
    public static uint Fdp(byte[] img) => BinaryPrimitives.ReadUInt32LittleEndian(img.AsSpan(20));
    public static uint Fds(byte[] img) => BinaryPrimitives.ReadUInt16LittleEndian(img.AsSpan(24));
    public static int Top(byte[] img) => (int)(Sw(img) >> 11) & 7;

    public static (ulong Sig, ushort SignExp) St(byte[] img, int i) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(img.AsSpan(28 + 10 * i)), BinaryPrimitives.ReadUInt16LittleEndian(img.AsSpan(36 + 10 * i)));

    public static string Hex((ulong Sig, ushort SignExp) v) => $"{v.SignExp:x4}{v.Sig:x16}";

    public static bool IsInitial(byte[] img) => img.AsSpan().SequenceEqual(Initial());

    public static string Describe(byte[] img)
    {
        var sb = new StringBuilder("             x87: ");
        sb.Append($"cw={Cw(img):x4} sw={Sw(img):x4} (top {Top(img)}) tw={Tw(img):x4} fip={Fip(img):x8} fop={Fop(img):x3} fdp={Fdp(img):x8} fcs={Fcs(img):x4} fds={Fds(img):x4}\n             ");
        uint tw = Tw(img);
        for (int i = 0; i < 8; i++)
        {
            int phys = (Top(img) + i) & 7;
            bool empty = ((tw >> (2 * phys)) & 3) == 3;
            sb.Append($" st{i}={(empty ? "E" : "")}{Hex(St(img, i))}");
            if (i == 3) sb.Append("\n             ");
        }
        return sb.ToString();
    }

    /// <summary>The value as a double (round to nearest, exact for the comparison's purpose).</summary>
    public static double ToDouble((ulong Sig, ushort SignExp) v)
    {
        int exp = v.SignExp & 0x7FFF;
        double mag = exp == 0x7FFF ? (v.Sig << 1 == 0 ? double.PositiveInfinity : double.NaN)
            : Math.ScaleB((double)v.Sig, Math.Max(exp, 1) - 16383 - 63);
        return (v.SignExp & 0x8000) != 0 ? -mag : mag;
    }

    /// <summary>The loose comparison of transcendental results (FSIN FCOS FSINCOS FPTAN FPATAN
    /// F2XM1 FYL2X FYL2XP1): Transmeta's contract is a result within 1 ulp of the correctly
    /// rounded double result, so two values match when they are identical, or finite, of the
    /// same sign and at most 2 ulps of a 53-bit significand apart (1 for the contract, 1 for the
    /// hardware's own error), the ulp taken at the larger value's own exponent: a relative
    /// tolerance, applied the same way outside the double range. NaNs and infinities must be
    /// identical.</summary>
    public static bool Close((ulong Sig, ushort SignExp) a, (ulong Sig, ushort SignExp) b)
    {
        if (a == b) return true;
        int ea = a.SignExp & 0x7FFF, eb = b.SignExp & 0x7FFF;
        if (ea == 0x7FFF || eb == 0x7FFF) return false;
        if (a.Sig == 0 && b.Sig == 0) return true; // +0 and -0 (rounding of a tiny result)
        if ((a.SignExp ^ b.SignExp) >= 0x8000) return false;
        ea = Math.Max(ea, 1);
        eb = Math.Max(eb, 1);
        int e = Math.Max(ea, eb);
        if (e - Math.Min(ea, eb) > 8) return false;
        UInt128 x = ((UInt128)a.Sig << 8) >> (e - ea), y = ((UInt128)b.Sig << 8) >> (e - eb);
        UInt128 diff = x > y ? x - y : y - x, big = x > y ? x : y;
        int top = 127 - (int)UInt128.LeadingZeroCount(big);
        // Below the double range (80-bit denormals) 2 units of the 64-bit significand.
        UInt128 ulp = top >= 60 ? (UInt128)1 << (top - 52) : 1 << 8;
        return diff <= 2 * ulp;
    }

    /// <summary>Adds the differences of the x87 states to <paramref name="diffs"/>. The mask's low
    /// 16 bits are the status-word bits compared (condition codes the SDM leaves undefined are not);
    /// bits 16..23 the physical registers compared with <see cref="Close"/>.</summary>
    /// <remarks>After a fault the hardware's state comes from the signal frame, which a 64-bit
    /// kernel builds from an FXSAVE image: this host (AMD) saves FIP, FDP and FOP there only
    /// while an exception is pending (ES), and the kernel's conversion to the FNSAVE layout loses
    /// FOP. So after a fault FOP, FCS and FDS are not compared, nor FIP/FDP unless ES is set.</remarks>
    public static void Differences(byte[] hw, byte[] tm, uint mask, bool faulted, List<string> diffs)
    {
        if (Cw(hw) != Cw(tm)) diffs.Add($"fpu-cw: hardware {Cw(hw):x4}, transmeta {Cw(tm):x4}");
        uint swMask = mask & 0xFFFF;
        if (((Sw(hw) ^ Sw(tm)) & swMask) != 0)
            diffs.Add($"fpu-sw: hardware {Sw(hw) & swMask:x4}, transmeta {Sw(tm) & swMask:x4} (differ in {SwNames((Sw(hw) ^ Sw(tm)) & swMask)}; compared {swMask:x4})");
        if (Tw(hw) != Tw(tm)) diffs.Add($"fpu-tw: hardware {Tw(hw):x4}, transmeta {Tw(tm):x4}");
        bool pointers = !faulted || (Sw(hw) & 0x80) != 0;
        if ((!faulted && (Fop(hw) != Fop(tm) || Fcs(hw) != Fcs(tm) || Fds(hw) != Fds(tm)))
            || (pointers && (Fip(hw) != Fip(tm) || Fdp(hw) != Fdp(tm))))
            diffs.Add($"fpu-ptr: hardware fip={Fip(hw):x8} fop={Fop(hw):x3} fdp={Fdp(hw):x8} fcs={Fcs(hw):x4} fds={Fds(hw):x4}, transmeta fip={Fip(tm):x8} fop={Fop(tm):x3} fdp={Fdp(tm):x8} fcs={Fcs(tm):x4} fds={Fds(tm):x4}");
        int top = Top(hw);
        for (int i = 0; i < 8; i++)
        {
            // Registers by physical number (the tops may differ; that is reported above).
            int hi = i, ti = (i + Top(hw) - Top(tm)) & 7;
            int phys = (top + i) & 7;
            var h = St(hw, hi);
            var t = St(tm, ti);
            bool loose = (mask & (1u << (16 + phys))) != 0;
            if (loose ? !Close(h, t) : h != t)
                diffs.Add($"fpu-st: R{phys} (hardware st{hi}): hardware {Hex(h)}, transmeta {Hex(t)}{(loose ? " (beyond the transcendental tolerance)" : "")}");
        }
    }

    public static string SwNames(uint bits)
    {
        var names = new List<string>();
        string[] n = ["IE", "DE", "ZE", "OE", "UE", "PE", "SF", "ES", "C0", "C1", "C2", "TOP", "TOP", "TOP", "C3", "B"];
        for (int i = 0; i < 16; i++)
            if ((bits & (1u << i)) != 0 && !names.Contains(n[i])) names.Add(n[i]);
        return string.Join(" ", names);
    }
}
