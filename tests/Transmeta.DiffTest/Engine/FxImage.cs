using Iced.Intel;
using static Iced.Intel.Register;

namespace Transmeta.DiffTest;

/// <summary>
/// FXSAVE m512 and FXRSTOR m512 in the x87 family. The image (Intel SDM Vol. 2A, FXSAVE, the
/// table "Non-64-bit-Mode Layout of FXSAVE and FXRSTOR Memory Region"):
/// <code>
///   0 FCW   2 FSW   4 abridged FTW   5 reserved   6 FOP   8 FIP   12 FCS   14 reserved
///  16 FDP  20 FDS  22 reserved  24 MXCSR  28 MXCSR_MASK
///  32 + 16*i  ST(i)/MM(i): 10 bytes, then 6 reserved          (32..159)
/// 160 + 16*i  XMM(i)                                           (160..287)
/// 288..463 reserved;  464..511 available to software (the processor never writes them)
/// </code>
/// What the comparison masks, and why (<see cref="AbsState.Unpredictable"/>: the bytes are not
/// compared and no later instruction may read them, so the difference cannot travel on):
/// <list type="bullet">
/// <item>160..287, XMM0..7: Transmeta's processor model has no SSE (CPUID leaf 1 advertises FPU,
/// TSC, CX8, CMOV and FXSR only, src/Vmm/Execution/CpuidModel.cs) and writes nothing there; the
/// host stores its XMM registers (zeroed by the harness before each run, but an FXRSTOR of the
/// sequence loads them from the buffer).</item>
/// <item>288..463, reserved: the SDM gives their contents no meaning; this host (AMD EPYC) leaves
/// them as they were, as Transmeta does, but another one need not.</item>
/// </list>
/// Everything else is compared, bit for bit: 464..511 (the SDM guarantees the processor does not
/// write them; neither side does), the reserved bytes of the header and of the register slots
/// (this host writes zeros, as Transmeta does), MXCSR (both sides start each run at 0x1F80, the
/// reset value, and keep what FXRSTOR loads) and MXCSR_MASK (Transmeta reports this host's
/// 0x0002FFFF, FpuImages.MxcsrMask). FOP, FIP, FCS, FDP and FDS are stored only while an
/// exception is pending (ES) on this host, zeros otherwise; Transmeta does the same.
/// <para>FXRSTOR reads the x87 state and MXCSR from the first <see cref="X87Bytes"/> bytes (the
/// rest loads the host's XMM registers). The image is valid: MXCSR has no bit outside
/// MXCSR_MASK set, which would be #GP on the host; Transmeta, without SSE, ignores those bits
/// (FpuImages.FxRstor), so that case is not generated.</para>
/// </summary>
public static class FxImage
{
    public const int Size = 512;
    /// <summary>The x87 state and MXCSR: what FXRSTOR loads on a processor without SSE.</summary>
    public const int X87Bytes = 160;
    /// <summary>The bytes [MaskedStart, MaskedEnd) of an FXSAVE image are not compared.</summary>
    public const uint MaskedStart = 160, MaskedEnd = 464;
    /// <summary>The bits of MXCSR this host (and Transmeta) accept: its MXCSR_MASK.</summary>
    public const uint MxcsrMask = 0x0002_FFFF;

    public static Item? Make(Generator g, Code code)
    {
        Rng rng = g.Rng;
        bool save = code == Code.Fxsave_m512byte;
        var setup = new List<Instruction>();
        // The image holds the status word: the condition codes must be defined.
        if (save && (g.State.CcUndefined & FpuImage.AllCc) != 0) setup.Add(Instruction.Create(Code.Fxam));
        var insn = new Instruction { Code = code };
        uint target = Target(rng, out bool valid);
        if (!g.Memory(ref insn, 0, Size, writes: save, setup, target)) return null;
        if (rng.Chance(0.003)) insn.HasLockPrefix = true; // #UD
        var item = new Item("x87");
        foreach (Instruction s in setup) item.Add(s, setup: true);
        if (!save && valid && !insn.HasLockPrefix) Image(g, item, insn);
        item.Add(insn);
        return item;
    }

    /// <summary>Mostly a 16-byte aligned image inside the buffer (now and then across its middle
    /// page boundary); rarely misaligned (#GP) or across an end of the buffer (#PF).</summary>
    private static uint Target(Rng rng, out bool valid)
    {
        valid = true;
        int r = rng.Next(100);
        if (r < 4)
        {
            valid = false;
            return Layout.DataBase + 16 * (uint)rng.Next((int)(Layout.DataSize - Size) / 16 + 1) + (uint)rng.Range(1, 15);
        }
        if (r < 7)
        {
            valid = false;
            // Anywhere in the 512 bytes, also past the X87Bytes that hold state: the hardware
            // checks the whole operand.
            int far = Size / 16 - 1;
            return rng.Chance(0.5)
                ? Layout.DataBase - 16 * (uint)rng.Range(1, far)
                : Layout.DataEnd - Size + 16 * (uint)rng.Range(1, far);
        }
        if (r < 20) return Layout.DataBase + 0x1000 - 16 * (uint)rng.Range(1, Size / 16 - 1);
        return Layout.DataBase + 16 * (uint)rng.Next((int)(Layout.DataSize - Size) / 16 + 1);
    }

    /// <summary>Setup for FXRSTOR: an image FXSAVE just stored there (a round trip, maybe with a
    /// new status word), or one written field by field over the buffer's random bytes: always a
    /// valid MXCSR; mostly a control word, status word, abridged tag byte and FOP of the kinds
    /// <see cref="X87Family.InitialFpu"/> makes; some registers with values of every class (the
    /// others keep the buffer's random bits: unnormals, pseudo-NaNs...). FIP, FCS, FDP, FDS, the
    /// reserved bytes and MXCSR_MASK keep the buffer's bytes (FXRSTOR ignores the reserved ones).</summary>
    private static void Image(Generator g, Item item, in Instruction fxrstor)
    {
        Rng rng = g.Rng;
        var at = new MemoryOperand(fxrstor.MemoryBase, fxrstor.MemoryIndex, fxrstor.MemoryIndexScale,
            (int)fxrstor.MemoryDisplacement32, 4, false, fxrstor.SegmentPrefix == CS ? DS : fxrstor.SegmentPrefix);
        MemoryOperand Plus(int d) => new(at.Base, at.Index, at.Scale, at.Displacement + d, 4, false, at.SegmentPrefix);
        void Dword(int offset, uint value) { item.Add(Instruction.Create(Code.Mov_rm32_imm32, Plus(offset), value), setup: true); g.ImageBudget--; }
        void Word(int offset, uint value) { item.Add(Instruction.Create(Code.Mov_rm16_imm16, Plus(offset), value), setup: true); g.ImageBudget--; }

        if (rng.Chance(0.35))
        {
            // FXSAVE then FXRSTOR at the same place (FXAM first if the condition codes the
            // image would hold are undefined).
            Instruction fxsave = fxrstor;
            fxsave.Code = Code.Fxsave_m512byte;
            if (fxsave.SegmentPrefix == CS) fxsave.SegmentPrefix = DS;
            if ((g.State.CcUndefined & FpuImage.AllCc) != 0) item.Add(Instruction.Create(Code.Fxam), setup: true);
            item.Add(fxsave, setup: true);
            if (rng.Chance(0.3)) Word(2, Status(rng, (uint)rng.Next(8), 0x037F));
            return;
        }
        uint mxcsr = rng.Next(4) switch
        {
            0 or 1 => 0x1F80,
            2 => rng.NextU32() & 0xFFFF,
            _ => rng.NextU32() & MxcsrMask,
        };
        Dword(24, mxcsr);
        int top = rng.Next(8);
        if (rng.Chance(0.8))
        {
            uint cw = X87Family.ControlWord(rng);
            Dword(0, cw | Status(rng, (uint)top, cw) << 16);
            // The abridged tag byte (bit i: physical register i not empty): mostly ST(0)..ST(n-1)
            // full, else random bits.
            byte tags = 0;
            int full = rng.Range(0, 8);
            for (int i = 0; i < full; i++) tags |= (byte)(1 << ((top + i) & 7));
            if (rng.Chance(0.2)) tags = (byte)rng.Next(256);
            uint reserved = rng.Chance(0.8) ? 0 : (uint)rng.Next(256);
            uint fop = rng.Chance(0.7) ? (uint)rng.Next(0x800) : (uint)rng.Next(0x10000);
            Dword(4, tags | reserved << 8 | fop << 16);
        }
        for (int i = 0; i < 8 && g.ImageBudget >= 3; i++)
        {
            if (!rng.Chance(0.6)) continue;
            var (sig, signExp) = X87Family.Value(rng);
            Dword(32 + 16 * i, (uint)sig);
            Dword(36 + 16 * i, (uint)(sig >> 32));
            Word(40 + 16 * i, signExp);
        }
    }

    /// <summary>A status word with TOP <paramref name="top"/>: condition codes, masked exception
    /// flags, rarely an unmasked one pending; ES and B sometimes inconsistent with them (FXRSTOR
    /// recomputes them on this host).</summary>
    private static uint Status(Rng rng, uint top, uint cw)
    {
        uint sw = top << 11;
        if (rng.Chance(0.5)) sw |= rng.NextU32() & FpuImage.AllCc;
        if (rng.Chance(0.3)) sw |= rng.NextU32() & 0x7F & (cw | 0x40);
        if (rng.Chance(0.03)) sw |= 1u << rng.Next(6);
        if ((sw & ~cw & 0x3F) != 0) sw |= 0x8080;
        if (rng.Chance(0.05)) sw ^= rng.Chance(0.5) ? 0x80u : 0x8000u;
        return sw;
    }
}
