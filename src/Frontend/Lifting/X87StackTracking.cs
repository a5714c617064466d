using Iced.Intel;
using Transmeta.Frontend.Fpu;

namespace Transmeta.Frontend.Lifting;

/// <summary>
/// What the lifter knows of the x87 register stack while it lifts a block: the physical TOP, as
/// a constant (a binary translator's usual way to give the stack fixed places, which can then
/// live in host registers). The block's entry TOP is the one the CPU had
/// when the block was translated (or the one its region predecessor left); pushes and pops move
/// it; ST(i) is then a fixed offset in the FPU state, which the IR passes and the backends treat
/// like any other field (forwarded, kept in host registers by LLVM).
/// <para>The assumption is checked at run time, not trusted: the first x87 instruction of a
/// block, and the first after any helper call (which may not have pushed or popped as the
/// instruction normally does: FPTAN and FSINCOS out of range, unmasked exceptions), compares the
/// status word's TOP with the constant and leaves the block with <c>BlockExit.Slow</c> when they
/// differ: the engine then runs that instruction from a translation without the assumption
/// (<see cref="Decoding.DecodeMode.Unspecialized"/>). Instructions that write TOP or the
/// control word arbitrarily (FNINIT, FLDENV, FRSTOR, FXRSTOR, FLDCW...) end the assumption for
/// the rest of the block.</para>
/// </summary>
public sealed class X87StackTracking
{
    /// <summary>The physical TOP before the current instruction, or -1: not known (the x87
    /// instructions are then lifted as helper calls only).</summary>
    public int Top { get; set; } = -1;

    /// <summary>The TOP the block was lifted for (-1: none).</summary>
    public int BlockEntryTop { get; private set; } = -1;

    /// <summary>The status word's TOP was compared with <see cref="Top"/> since the last helper call.</summary>
    public bool Guarded { get; set; }

    /// <summary>The control word was checked to be 037F since the block start or the last
    /// control instruction.</summary>
    public bool ControlChecked { get; set; }

    /// <summary>The status word's ES bit was checked clear (no unmasked exception pending) and
    /// only inline instructions ran since: they run with every exception masked, so they never
    /// set it, and the next waiting instruction need not check again.</summary>
    public bool NoPendingException { get; set; }

    /// <summary>Physical registers known (bit i) to be full / empty here: checked or written by
    /// an earlier inline instruction of the block since the last helper call.</summary>
    public uint KnownFull { get; set; }
    public uint KnownEmpty { get; set; }

    /// <summary>Physical registers known to hold a normal number or a zero (written by an inline
    /// instruction, whose results are never anything else, or checked).</summary>
    public uint KnownFinite { get; set; }

    /// <summary>Forgets what inline instructions established about the registers.</summary>
    public void ForgetRegisters()
    {
        KnownFull = KnownEmpty = KnownFinite = 0;
        TagCheck = null;
    }

    /// <summary>
    /// The stack check of the instructions since the TOP guard: the physical registers they need
    /// full (their operands) and empty (the ones a push fills), as two constants of one test made
    /// at the guard, which grow as instructions are lifted. A register whose tag an earlier
    /// instruction of the run changed is known (<see cref="KnownFull"/>, <see cref="KnownEmpty"/>)
    /// and needs no check (or, known the other way, fails for certain: that instruction keeps
    /// its own exit), so every other requirement is one on the tags at the guard, and one side
    /// exit there covers the whole run instead of one per instruction. Each exit is a way out
    /// that keeps every guest register alive up to it (nbody's hottest unit had 35 slow exits,
    /// 22 with this). Should the test fail (a stack fault somewhere in the run), the block
    /// leaves at the guard's instruction, which runs without the inline paths, and the next one
    /// starts a block of its own: the run is then taken an instruction at a time up to the one
    /// that faults, whose helper raises the fault, as it would have.
    /// </summary>
    public StackCheck? TagCheck { get; set; }

    /// <summary>The two masks of <see cref="TagCheck"/>: their constants and values so far.</summary>
    public sealed class StackCheck(int fullMask, int emptyMask)
    {
        public int FullMask { get; } = fullMask;
        public int EmptyMask { get; } = emptyMask;
        public uint Full { get; set; }
        public uint Empty { get; set; }
    }

    /// <summary>Set by an instruction lifted inline (it moved <see cref="Top"/> itself).</summary>
    public bool HandledInline { get; set; }

    /// <summary>Set by every x87 lifter (X87Common.Begin).</summary>
    public bool Touched { get; set; }

    /// <summary>The TOP to lift a block for, from the CPU state at translation time: the
    /// status word's TOP, or -1 (assume nothing) when the control word is not 037F, since the
    /// inline arithmetic would then leave at every instruction.</summary>
    public static unsafe int EntryTopOf(byte* state) =>
        FpuState.ControlWord(state) == FpuState.DefaultControlWord ? FpuState.Top(state) : -1;

    internal void BeginBlock(int entryTop)
    {
        Top = BlockEntryTop = entryTop;
        Guarded = ControlChecked = HandledInline = Touched = NoPendingException = false;
        ForgetRegisters(); // and the stack check
    }

    /// <summary>After an x87 instruction lifted as a helper call: TOP moves as the instruction
    /// pushes or pops (Iced's FPU stack increment), to be checked again before it is relied on.</summary>
    internal void AfterInstruction(in Instruction insn)
    {
        bool control = ChangesControl(insn.Mnemonic);
        if (!Touched) return;
        Touched = false;
        if (HandledInline)
        {
            HandledInline = false;
            return;
        }
        Guarded = NoPendingException = false;
        ForgetRegisters();
        if (control) ControlChecked = false;
        if (Top < 0) return;
        FpuStackIncrementInfo info = insn.GetFpuStackIncrementInfo();
        if (control || info.WritesTop && info.Increment == 0) Top = -1;
        else Top = (Top + info.Increment) & 7;
    }

    /// <summary>Instructions that change the control word or replace the whole environment.</summary>
    private static bool ChangesControl(Mnemonic m) => m is Mnemonic.Fninit or Mnemonic.Finit or Mnemonic.Fldcw
        or Mnemonic.Fldenv or Mnemonic.Frstor or Mnemonic.Fxrstor or Mnemonic.Fnsave or Mnemonic.Fsave
        or Mnemonic.Fnstenv or Mnemonic.Fstenv or Mnemonic.Fnclex or Mnemonic.Fclex;
}
