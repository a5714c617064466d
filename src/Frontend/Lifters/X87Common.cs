using Iced.Intel;
using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.Helpers;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// What every x87 lifter does before and around its helper call (Intel SDM Vol. 3A §2.5 CR0,
/// Vol. 1 §8.7 and §8.6):
/// <list type="bullet">
/// <item>#NM (vector 7) when CR0.EM or CR0.TS is set (for WAIT/FWAIT: when CR0.MP and CR0.TS
/// both are). CR0 only changes through VMM exits, which end the block, so the test is emitted
/// once per block, at its first x87 instruction; later ones are dominated by it.</item>
/// <item>#MF (vector 16) for a "waiting" instruction when the status word's ES bit says an
/// unmasked exception is pending (raised by an earlier instruction). Checked inline, before any
/// memory operand is read. CR0.NE=0 would route the error to IRQ 13 through the PIC; this VM has
/// no PIC path for it yet, so #MF is raised whatever NE says (documented deviation).</item>
/// <item>Memory operands are read before the helper runs and written between a "prepare" helper
/// (which changes nothing) and a "commit" helper, so a faulting access leaves the FPU untouched.</item>
/// </list>
/// </summary>
internal static class X87Common
{
    public const uint Cr0Mp = 1u << 1, Cr0Em = 1u << 2, Cr0Ts = 1u << 3;

    [ThreadStatic] private static LiftContext? _nmCheckedIn;
    [ThreadStatic] private static uint _nmCheckedBlock;
    [ThreadStatic] private static LiftContext? _waitCheckedIn;
    [ThreadStatic] private static uint _waitCheckedBlock;

    public static X87Helpers Helpers => FrontendHelpers.Instance.X87;

    /// <summary>#NM for an x87 instruction (EM or TS), then #MF if <paramref name="waiting"/>.</summary>
    public static void Begin(LiftContext cx, bool waiting)
    {
        if (!ReferenceEquals(_nmCheckedIn, cx) || _nmCheckedBlock != cx.BlockStart)
        {
            int cr0 = cx.B.LoadState(CpuState.OffCr0);
            cx.FaultIf(cx.B.And(cr0, Cr0Em | Cr0Ts), ExceptionVectors.DeviceNotAvailable);
            _nmCheckedIn = cx;
            _nmCheckedBlock = cx.BlockStart;
        }
        if (waiting) CheckPending(cx);
        cx.X87.Touched = true;
        GuardTop(cx);
    }

    /// <summary>Where the lifter assumes a TOP and has not checked it since the block start or
    /// the last helper call: leave with BlockExit.Slow unless the status word agrees
    /// (Lifting/X87StackTracking.cs).</summary>
    private static void GuardTop(LiftContext cx)
    {
        X87StackTracking x87 = cx.X87;
        if (x87.Top < 0 || x87.Guarded || !X87InlinePath.Enabled) return;
        IrBuilder b = cx.B;
        int top = b.And(b.ShrImm(b.LoadState(FpuState.OffFsw), FpuBits.TopShift), 7u);
        // With the stack check of the instructions that follow (X87StackTracking.TagCheck):
        // (tags & full) != full || (tags & empty) != 0, the masks filled in as they are lifted.
        int tags = b.LoadState(FpuState.OffTags);
        var check = new X87StackTracking.StackCheck(b.Const(0u), b.Const(0u));
        int missing = b.Ne(b.And(tags, check.FullMask), check.FullMask);
        int occupied = b.And(tags, check.EmptyMask);
        cx.ExitIf(b.Or(b.Or(b.Ne(top, b.Const(x87.Top)), missing), occupied), BlockExit.Slow);
        x87.Guarded = true;
        x87.TagCheck = check;
    }

    /// <summary>The control word is 037F (round to nearest, 64-bit precision, every exception
    /// masked: the inline arithmetic's assumptions), checked once per block and again after a
    /// control instruction; otherwise BlockExit.Slow.</summary>
    public static void RequireDefaultControl(LiftContext cx)
    {
        if (cx.X87.ControlChecked) return;
        // Stored XOR 037F: the default is zero.
        cx.ExitIf(cx.B.LoadState(FpuState.OffCwX), BlockExit.Slow);
        cx.X87.ControlChecked = true;
    }

    /// <summary>WAIT/FWAIT: #NM when MP and TS are both set, then #MF.</summary>
    public static void BeginWait(LiftContext cx)
    {
        bool covered = ReferenceEquals(_nmCheckedIn, cx) && _nmCheckedBlock == cx.BlockStart;
        bool waitCovered = ReferenceEquals(_waitCheckedIn, cx) && _waitCheckedBlock == cx.BlockStart;
        if (!covered && !waitCovered)
        {
            IrBuilder b = cx.B;
            int cr0 = b.LoadState(CpuState.OffCr0);
            cx.FaultIf(b.Eq(b.And(cr0, Cr0Mp | Cr0Ts), b.Const(Cr0Mp | Cr0Ts)), ExceptionVectors.DeviceNotAvailable);
            _waitCheckedIn = cx;
            _waitCheckedBlock = cx.BlockStart;
        }
        CheckPending(cx);
    }

    /// <summary>#MF when an unmasked exception is pending (Intel SDM Vol. 1 §8.6), unless the
    /// block already knows there is none (<see cref="X87StackTracking.NoPendingException"/>).</summary>
    private static void CheckPending(LiftContext cx)
    {
        if (cx.X87.NoPendingException) return;
        int fsw = cx.B.LoadState(FpuState.OffFsw);
        cx.FaultIf(cx.B.And(fsw, FpuBits.ES), ExceptionVectors.FloatingPoint);
        cx.X87.NoPendingException = true;
    }

    /// <summary>The memory operand: its offset (for FDP) and linear address.</summary>
    public static (int Offset, int Linear) Memory(LiftContext cx)
    {
        int ea = cx.EffectiveAddress();
        int linear = cx.B.Add(cx.SegmentBase(cx.Insn.MemorySegment), ea);
        return (ea, linear);
    }

    /// <summary>Checks that the byte at <paramref name="linear"/> can be written, by writing it
    /// back unchanged: it faults where a write would, and changes nothing (how the stores that
    /// must fault before any effect probe their pages).</summary>
    public static void ProbeWrite(LiftContext cx, int linear) => cx.WriteMemory(1, linear, cx.ReadMemory(1, linear));

    /// <summary>An m64 operand (I64), one 8-byte access.</summary>
    public static int Read64(LiftContext cx, int linear) => cx.ReadMemory(8, linear);

    /// <summary>An m64 store: one 8-byte access (the caller has made sure that an operand that
    /// crosses into a page that faults writes nothing).</summary>
    public static void Write64(LiftContext cx, int linear, int value) => cx.WriteMemory(8, linear, value);

    /// <summary>Segment register number (ES CS SS DS FS GS) of the memory operand.</summary>
    public static int SegmentIndex(LiftContext cx) => cx.Insn.MemorySegment - Register.ES;

    /// <summary>ST(i) of an operand.</summary>
    public static int St(LiftContext cx, int op) => cx.Insn.GetOpRegister(op) - Register.ST0;

    /// <summary>The 11-bit x87 opcode (FOP): low 3 bits of the escape byte, then the ModRM byte,
    /// rebuilt from the decoded instruction (Intel SDM Vol. 1 §8.1.9).</summary>
    public static int Fop(LiftContext cx)
    {
        Instruction insn = cx.Insn;
        OpCodeInfo info = insn.Code.ToOpCode();
        uint opcode = info.OpCode;
        int sti = 0;
        bool hasMem = false;
        for (int i = 0; i < insn.OpCount; i++)
        {
            OpKind kind = insn.GetOpKind(i);
            hasMem |= kind == OpKind.Memory;
            Register r = kind == OpKind.Register ? insn.GetOpRegister(i) : Register.None;
            if (r >= Register.ST1 && r <= Register.ST7) sti = r - Register.ST0;
        }
        int esc, modrm;
        if (info.OpCodeLength == 2)
        {
            // Register forms: Iced's opcode is the escape byte and the ModRM byte (C0+i forms
            // give the base), e.g. D9E0 for FCHS, D8C0 for FADD ST(0), ST(i).
            esc = (int)(opcode >> 8);
            modrm = (int)(opcode & 0xFF) | sti;
        }
        else
        {
            esc = (int)(opcode & 0xFF);
            int reg = info.GroupIndex >= 0 ? info.GroupIndex : 0;
            modrm = hasMem ? (reg << 3) | ModRmMemoryBits(insn) : 0xC0 | (reg << 3) | sti;
        }
        return ((esc & 7) << 8) | modrm;
    }

    /// <summary>mod and r/m bits of a memory operand's ModRM byte.</summary>
    private static int ModRmMemoryBits(in Instruction insn)
    {
        Register bas = insn.MemoryBase, idx = insn.MemoryIndex;
        int dsize = insn.MemoryDisplSize;
        bool a16 = bas.IsGPR16() || idx.IsGPR16() || (bas == Register.None && idx == Register.None && dsize == 2);
        if (a16)
        {
            int rm16 = (bas, idx) switch
            {
                (Register.BX, Register.SI) => 0, (Register.BX, Register.DI) => 1,
                (Register.BP, Register.SI) => 2, (Register.BP, Register.DI) => 3,
                (Register.SI, Register.None) => 4, (Register.DI, Register.None) => 5,
                (Register.BP, Register.None) => 6, (Register.BX, Register.None) => 7,
                _ => 6,
            };
            if (bas == Register.None && idx == Register.None) return 0x06;
            return (dsize == 0 ? 0 : dsize == 1 ? 0x40 : 0x80) | rm16;
        }
        if (bas == Register.None && idx == Register.None) return 0x05;
        int mod = bas == Register.None ? 0 : dsize == 0 ? 0 : dsize == 1 ? 0x40 : 0x80;
        if (idx != Register.None || bas == Register.ESP) return mod | 4;
        return mod | (bas - Register.EAX);
    }
}
