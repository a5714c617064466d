using System.Text;

namespace Transmeta.DiffTest;

/// <summary>How a run ended: registers (Iced order), EFLAGS, the trap (-1: ran to the end), EIP
/// (the end of the code or the faulting instruction), a hash of the data buffer and, when asked
/// for, the buffer itself; <see cref="Error"/> when Transmeta failed in a way a CPU cannot.</summary>
public sealed class Outcome
{
    public uint[] Regs { get; } = new uint[8];
    public uint Eflags { get; set; }
    public int Trap { get; set; } = -1;
    public uint Eip { get; set; }
    public ulong MemoryHash { get; set; }
    public byte[]? Memory { get; set; }
    /// <summary>The x87 state at the end (or at the fault): an FNSAVE image (<see cref="FpuImage"/>).</summary>
    public byte[] Fpu { get; set; } = FpuImage.Initial();
    public string? Error { get; set; }

    public static readonly string[] RegNames = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];

    /// <summary>#SS, #GP and #PF are all SIGSEGV/SIGBUS natively: compared as one kind.</summary>
    public static int TrapClass(int trap) => trap is 12 or 13 or 14 ? 14 : trap;

    public static string TrapName(int trap) => trap switch
    {
        -1 => "none",
        0 => "#DE",
        1 => "#DB",
        3 => "#BP",
        4 => "#OF",
        5 => "#BR",
        6 => "#UD",
        7 => "#NM",
        16 => "#MF",
        12 => "#SS",
        13 => "#GP",
        14 => "#PF",
        17 => "#AC",
        _ => $"trap {trap}",
    };

    public string Describe(uint flagMask)
    {
        var sb = new StringBuilder();
        if (Error is not null) return $"error: {Error}";
        for (int i = 0; i < 8; i++) sb.Append($"{RegNames[i]}={Regs[i]:x8} ");
        sb.Append($"eflags={Eflags:x8} trap={TrapName(Trap)} eip={Eip:x8}");
        if (!FpuImage.IsInitial(Fpu)) sb.Append('\n').Append(FpuImage.Describe(Fpu));
        return sb.ToString();
    }
}

public static class Comparison
{
    /// <summary>The differences between the hardware's outcome and Transmeta's (empty: equal).</summary>
    public static List<string> Differences(CompiledSequence seq, Outcome hw, Outcome tm, out uint flagMask)
    {
        var diffs = new List<string>();
        flagMask = seq.MaskAt(hw.Eip);
        if (tm.Error is not null)
        {
            diffs.Add($"transmeta: {tm.Error}");
            return diffs;
        }
        if (Outcome.TrapClass(hw.Trap) != Outcome.TrapClass(tm.Trap))
            diffs.Add($"trap: hardware {Outcome.TrapName(hw.Trap)}, transmeta {Outcome.TrapName(tm.Trap)}");
        if (hw.Eip != tm.Eip)
        {
            diffs.Add($"eip: hardware {hw.Eip:x8}, transmeta {tm.Eip:x8}");
            flagMask &= seq.MaskAt(tm.Eip);
        }
        byte skip = hw.Trap >= 0 && Outcome.TrapClass(hw.Trap) == Outcome.TrapClass(tm.Trap) && hw.Eip == tm.Eip ? seq.RegsMaskedAt(hw.Eip) : (byte)0;
        for (int i = 0; i < 8; i++)
            if (hw.Regs[i] != tm.Regs[i] && (skip & (1 << i)) == 0)
                diffs.Add($"{Outcome.RegNames[i]}: hardware {hw.Regs[i]:x8}, transmeta {tm.Regs[i]:x8}");
        uint delta = (hw.Eflags ^ tm.Eflags) & flagMask;
        if (delta != 0)
            diffs.Add($"eflags: hardware {hw.Eflags & flagMask:x8}, transmeta {tm.Eflags & flagMask:x8} (differ in {FlagNames(delta)}; compared {flagMask:x})");
        uint fpuMask = seq.FpuMaskAt(hw.Eip);
        if (hw.Eip != tm.Eip) fpuMask = (fpuMask & seq.FpuMaskAt(tm.Eip) & 0xFFFF) | ((fpuMask | seq.FpuMaskAt(tm.Eip)) & 0xFF_0000);
        FpuImage.Differences(hw.Fpu, tm.Fpu, fpuMask, hw.Trap >= 0, diffs);
        byte[]? hwMemory = hw.Memory, tmMemory = tm.Memory;
        bool differs = hw.MemoryHash != tm.MemoryHash;
        if (seq.MaskedMemory.Length > 0 && hwMemory is not null && tmMemory is not null)
        {
            // Masked bytes (FXSAVE's XMM and reserved areas) count as equal: Transmeta's copy gets
            // the hardware's.
            tmMemory = (byte[])tmMemory.Clone();
            for (int a = 0; a < tmMemory.Length; a++)
                if (!seq.Compared(Layout.DataBase + (uint)a)) tmMemory[a] = hwMemory[a];
            differs = !hwMemory.AsSpan().SequenceEqual(tmMemory);
        }
        if (differs)
        {
            if (hwMemory is not null && tmMemory is not null)
            {
                int shown = 0;
                for (int a = 0; a < hwMemory.Length; a += 4)
                {
                    uint h = BitConverter.ToUInt32(hwMemory, a), t = BitConverter.ToUInt32(tmMemory, a);
                    if (h == t) continue;
                    if (shown++ < 8) diffs.Add($"[{Layout.DataBase + (uint)a:x8}]: hardware {h:x8}, transmeta {t:x8}");
                }
                if (shown > 8) diffs.Add($"... {shown - 8} more dwords differ");
            }
            else diffs.Add("memory differs");
        }
        return diffs;
    }

    public static string FlagNames(uint eflags)
    {
        var names = new List<string>();
        void N(uint bit, string name) { if ((eflags & bit) != 0) names.Add(name); }
        N(0x1, "CF"); N(0x4, "PF"); N(0x10, "AF"); N(0x40, "ZF"); N(0x80, "SF"); N(0x200, "IF"); N(0x400, "DF");
        N(0x800, "OF"); N(0x4000, "NT"); N(0x20_0000, "ID");
        return string.Join(" ", names);
    }
}
