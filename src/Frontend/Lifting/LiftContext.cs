using Iced.Intel;
using Transmeta.Frontend.Decoding;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Helpers;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifting;

/// <summary>
/// Everything a lifter needs to turn one x86 instruction into IR: operand reads and writes
/// (registers with their 8/16-bit views, memory through segments, immediates), the lazy flags,
/// conditions, the stack, and the ways an instruction can leave the block (jumps, faults,
/// hypercalls). Lifters (one file per instruction family in Lifters/) use only this.
///
/// Rule every lifter keeps so faults are precise: do every memory access that can fault before
/// writing any register or flag of the instruction (or be restartable, like PUSH).
/// </summary>
public sealed class LiftContext
{
    private readonly List<Action> _stubs = new();
    private KnownFlags? _flags;
    private int _cachedAddress = -1;

    public LiftContext(IrBuilder builder, DecodeMode mode)
    {
        B = builder;
        Mode = mode;
    }

    public IrBuilder B { get; }
    public DecodeMode Mode { get; }
    public Instruction Insn { get; private set; }
    /// <summary>Guest instructions of this block retired before the current one.</summary>
    public int Index { get; private set; }
    /// <summary>Set when the current instruction ended the block (every path left it).</summary>
    public bool EndsBlock { get; set; }

    /// <summary>Guest address of the block's first instruction.</summary>
    public uint BlockStart { get; private set; }

    /// <summary>The x87 stack as the lifter knows it (see <see cref="X87StackTracking"/>).</summary>
    public X87StackTracking X87 { get; } = new();

    /// <summary>Label at the top of the block: a jump back to <see cref="BlockStart"/> becomes a
    /// loop inside the block instead of a trip through the dispatcher.</summary>
    private int _topLabel = -1;

    public uint Eip => Insn.IP32;

    /// <summary>Marks the top of the block (called once, before the first instruction).</summary>
    internal void BeginBlock(uint start, int x87Top = -1)
    {
        BlockStart = start;
        X87.BeginBlock(x87Top);
        _topLabel = B.NewLabel();
        B.MarkLabel(_topLabel);
    }
    public uint NextEip => Insn.NextIP32;

    internal void Begin(in Instruction insn, int index)
    {
        Insn = insn;
        Index = index;
        _cachedAddress = -1;
        B.InsnStart(insn.IP32, index);
    }

    // ----------------------------------------------------------------- registers

    public int GetReg32(int index) => B.LoadState(CpuState.GprOffset(index));
    public void SetReg32(int index, int value) => B.StoreState(CpuState.GprOffset(index), value);

    /// <summary>Reads a general register, zero-extended (AH..BH are bits 8..15 of EAX..EBX).</summary>
    public int ReadRegister(Register reg)
    {
        if (reg.IsGPR32()) return GetReg32(reg - Register.EAX);
        if (reg.IsGPR16()) return B.And(GetReg32(reg - Register.AX), 0xFFFFu);
        if (reg.IsGPR8())
        {
            int n = reg - Register.AL;
            return n < 4 ? B.And(GetReg32(n), 0xFFu) : B.And(B.ShrImm(GetReg32(n - 4), 8), 0xFFu);
        }
        if (reg.IsSegmentRegister())
            return B.And(B.LoadState(CpuState.SegmentOffset(reg - Register.ES) + CpuState.SegSelector), 0xFFFFu);
        throw new UnsupportedInstructionException($"register {reg}");
    }

    /// <summary>Writes a general register; 8- and 16-bit writes keep the other bits.</summary>
    public void WriteRegister(Register reg, int value)
    {
        if (reg.IsGPR32()) { SetReg32(reg - Register.EAX, value); return; }
        if (reg.IsGPR16())
        {
            int n = reg - Register.AX;
            SetReg32(n, B.Or(B.And(GetReg32(n), 0xFFFF0000u), B.And(value, 0xFFFFu)));
            return;
        }
        if (reg.IsGPR8())
        {
            int n = reg - Register.AL;
            if (n < 4) SetReg32(n, B.Or(B.And(GetReg32(n), 0xFFFFFF00u), B.And(value, 0xFFu)));
            else SetReg32(n - 4, B.Or(B.And(GetReg32(n - 4), 0xFFFF00FFu), B.ShlImm(B.And(value, 0xFFu), 8)));
            return;
        }
        throw new UnsupportedInstructionException($"write to register {reg}");
    }

    /// <summary>Reads the low <paramref name="size"/> bytes of GPR <paramref name="index"/>.</summary>
    public int ReadGpr(int index, int size) => size == 4 ? GetReg32(index) : B.And(GetReg32(index), CcOp.Mask(size));

    /// <summary>Writes the low <paramref name="size"/> bytes of GPR <paramref name="index"/>.</summary>
    public void WriteGpr(int index, int size, int value)
    {
        if (size == 4) SetReg32(index, value);
        else WriteRegister(size == 2 ? Register.AX + index : Register.AL + index, value);
    }

    // ----------------------------------------------------------------- memory

    /// <summary>Linear base of a segment register: a constant 0 for flat code/data/stack segments.</summary>
    public int SegmentBase(Register seg)
    {
        int n = seg - Register.ES;
        if (Mode.FlatSegments && n is SegReg.ES or SegReg.CS or SegReg.SS or SegReg.DS) return B.Const(0);
        return B.LoadState(CpuState.SegmentOffset(n) + CpuState.SegBase);
    }

    /// <summary>The offset (effective address) of the instruction's memory operand
    /// (Intel SDM Vol. 1 §3.7.5); 16-bit addressing wraps at 64 KiB.</summary>
    public int EffectiveAddress()
    {
        Register bas = Insn.MemoryBase, idx = Insn.MemoryIndex;
        bool addr16 = bas.IsGPR16() || idx.IsGPR16() || (bas == Register.None && idx == Register.None && Insn.MemoryDisplSize == 2);
        int ea = B.Const(addr16 ? Insn.MemoryDisplacement32 & 0xFFFF : Insn.MemoryDisplacement32);
        if (bas != Register.None) ea = B.Add(ea, ReadRegister(bas));
        if (idx != Register.None)
        {
            int i = ReadRegister(idx);
            int scale = Insn.MemoryIndexScale;
            ea = B.Add(ea, scale == 1 ? i : B.ShlImm(i, scale switch { 2 => 1, 4 => 2, _ => 3 }));
        }
        return addr16 ? B.And(ea, 0xFFFFu) : ea;
    }

    /// <summary>The linear address of the memory operand (segment base + offset). Computed once
    /// per instruction, so a read-modify-write uses one address.</summary>
    public int MemoryAddress()
    {
        if (_cachedAddress >= 0) return _cachedAddress;
        int ea = EffectiveAddress();
        int seg = SegmentBase(Insn.MemorySegment);
        _cachedAddress = B.Add(seg, ea);
        return _cachedAddress;
    }

    public int ReadMemory(int size, int linear) => B.Load(size, linear);
    public void WriteMemory(int size, int linear, int value) => B.Store(size, linear, value);

    // ----------------------------------------------------------------- operands

    /// <summary>Operand size in bytes of operand <paramref name="op"/>.</summary>
    public int OperandSize(int op) => Insn.GetOpKind(op) switch
    {
        OpKind.Register => Insn.GetOpRegister(op).GetSize(),
        OpKind.Memory => Insn.MemorySize.GetSize(),
        OpKind.Immediate8 => 1,
        OpKind.Immediate16 or OpKind.Immediate8to16 => 2,
        _ => 4,
    };

    /// <summary>Reads operand <paramref name="op"/> zero-extended from <paramref name="size"/>
    /// bytes (immediates are sign-extended to the size first, as encoded).</summary>
    public int Read(int op, int size)
    {
        switch (Insn.GetOpKind(op))
        {
            case OpKind.Register: return ReadRegister(Insn.GetOpRegister(op));
            case OpKind.Memory: return ReadMemory(size, MemoryAddress());
            case OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate8to16
                or OpKind.Immediate8to32 or OpKind.Immediate8_2nd:
                return B.Const((uint)Insn.GetImmediate(op) & CcOp.Mask(size));
            default: throw new UnsupportedInstructionException($"operand kind {Insn.GetOpKind(op)}");
        }
    }

    public int Read(int op) => Read(op, OperandSize(op));

    public void Write(int op, int value)
    {
        switch (Insn.GetOpKind(op))
        {
            case OpKind.Register: WriteRegister(Insn.GetOpRegister(op), value); break;
            case OpKind.Memory: WriteMemory(Insn.MemorySize.GetSize(), MemoryAddress(), value); break;
            default: throw new UnsupportedInstructionException($"write to operand kind {Insn.GetOpKind(op)}");
        }
    }

    public bool IsMemory(int op) => Insn.GetOpKind(op) == OpKind.Memory;

    /// <summary>Operand size of the instruction (16 or 32 bits, by mode and the 0x66 prefix), in bytes.</summary>
    public int InstructionOperandSize => Insn.OpCount > 0 && Insn.GetOpKind(0) == OpKind.Register && Insn.Op0Register.IsGPR()
        ? Insn.Op0Register.GetSize()
        : Insn.CodeSize == CodeSize.Code16 ? 2 : 4;

    // ----------------------------------------------------------------- flags

    /// <summary>Records a flag-setting operation (values already masked to <paramref name="size"/>).
    /// Fields the kind does not read are stored as zero rather than left alone: a stale operand
    /// would otherwise stay live to the block's end and keep the computation of it (often a call
    /// to evaluate the previous block's flags) alive, while a constant store costs nothing.</summary>
    public void SetFlags(CcKind kind, int size, int res, int src1 = -1, int src2 = -1, int aux = -1)
    {
        uint op = CcOp.Make(kind, size);
        bool needsSrc1 = kind != CcKind.Logic;
        bool needsSrc2 = kind is CcKind.Add or CcKind.Adc or CcKind.Sub or CcKind.Sbb or CcKind.Shr;
        bool needsAux = kind is CcKind.Adc or CcKind.Sbb or CcKind.Inc or CcKind.Dec;
        StoreFlagFields(op, res, needsSrc1 ? src1 : -1, needsSrc2 ? src2 : -1, needsAux ? aux : -1);
        _flags = new KnownFlags(op, res, src1, src2, aux);
    }

    /// <summary>Records flags given as EFLAGS bits (only the arithmetic six are kept).</summary>
    public void SetFlagsMaterialized(int eflagsBits)
    {
        int bits = B.And(eflagsBits, EflagsBits.Arithmetic);
        StoreFlagFields(CcOp.Eflags, -1, bits, -1, -1);
        _flags = new KnownFlags(CcOp.Eflags, -1, bits, -1, -1);
    }

    /// <summary>Stores all five lazy-flag fields; -1 stores zero.</summary>
    private void StoreFlagFields(uint op, int res, int src1, int src2, int aux)
    {
        int zero = -1;
        int Z() => zero >= 0 ? zero : zero = B.Const(0);
        B.StoreState(CpuState.OffCcOp, B.Const(op));
        B.StoreState(CpuState.OffCcRes, res >= 0 ? res : Z());
        B.StoreState(CpuState.OffCcSrc1, src1 >= 0 ? src1 : Z());
        B.StoreState(CpuState.OffCcSrc2, src2 >= 0 ? src2 : Z());
        B.StoreState(CpuState.OffCcAux, aux >= 0 ? aux : Z());
    }

    /// <summary>The flag state, as known at translation time; if the flags were set by an earlier
    /// block, they are computed from guest state once (by the lazy-flags helper) and remembered.</summary>
    public KnownFlags CurrentFlags()
    {
        if (_flags is { } f) return f;
        int op = B.LoadState(CpuState.OffCcOp);
        int aux = B.LoadState(CpuState.OffCcAux);
        int opAux = B.Or(B.Unary(Opcode.ZextTo64, op), B.Shl(B.Unary(Opcode.ZextTo64, aux), B.Const(32)));
        int res = B.Unary(Opcode.ZextTo64, B.LoadState(CpuState.OffCcRes));
        int s1 = B.Unary(Opcode.ZextTo64, B.LoadState(CpuState.OffCcSrc1));
        int s2 = B.Unary(Opcode.ZextTo64, B.LoadState(CpuState.OffCcSrc2));
        int bits = B.Unary(Opcode.Trunc, B.CallHelper(FrontendHelpers.Instance.ComputeFlags, opAux, res, s1, s2));
        // Keep the evaluated bits: later reads in this block and in the next ones are cheaper.
        StoreFlagFields(CcOp.Eflags, -1, bits, -1, -1);
        _flags = new KnownFlags(CcOp.Eflags, -1, bits, -1, -1);
        return _flags.Value;
    }

    /// <summary>One arithmetic flag as 0/1 (bit number from <see cref="EflagsBits"/>).</summary>
    public int Flag(int bit) => FlagExpressions.Flag(B, CurrentFlags(), bit);

    public int Condition(ConditionCode cc) => ConditionCodes.Emit(B, cc, CurrentFlags());

    /// <summary>The six arithmetic flags as EFLAGS bits.</summary>
    public int ArithmeticFlags() => FlagExpressions.AllFlags(B, CurrentFlags());

    /// <summary>The full EFLAGS value.</summary>
    public int ReadEflags() =>
        B.Or(B.And(B.LoadState(CpuState.OffEflags), ~EflagsBits.Arithmetic), ArithmeticFlags());

    /// <summary>Writes EFLAGS bits under <paramref name="writable"/> (arithmetic ones included if
    /// in the mask); bit 1 stays set.</summary>
    public void WriteEflags(int value, uint writable)
    {
        uint other = writable & ~EflagsBits.Arithmetic;
        if (other != 0)
        {
            int old = B.LoadState(CpuState.OffEflags);
            int merged = B.Or(B.And(old, ~other), B.And(value, other));
            B.StoreState(CpuState.OffEflags, B.Or(merged, B.Const(EflagsBits.Reserved1)));
        }
        uint arith = writable & EflagsBits.Arithmetic;
        if (arith == EflagsBits.Arithmetic) SetFlagsMaterialized(value);
        else if (arith != 0) SetFlagsMaterialized(B.Or(B.And(ArithmeticFlags(), ~arith), B.And(value, arith)));
    }

    /// <summary>Forgets what is known about the flags (after a label: control may merge).</summary>
    public void ForgetFlags() => _flags = null;

    public void MarkLabel(int label)
    {
        B.MarkLabel(label);
        _flags = null;
    }

    // ----------------------------------------------------------------- stack

    public int StackSize => Mode.StackSize;

    private int StackLinear(int espValue) => B.Add(SegmentBase(Register.SS), StackSize == 4 ? espValue : B.And(espValue, 0xFFFFu));

    private void SetEsp(int value)
    {
        if (StackSize == 4) SetReg32(4, value);
        else WriteGpr(4, 2, value);
    }

    /// <summary>PUSH of <paramref name="size"/> bytes: the store happens before ESP changes, so a
    /// fault leaves ESP as it was (Intel SDM Vol. 2B, PUSH).</summary>
    public void Push(int value, int size)
    {
        int esp = B.Sub(GetReg32(4), B.Const(size));
        WriteMemory(size, StackLinear(esp), value);
        SetEsp(esp);
    }

    /// <summary>Reads the value on top of the stack at byte <paramref name="offset"/> without popping.</summary>
    public int PeekStack(int size, int offset = 0)
    {
        int esp = GetReg32(4);
        if (offset != 0) esp = B.Add(esp, B.Const(offset));
        return ReadMemory(size, StackLinear(esp));
    }

    /// <summary>Adds <paramref name="bytes"/> to ESP (SP with a 16-bit stack).</summary>
    public void AdjustStack(int bytes)
    {
        int esp = B.Add(GetReg32(4), B.Const(bytes));
        SetEsp(esp);
    }

    public int Pop(int size)
    {
        int v = PeekStack(size);
        AdjustStack(size);
        return v;
    }

    // ----------------------------------------------------------------- leaving the block

    private void StoreEip(int value) => B.StoreState(CpuState.OffEip, value);

    /// <summary>Ends the block: continue at <paramref name="target"/> (the instruction retired).</summary>
    public void ExitTo(uint target)
    {
        // Looping inside the block assumes the x87 TOP it was lifted for.
        if (target == BlockStart && _topLabel >= 0 && X87.Top == X87.BlockEntryTop)
        {
            LoopToTop();
            return;
        }
        StoreEip(B.Const(target));
        B.Exit(BlockExit.Jump, Index + 1);
        DirectExits.Add((B.Mark - 1, target));
        EndsBlock = true;
    }

    /// <summary>Exits to constant guest addresses emitted so far (see <see cref="IrBlock.DirectExits"/>).</summary>
    public List<(int ExitIndex, uint Target)> DirectExits { get; } = new();

    /// <summary>A jump back to the block's own start: retire this iteration's instructions and
    /// loop inside the block, leaving through the dispatcher only when the instruction deadline
    /// (an interrupt, a timer, the budget) has come.</summary>
    private void LoopToTop()
    {
        int retired = B.Add(B.LoadState(CpuState.OffRetired, IrType.I64), B.Const64((ulong)(Index + 1)));
        B.StoreState(CpuState.OffRetired, retired);
        int due = B.ULe(B.LoadState(CpuState.OffDeadline, IrType.I64), retired);
        int leave = B.NewLabel();
        B.BranchIf(due, leave);
        B.Jump(_topLabel);
        B.MarkLabel(leave);
        StoreEip(B.Const(BlockStart));
        B.Exit(BlockExit.Jump, 0);
        EndsBlock = true;
    }

    public void ExitTo(int targetTemp)
    {
        StoreEip(Mode.Bitness == 32 ? targetTemp : B.And(targetTemp, 0xFFFFu));
        B.Exit(BlockExit.Jump, Index + 1);
        EndsBlock = true;
    }

    /// <summary>Ends the block with a conditional branch to <paramref name="target"/>.</summary>
    public void ExitBranch(int cond, uint target, uint fallthrough)
    {
        int taken = B.NewLabel();
        B.BranchIf(cond, taken);
        ExitTo(fallthrough);
        B.MarkLabel(taken);
        ExitTo(target);
    }

    /// <summary>Raises an exception (#UD, #DE, #GP...) at this instruction; nothing it did stays.</summary>
    public void RaiseFault(int vector, int errorCode = -1)
    {
        B.StoreState(CpuState.OffFaultVector, B.Const(vector));
        B.StoreState(CpuState.OffFaultErrorCode, errorCode < 0 ? B.Const(0) : B.Const(errorCode));
        B.StoreState(CpuState.OffFaultHasError, B.Const(errorCode < 0 ? 0 : 1));
        StoreEip(B.Const(Eip));
        B.Exit(BlockExit.Fault, Index);
    }

    /// <summary>Raises <paramref name="vector"/> when <paramref name="cond"/> is nonzero; the fault
    /// path is emitted after the block's main code so the main path stays straight.</summary>
    public void FaultIf(int cond, int vector) => ExitIf(cond, BlockExit.Fault, () =>
    {
        B.StoreState(CpuState.OffFaultVector, B.Const(vector));
        B.StoreState(CpuState.OffFaultErrorCode, B.Const(0));
        B.StoreState(CpuState.OffFaultHasError, B.Const(0));
    });

    /// <summary>Leaves the block before this instruction, with <paramref name="exitCode"/>
    /// (<see cref="BlockExit.Slow"/>: an assumption of the translation does not hold), when
    /// <paramref name="cond"/> is nonzero; emitted out of line like <see cref="FaultIf"/>.</summary>
    public void ExitIf(int cond, int exitCode) => ExitIf(cond, exitCode, null);

    private void ExitIf(int cond, int exitCode, Action? record)
    {
        int label = B.NewLabel();
        B.BranchIf(cond, label);
        uint eip = Eip;
        int index = Index;
        _stubs.Add(() =>
        {
            B.MarkLabel(label);
            record?.Invoke();
            StoreEip(B.Const(eip));
            B.Exit(exitCode, index);
        });
    }

    /// <summary>Leaves the block asking the VMM to perform a sensitive instruction. The VMM
    /// resumes at HcNextEip and counts the instruction as retired.</summary>
    public void Hypercall(HypercallKind kind, int arg0 = -1, int arg1 = -1, int arg2 = -1)
    {
        B.StoreState(CpuState.OffHcKind, B.Const((uint)kind));
        B.StoreState(CpuState.OffHcArg0, arg0 < 0 ? B.Const(0) : arg0);
        B.StoreState(CpuState.OffHcArg1, arg1 < 0 ? B.Const(0) : arg1);
        B.StoreState(CpuState.OffHcArg2, arg2 < 0 ? B.Const(0) : arg2);
        B.StoreState(CpuState.OffHcNextEip, B.Const(NextEip));
        StoreEip(B.Const(Eip));
        B.Exit(BlockExit.Hypercall, Index);
        EndsBlock = true;
    }

    /// <summary>Emits the out-of-line fault paths collected while lifting the block.</summary>
    internal void EmitStubs()
    {
        foreach (Action stub in _stubs) stub();
        _stubs.Clear();
    }
}

/// <summary>An instruction the frontend decodes but does not implement; it becomes #UD.</summary>
public sealed class UnsupportedInstructionException(string message) : Exception(message);

public static class LiftContextSizes
{
    /// <summary>Operand size in bytes of a near branch, CALL or RET: 2 with a 0x66 prefix in
    /// 32-bit code (it then pushes/pops 16-bit return addresses).</summary>
    public static int InstructionOperandSizeOfBranch(this LiftContext cx)
    {
        int bits = cx.Insn.Code.ToOpCode().OperandSize;
        return bits == 0 ? cx.Mode.Bitness / 8 : bits / 8;
    }

    /// <summary>Size of the count register (CX or ECX) for LOOP/JCXZ/REP: the address size.</summary>
    public static int CounterSize(this LiftContext cx)
    {
        int bits = cx.Insn.Code.ToOpCode().AddressSize;
        return bits == 0 ? cx.Mode.Bitness / 8 : bits / 8;
    }
}
