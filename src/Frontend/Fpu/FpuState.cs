using System.Runtime.CompilerServices;
using Transmeta.Frontend.State;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// Layout of the x87 state in the FPU region of <see cref="CpuState"/> (offsets 512..1023), and
/// typed access to it. An all-zero region is the state FNINIT leaves (control word 037F, every
/// register empty), so a freshly zeroed CpuState needs no FPU initialization: the control word is
/// stored XOR 037F and the tags as a "not empty" bit mask.
///
/// <code>
///   +0    R0..R7, 16 bytes each (physical order): significand (8), sign/exponent (2), padding
///   +128  FSW  status word, TOP included (bits 11..13)
///   +132  FCW ^ 0x037F
///   +136  tag mask: bit i set = physical register i is not empty (the 2-bit tags of
///         FSTENV/FSAVE are computed from the contents, as the hardware does)
///   +140  FIP  offset of the last non-control x87 instruction
///   +144  FCS  its code segment selector
///   +148  FOP  its opcode (11 bits)
///   +152  FDP  offset of the last x87 memory operand
///   +156  FDS  its segment selector
///   +160  MXCSR, as FXSAVE/FXRSTOR keep it (no SSE: nothing else uses it)
///   +168  scratch for the store helpers (the value's high part, the status to commit)
///   +180  copy of TOP kept by the fast paths (a hint, checked against FSW)
///   +192  staging area for FNSTENV/FNSAVE/FXSAVE images and FLDENV/FRSTOR/FXRSTOR (160 bytes)
/// </code>
/// </summary>
public static unsafe class FpuState
{
    public const int Base = CpuState.OffFpu;
    public const int OffRegs = Base;
    public const int RegSize = 16;
    public const int OffFsw = Base + 128;
    public const int OffCwX = Base + 132;
    public const int OffTags = Base + 136;
    public const int OffFip = Base + 140;
    public const int OffFcs = Base + 144;
    public const int OffFop = Base + 148;
    public const int OffFdp = Base + 152;
    public const int OffFds = Base + 156;
    public const int OffMxcsr = Base + 160;
    /// <summary>High 16 bits of an 80-bit store (FSTP m80, FBSTP).</summary>
    public const int OffStoreHigh = Base + 168;
    /// <summary>Nonzero when a prepared store must not be written (an unmasked exception).</summary>
    public const int OffStoreSkip = Base + 172;
    /// <summary>Status bits the commit of a prepared store sets.</summary>
    public const int OffStoreStatus = Base + 176;
    /// <summary>A copy of TOP that the fast paths (<see cref="X87Fast"/>) keep, so that finding
    /// the registers of the next instruction does not wait for the status word, which the
    /// previous instruction writes last (with flags that depend on its result): the status word's
    /// TOP stays the truth; a fast path that finds the two different takes the general path,
    /// which copies TOP here again (<see cref="X87Fast.SyncTop"/>).</summary>
    public const int OffTopHint = Base + 180;
    /// <summary>Exception flags (bits 0..5) the inline paths' arithmetic raised
    /// (<see cref="Transmeta.IR.Opcode.ExtRaise"/>), kept out of the status word so that a backend
    /// can keep them in its own floating-point unit's sticky flags and store them only when
    /// state becomes observable. The status word is FSW | these: <see cref="Fsw"/> folds them in,
    /// and whatever clears or replaces the status word's flags clears these too
    /// (<see cref="SetStatusWord"/>).</summary>
    public const int OffRaised = Base + 184;
    public const int OffStage = Base + 192;
    public const int StageSize = 160;
    public const int End = OffStage + StageSize;

    public const uint DefaultControlWord = 0x037F;

    /// <summary>MXCSR after reset (all SIMD exceptions masked); XOR-stored like the control word.</summary>
    public const uint DefaultMxcsr = 0x1F80;

    static FpuState()
    {
        if (End > CpuState.Size) throw new InvalidOperationException("FPU state does not fit in CpuState");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Float80 Reg(byte* state, int phys) => ref *(Float80*)(state + OffRegs + RegSize * phys);

    /// <summary>The status word, with the flags the inline paths raised folded in
    /// (<see cref="OffRaised"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref uint Fsw(byte* state)
    {
        *(uint*)(state + OffFsw) |= *(uint*)(state + OffRaised) & FpuBits.Exceptions;
        return ref *(uint*)(state + OffFsw);
    }

    /// <summary>Replaces the status word, exception flags included (FNCLEX, FNINIT, FLDENV,
    /// FRSTOR, FXRSTOR).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetStatusWord(byte* state, uint value)
    {
        *(uint*)(state + OffFsw) = value;
        *(uint*)(state + OffRaised) = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref uint Tags(byte* state) => ref *(uint*)(state + OffTags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ControlWord(byte* state) => *(uint*)(state + OffCwX) ^ DefaultControlWord;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetControlWord(byte* state, uint cw) => *(uint*)(state + OffCwX) = (cw & 0xFFFF) ^ DefaultControlWord;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Top(byte* state) => (int)(*(uint*)(state + OffFsw) >> 11) & 7;

    public static uint Mxcsr(byte* state) => *(uint*)(state + OffMxcsr) ^ DefaultMxcsr;
    public static void SetMxcsr(byte* state, uint v) => *(uint*)(state + OffMxcsr) = v ^ DefaultMxcsr;

    /// <summary>The full tag word (2 bits per physical register: 00 valid, 01 zero, 10 special,
    /// 11 empty), as FSTENV and FSAVE store it.</summary>
    public static uint TagWord(byte* state)
    {
        uint tags = Tags(state), tw = 0;
        for (int i = 0; i < 8; i++)
        {
            uint t = (tags & (1u << i)) == 0 ? 3u : (uint)Reg(state, i).Tag;
            tw |= t << (2 * i);
        }
        return tw;
    }

    /// <summary>Loads a full tag word: 11 means empty, anything else not empty (the FPU recomputes
    /// the class from the contents, as FLDENV/FRSTOR do on the P6 and later).</summary>
    public static void SetTagWord(byte* state, uint tw)
    {
        uint tags = 0;
        for (int i = 0; i < 8; i++)
            if (((tw >> (2 * i)) & 3) != 3) tags |= 1u << i;
        Tags(state) = tags;
    }

    /// <summary>FNINIT: control word 037F, status 0, every register empty, pointers cleared.
    /// The register contents stay (as on hardware).</summary>
    public static void Init(byte* state)
    {
        *(uint*)(state + OffCwX) = 0;
        SetStatusWord(state, 0);
        Tags(state) = 0;
        *(uint*)(state + OffFip) = 0;
        *(uint*)(state + OffFcs) = 0;
        *(uint*)(state + OffFop) = 0;
        *(uint*)(state + OffFdp) = 0;
        *(uint*)(state + OffFds) = 0;
    }
}
