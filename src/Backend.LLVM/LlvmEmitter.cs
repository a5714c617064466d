using System.Runtime.InteropServices;
using System.Text;
using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// Builds the LLVM IR of one unit (a block or a region): <c>i32 @blk_XXXXXXXX(ptr %ctx)</c>,
/// instruction by instruction in IR order, with the semantics of the interpreter (the reference)
/// and the structure of the IL backend:
/// <list type="bullet">
/// <item>every non-constant temporary is an alloca (SROA turns them into SSA values; a
/// temporary assigned inside a loop needs no phi bookkeeping here); constants are immediates;</item>
/// <item>guest state the unit writes is shadowed in allocas too (<see cref="ShadowedFields"/>),
/// so guest registers live in host registers, and is written back at the exits;</item>
/// <item>the "current guest instruction" (PC, retired-before), the interpreter's
/// <c>storedInInsn</c> flag and the exit's code and count are allocas, so one common exit
/// (<see cref="CommonExit"/>) serves every way out, and LLVM's constant propagation removes the
/// code-modified checks no store can reach;</item>
/// <item>guest loads and stores inline the soft-TLB hit test (the same test as
/// <see cref="GuestMemoryAccess"/>); misses call the context's native slow paths through a
/// preserve_most trampoline; branches carry weights so the hit path falls through;</item>
/// <item>helpers are called through their [UnmanagedCallersOnly] entry points, embedded as
/// constants (or through <see cref="NativeThunks"/> when they only have a managed one);</item>
/// <item>faults never unwind: a slow path or helper sets <see cref="RuntimeContext.Status"/>, the
/// code tests it and leaves through the fault exit (PC of the faulting instruction, retired count).</item>
/// </list>
/// </summary>
internal sealed unsafe partial class LlvmEmitter
{
    private static readonly byte* NoName = (byte*)NativeMemory.AllocZeroed(1);
    private static readonly ulong OffsetReadSlowUnmanaged = (ulong)Marshal.OffsetOf<RuntimeContext>(nameof(RuntimeContext.ReadSlowUnmanaged));
    private static readonly ulong OffsetWriteSlowUnmanaged = (ulong)Marshal.OffsetOf<RuntimeContext>(nameof(RuntimeContext.WriteSlowUnmanaged));
    private static readonly ulong OffsetProbeSlowUnmanaged = (ulong)RuntimeContext.OffsetProbeSlowUnmanaged;

    private readonly LlvmContextCache _cx;
    private readonly LLVMModuleRef _module;
    private readonly LLVMBuilderRef _b;
    private readonly IrBlock _block;
    private readonly LLVMValueRef _fn;
    private readonly LLVMValueRef _ctx;
    private LLVMValueRef _state, _readTlb, _writeTlb;
    private readonly LLVMValueRef[] _slots;
    private readonly bool[] _isConst;
    private readonly ulong[] _constValue;
    private readonly LLVMBasicBlockRef[] _labels;
    private LLVMValueRef _insnPc, _insnRetired, _storedInInsn;
    private LLVMBasicBlockRef _faultExit, _codeModifiedExit;
    private LLVMBasicBlockRef _commonExit;
    private bool _hasFaultExit, _hasCodeModifiedExit, _hasCommonExit;
    private LLVMValueRef _exitCode, _exitRetired, _exitAtInsn;
    /// <summary>Guest state fields kept in allocas (SSA values after mem2reg) while the block
    /// runs, by state offset; see <see cref="ShadowedFields"/>.</summary>
    private readonly Dictionary<long, (LLVMValueRef Slot, IrType Type)> _shadows = new();
    /// <summary>Per shadowed field: an i1 alloca, set when the block stores the field (the exits
    /// write back only those, see <see cref="CommonExit"/>).</summary>
    private readonly Dictionary<long, LLVMValueRef> _dirty = new();
    private bool _terminated;
    private readonly bool _hasStore;
    private readonly bool _hasHelperCall;

    // Function types of the calls the code makes.
    private readonly LLVMTypeRef _readSlowType, _writeSlowType, _probeSlowType, _helperType, _helperThunkType, _unitType;
    /// <summary>Whether <see cref="BlockExit.Jump"/> exits try the chain table (<see cref="ChainToNextUnit"/>).</summary>
    private readonly bool _chaining;
    private readonly Dictionary<(string, nint, nint), (LLVMValueRef Fn, LLVMTypeRef Type)> _intrinsics = new();
    private readonly string _symbol;

    public LlvmEmitter(LlvmContextCache cx, LlvmModule module, IrBlock block, string symbol, bool chaining = true)
    {
        _chaining = chaining;
        _symbol = symbol;
        _cx = cx;
        _module = module.Ref;
        _block = block;
        using var builder = new LlvmBuilder(cx.Context);
        _b = builder.Ref;

        LLVMTypeRef ptr = cx.Ptr;
        _readSlowType = FunctionType(cx.I32, ptr, cx.I32, cx.I32);
        _writeSlowType = FunctionType(cx.Void, ptr, cx.I32, cx.I32, cx.I32);
        _probeSlowType = FunctionType(cx.I64, ptr, cx.I32, cx.I32, cx.I32);
        _helperType = FunctionType(cx.I64, ptr, cx.I64, cx.I64, cx.I64, cx.I64);
        _helperThunkType = FunctionType(cx.I64, ptr, cx.I64, cx.I64, cx.I64, cx.I64, cx.I64);

        _unitType = FunctionType(cx.I32, ptr);
        _fn = LLVMAddFunction(_module, symbol, _unitType);
        LLVMAddAttributeAtIndex(_fn, uint.MaxValue, LLVMCreateEnumAttribute(cx.Ref, cx.NoUnwindKind, 0));
        _ctx = LLVMGetParam(_fn, 0);

        int temps = block.TempCount;
        _slots = new LLVMValueRef[temps];
        _isConst = new bool[temps];
        _constValue = new ulong[temps];
        _labels = new LLVMBasicBlockRef[block.LabelCount];
        foreach (ref readonly IrInstruction ins in block.Span)
        {
            if (ins.Op == Opcode.Const && ins.HasDst)
            {
                _isConst[ins.Dst] = true;
                _constValue[ins.Dst] = block.TempTypes[ins.Dst] == IrType.I32 ? (uint)ins.Imm : (ulong)ins.Imm;
            }
            else if (ins.Op == Opcode.Store) _hasStore = true;
            else if (ins.Op is Opcode.ExtArith or Opcode.ExtRaise or Opcode.ExtSetRoundedUp)
            {
                NoteExtendedOperation(ins);
                if (ins.Op == Opcode.ExtSetRoundedUp) NoteRoundedUpField(ins);
            }
            else if (ins.Op == Opcode.CallHelper && !block.Helpers[ins.Aux].Pure) _hasHelperCall = true; // a pure helper has no effect on Status
        }

        foreach ((long offset, IrType type) in ShadowedFields(block)) _shadows[offset] = (default, type);
        FindExtendedRegisters();
        if (_roundedUpOffset >= 0) _roundedUpObserved = TempsWhoseRoundedUpBitIsObserved(block, _isConst, _constValue);
        Emit();
    }

    /// <summary>
    /// The state fields the block keeps in registers: every field the block writes (StoreState)
    /// that is always accessed at the same offset and width and overlaps no other access. Such
    /// a field is loaded once at entry, lives in an alloca (an SSA value, across loop iterations
    /// too) and is written back to state only where state becomes observable: at every exit
    /// (including fault and code-modified exits) and around helpers that touch state (written
    /// back before, reloaded after). This is what lets LLVM keep guest registers and the lazy-flag
    /// fields in host registers instead of storing them at every guest instruction.
    /// </summary>
    /// <remarks>Fields the block only reads stay in memory (so a value the dispatcher changes
    /// between runs, such as the instruction deadline, is never cached across runs, and it is
    /// read where the IR reads it). Around the soft-TLB slow paths and helpers without
    /// <see cref="HelperDescriptor.TouchesState"/> state is not written back: the contract says
    /// state need not be in memory around them, and they write it only to record a fault, after
    /// which the block leaves through <see cref="CommonExit"/>, which keeps that record.</remarks>
    internal static List<(long Offset, IrType Type)> ShadowedFields(IrBlock block)
    {
        // Per offset: the type of the first access, the widest access, stored?, mixed types?
        var accesses = new Dictionary<long, (IrType Type, int Width, bool Stored, bool Conflict)>();
        foreach (ref readonly IrInstruction ins in block.Span)
        {
            if (ins.Op is not (Opcode.LoadState or Opcode.StoreState)) continue;
            bool store = ins.Op == Opcode.StoreState;
            int width = ins.Type == IrType.I32 ? 4 : 8;
            if (accesses.TryGetValue(ins.Imm, out var seen))
                accesses[ins.Imm] = (seen.Type, Math.Max(seen.Width, width), seen.Stored | store, seen.Conflict | seen.Type != ins.Type);
            else accesses[ins.Imm] = (ins.Type, width, store, false);
        }
        var fields = accesses.OrderBy(a => a.Key).ToList();
        var conflict = new bool[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            long end = fields[i].Key + fields[i].Value.Width;
            for (int j = i + 1; j < fields.Count && fields[j].Key < end; j++) conflict[i] = conflict[j] = true;
        }
        var result = new List<(long, IrType)>();
        for (int i = 0; i < fields.Count; i++)
            if (fields[i].Value.Stored && !fields[i].Value.Conflict && !conflict[i])
                result.Add((fields[i].Key, fields[i].Value.Type));
        return result;
    }

    private LLVMTypeRef FunctionType(LLVMTypeRef ret, params LLVMTypeRef[] parameters)
    {
        fixed (LLVMTypeRef* p = parameters) return LLVMFunctionType(ret, p, (uint)parameters.Length, 0);
    }

    // ------------------------------------------------------------------ structure

    private void Emit()
    {
        LLVMBasicBlockRef entry = NewBlock();
        LLVMPositionBuilderAtEnd(_b, entry);
        _state = LoadPtr(_ctx, (ulong)RuntimeContext.OffsetState);
        _readTlb = LoadPtr(_ctx, (ulong)RuntimeContext.OffsetReadTlb);
        _writeTlb = LoadPtr(_ctx, (ulong)RuntimeContext.OffsetWriteTlb);
        for (int t = 0; t < _slots.Length; t++)
            if (!_isConst[t]) _slots[t] = LLVMBuildAlloca(_b, TypeOf(_block.TempTypes[t]), NoName);
        foreach (long offset in _shadows.Keys.ToArray())
        {
            IrType type = _shadows[offset].Type;
            LLVMValueRef slot = LLVMBuildAlloca(_b, TypeOf(type), NoName);
            _shadows[offset] = (slot, type);
            _dirty[offset] = LLVMBuildAlloca(_b, _cx.I1, NoName);
            LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 0, 0), _dirty[offset]);
        }
        MakePendingSlots();
        MakeExtendedRegisterSlots();
        Reload();
        _insnPc = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _insnRetired = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _storedInInsn = LLVMBuildAlloca(_b, _cx.I1, NoName);
        _exitCode = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _exitRetired = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _exitAtInsn = LLVMBuildAlloca(_b, _cx.I1, NoName);
        LLVMBuildStore(_b, I32(0), _insnPc);
        LLVMBuildStore(_b, I32(0), _insnRetired);
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 0, 0), _storedInInsn);
        SyncHostFlags(); // after the allocas: it starts new blocks

        ReadOnlySpan<IrInstruction> code = _block.Span;
        for (int i = 0; i < code.Length; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            if (ins.Op == Opcode.Label)
            {
                LLVMBasicBlockRef target = LabelBlock(ins.Aux);
                if (!_terminated) LLVMBuildBr(_b, target);
                LLVMPositionBuilderAtEnd(_b, target);
                _terminated = false;
                ForgetExtendedResults(); // control may arrive from elsewhere
                ForgetPendingKind();
                continue;
            }
            if (_terminated)
            {
                // Unreachable code after a jump or exit: give it a block of its own (LLVM drops it).
                LLVMPositionBuilderAtEnd(_b, NewBlock());
                _terminated = false;
                ForgetExtendedResults();
                ForgetPendingKind();
            }
            if (ins.Op == Opcode.StoreState
                && TryStoreExtendedRegister(ins, i + 1 < code.Length ? code[i + 1] : default, out bool fused))
            {
                if (fused) i++;
                continue;
            }
            EmitInstruction(ins);
        }
        // A verified block ends with a terminator; this keeps the function valid for any block.
        if (!_terminated) EmitExit(BlockExit.Jump, 0);
    }

    /// <summary>A guest state field as the IR sees it: its shadow or memory, with what the
    /// extended-precision operations keep pending for it (host flags, a rounding direction).</summary>
    private LLVMValueRef LoadStateValue(long offset, IrType type, bool roundedUpObserved = true)
    {
        if (!_shadows.TryGetValue(offset, out var shadow))
        {
            LLVMValueRef loaded = Load(TypeOf(type), StatePointer((ulong)offset), _cx.TbaaState);
            return type == IrType.I32 ? WithHostFlags(offset, loaded) : loaded;
        }
        LLVMValueRef v = LLVMBuildLoad2(_b, TypeOf(type), shadow.Slot, NoName);
        return type == IrType.I32 && roundedUpObserved ? Materialize(offset, v) : v;
    }

    private void StoreStateValue(long offset, LLVMValueRef value, IrType type)
    {
        if (_shadows.TryGetValue(offset, out var field))
        {
            LLVMBuildStore(_b, value, field.Slot);
            LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 1, 0), _dirty[offset]);
            ClearPending(offset);
        }
        else Store(value, StatePointer((ulong)offset), _cx.TbaaState);
    }

    private LLVMBasicBlockRef NewBlock() => LLVMAppendBasicBlockInContext(_cx.Ref, _fn, NoName);

    /// <summary>The basic block of a label, made when first named: a lifter that gave up on an
    /// instruction may leave label numbers that nothing marks or jumps to, and an LLVM block
    /// without a terminator is invalid.</summary>
    private LLVMBasicBlockRef LabelBlock(int label)
    {
        if (_labels[label].Handle == 0) _labels[label] = NewBlock();
        return _labels[label];
    }

    private void EmitInstruction(in IrInstruction ins)
    {
        IrType type = ins.Type;
        switch (ins.Op)
        {
            case Opcode.Const:
                break; // immediates at each use

            case Opcode.LoadState:
                if (TryLoadExtendedRegister(ins)) break;
                StoreTemp(ins.Dst, LoadStateValue(ins.Imm, type, RoundedUpObserved(ins.Dst)), type);
                break;
            case Opcode.StoreState:
                StoreStateValue(ins.Imm, LoadTemp(ins.A, type), type);
                break;

            case Opcode.Load: EmitGuestLoad(ins); break;
            case Opcode.Store: EmitGuestStore(ins); break;
            case Opcode.MemProbe: EmitMemProbe(ins); break;
            case Opcode.HostLoad: EmitHostLoad(ins); break;
            case Opcode.HostStore: EmitHostStore(ins); break;

            case Opcode.Add: Binary(ins, &LLVMBuildAdd); break;
            case Opcode.Sub: Binary(ins, &LLVMBuildSub); break;
            case Opcode.Mul: Binary(ins, &LLVMBuildMul); break;
            case Opcode.ExtArith: EmitExtArith(ins); break;
            case Opcode.ExtRaise: EmitExtRaise(ins); break;
            case Opcode.ExtSetRoundedUp: EmitExtSetRoundedUp(ins); break;
            case Opcode.And: Binary(ins, &LLVMBuildAnd); break;
            case Opcode.Or: Binary(ins, &LLVMBuildOr); break;
            case Opcode.Xor: Binary(ins, &LLVMBuildXor); break;
            case Opcode.UDiv: Binary(ins, &LLVMBuildUDiv); break;
            case Opcode.URem: Binary(ins, &LLVMBuildURem); break;
            case Opcode.Shl: Shift(ins, &LLVMBuildShl); break;
            case Opcode.Shr: Shift(ins, &LLVMBuildLShr); break;
            case Opcode.Sar: Shift(ins, &LLVMBuildAShr); break;
            case Opcode.SDiv: SignedDivide(ins, remainder: false); break;
            case Opcode.SRem: SignedDivide(ins, remainder: true); break;
            case Opcode.Not: StoreTemp(ins.Dst, LLVMBuildNot(_b, LoadTemp(ins.A, type), NoName), type); break;
            case Opcode.Neg: StoreTemp(ins.Dst, LLVMBuildNeg(_b, LoadTemp(ins.A, type), NoName), type); break;

            case Opcode.Eq: Compare(ins, LLVMIntPredicate.EQ); break;
            case Opcode.Ne: Compare(ins, LLVMIntPredicate.NE); break;
            case Opcode.ULt: Compare(ins, LLVMIntPredicate.ULT); break;
            case Opcode.ULe: Compare(ins, LLVMIntPredicate.ULE); break;
            case Opcode.SLt: Compare(ins, LLVMIntPredicate.SLT); break;
            case Opcode.SLe: Compare(ins, LLVMIntPredicate.SLE); break;

            case Opcode.Select:
            {
                LLVMValueRef cond = IsTrue(LoadTemp(ins.A, IrType.I32));
                LLVMValueRef v = LLVMBuildSelect(_b, cond, LoadTemp(ins.B, type), LoadTemp(ins.C, type), NoName);
                StoreTemp(ins.Dst, v, type);
                break;
            }

            case Opcode.Sext8: SignExtendLow(ins, _cx.I8); break;
            case Opcode.Sext16: SignExtendLow(ins, _cx.I16); break;
            case Opcode.ZextTo64:
                StoreTemp(ins.Dst, LLVMBuildZExt(_b, LoadTemp(ins.A, IrType.I32), _cx.I64, NoName), IrType.I64);
                break;
            case Opcode.SextTo64:
                StoreTemp(ins.Dst, LLVMBuildSExt(_b, LoadTemp(ins.A, IrType.I32), _cx.I64, NoName), IrType.I64);
                break;
            case Opcode.Trunc:
                StoreTemp(ins.Dst, LLVMBuildTrunc(_b, LoadTemp(ins.A, IrType.I64), _cx.I32, NoName), IrType.I32);
                break;

            case Opcode.Popcnt: BitCount(ins, "llvm.ctpop", zeroIsPoisonArg: false); break;
            case Opcode.Ctz: BitCount(ins, "llvm.cttz", zeroIsPoisonArg: true); break;
            case Opcode.Clz: BitCount(ins, "llvm.ctlz", zeroIsPoisonArg: true); break;
            case Opcode.Bswap: BitCount(ins, "llvm.bswap", zeroIsPoisonArg: false); break;

            case Opcode.CallHelper: EmitHelperCall(ins); break;
            case Opcode.InsnStart: EmitInsnStart(ins); break;

            case Opcode.Jump:
                LLVMBuildBr(_b, LabelBlock(ins.Aux));
                _terminated = true;
                break;
            case Opcode.BranchIf:
            {
                LLVMBasicBlockRef next = NewBlock();
                LLVMBuildCondBr(_b, IsTrue(LoadTemp(ins.A, IrType.I32)), LabelBlock(ins.Aux), next);
                LLVMPositionBuilderAtEnd(_b, next);
                break;
            }
            case Opcode.Exit:
                EmitExit((int)ins.Imm, ins.Aux);
                break;
            default:
                throw new NotSupportedException($"LLVM backend: unknown opcode {ins.Op} in {_block.Name}");
        }
    }

    // ------------------------------------------------------------------ values and temporaries

    private LLVMTypeRef TypeOf(IrType type) => type == IrType.I32 ? _cx.I32 : _cx.I64;
    private LLVMValueRef I32(uint v) => LLVMConstInt(_cx.I32, v, 0);
    private LLVMValueRef I64(ulong v) => LLVMConstInt(_cx.I64, v, 0);
    private LLVMValueRef Const(IrType type, ulong v) => type == IrType.I32 ? I32((uint)v) : I64(v);

    /// <summary>A temporary as <paramref name="asType"/>; constants are immediates; a type
    /// mismatch converts as the interpreter's 64-bit slots do (I32 zero-extends, I64 truncates).</summary>
    private LLVMValueRef LoadTemp(int temp, IrType asType)
    {
        if (_isConst[temp]) return Const(asType, asType == IrType.I32 ? (uint)_constValue[temp] : _constValue[temp]);
        IrType actual = _block.TempTypes[temp];
        LLVMValueRef v = LLVMBuildLoad2(_b, TypeOf(actual), _slots[temp], NoName);
        if (actual == asType) return v;
        return asType == IrType.I64 ? LLVMBuildZExt(_b, v, _cx.I64, NoName) : LLVMBuildTrunc(_b, v, _cx.I32, NoName);
    }

    private void StoreTemp(int temp, LLVMValueRef value, IrType valueType)
    {
        if (temp < 0 || _isConst[temp]) return;
        IrType actual = _block.TempTypes[temp];
        if (actual != valueType)
            value = actual == IrType.I64 ? LLVMBuildZExt(_b, value, _cx.I64, NoName) : LLVMBuildTrunc(_b, value, _cx.I32, NoName);
        LLVMBuildStore(_b, value, _slots[temp]);
    }

    private LLVMValueRef IsTrue(LLVMValueRef i32) => LLVMBuildICmp(_b, LLVMIntPredicate.NE, i32, I32(0), NoName);

    private void Binary(in IrInstruction ins, delegate*<LLVMBuilderRef, LLVMValueRef, LLVMValueRef, byte*, LLVMValueRef> op)
    {
        LLVMValueRef v = op(_b, LoadTemp(ins.A, ins.Type), LoadTemp(ins.B, ins.Type), NoName);
        StoreTemp(ins.Dst, v, ins.Type);
    }

    /// <summary>The count is masked to the width (the IR promises it is smaller; the mask makes
    /// any count defined, as IL shifts are, and costs nothing on x86).</summary>
    private void Shift(in IrInstruction ins, delegate*<LLVMBuilderRef, LLVMValueRef, LLVMValueRef, byte*, LLVMValueRef> op)
    {
        LLVMValueRef count = LLVMBuildAnd(_b, LoadTemp(ins.B, IrType.I32), I32(ins.Type == IrType.I32 ? 31u : 63u), NoName);
        if (ins.Type == IrType.I64) count = LLVMBuildZExt(_b, count, _cx.I64, NoName);
        StoreTemp(ins.Dst, op(_b, LoadTemp(ins.A, ins.Type), count, NoName), ins.Type);
    }

    private void Compare(in IrInstruction ins, LLVMIntPredicate predicate)
    {
        LLVMValueRef c = LLVMBuildICmp(_b, predicate, LoadTemp(ins.A, ins.Type), LoadTemp(ins.B, ins.Type), NoName);
        StoreTemp(ins.Dst, LLVMBuildZExt(_b, c, _cx.I32, NoName), IrType.I32);
    }

    /// <summary>SDiv/SRem wrap on MIN / -1 (quotient -A, remainder 0); in LLVM that division is
    /// undefined (and traps on x86), so a divisor of -1 is replaced by 1 and the result selected.</summary>
    private void SignedDivide(in IrInstruction ins, bool remainder)
    {
        IrType type = ins.Type;
        ulong minusOne = type == IrType.I32 ? uint.MaxValue : ulong.MaxValue;
        LLVMValueRef a = LoadTemp(ins.A, type);
        LLVMValueRef result;
        if (_isConst[ins.B])
        {
            ulong divisor = type == IrType.I32 ? (uint)_constValue[ins.B] : _constValue[ins.B];
            if (divisor == minusOne) result = remainder ? Const(type, 0) : LLVMBuildNeg(_b, a, NoName);
            else result = remainder ? LLVMBuildSRem(_b, a, Const(type, divisor), NoName) : LLVMBuildSDiv(_b, a, Const(type, divisor), NoName);
        }
        else
        {
            LLVMValueRef b = LoadTemp(ins.B, type);
            LLVMValueRef isMinusOne = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, b, Const(type, minusOne), NoName);
            LLVMValueRef safe = LLVMBuildSelect(_b, isMinusOne, Const(type, 1), b, NoName);
            LLVMValueRef q = remainder ? LLVMBuildSRem(_b, a, safe, NoName) : LLVMBuildSDiv(_b, a, safe, NoName);
            LLVMValueRef special = remainder ? Const(type, 0) : LLVMBuildNeg(_b, a, NoName);
            result = LLVMBuildSelect(_b, isMinusOne, special, q, NoName);
        }
        StoreTemp(ins.Dst, result, type);
    }

    private void SignExtendLow(in IrInstruction ins, LLVMTypeRef narrow)
    {
        LLVMValueRef low = LLVMBuildTrunc(_b, LoadTemp(ins.A, IrType.I32), narrow, NoName);
        StoreTemp(ins.Dst, LLVMBuildSExt(_b, low, _cx.I32, NoName), IrType.I32);
    }

    /// <summary>ctpop/cttz/ctlz/bswap (i32). cttz/ctlz
    /// get is_zero_poison = false, so a zero operand gives the width like
    /// <see cref="System.Numerics.BitOperations"/> (the IR never asks).</summary>
    private void BitCount(in IrInstruction ins, string name, bool zeroIsPoisonArg)
    {
        IrType type = ins.Type;
        (LLVMValueRef fn, LLVMTypeRef fnType) = Intrinsic(name, TypeOf(type));
        LLVMValueRef* args = stackalloc LLVMValueRef[2];
        args[0] = LoadTemp(ins.A, type);
        args[1] = LLVMConstInt(_cx.I1, 0, 0);
        LLVMValueRef v = LLVMBuildCall2(_b, fnType, fn, args, zeroIsPoisonArg ? 2u : 1u, NoName);
        StoreTemp(ins.Dst, v, type);
    }

    /// <summary>An intrinsic's declaration and type, overloaded on one type, or two (a
    /// conversion's result and operand).</summary>
    private (LLVMValueRef, LLVMTypeRef) Intrinsic(string name, LLVMTypeRef overload, LLVMTypeRef second = default)
    {
        if (_intrinsics.TryGetValue((name, overload.Handle, second.Handle), out var found)) return found;
        byte[] bytes = Encoding.ASCII.GetBytes(name);
        uint id;
        fixed (byte* p = bytes) id = LLVMLookupIntrinsicID(p, (nuint)bytes.Length);
        if (id == 0) throw new LlvmException($"LLVM has no intrinsic {name}");
        LLVMTypeRef* types = stackalloc LLVMTypeRef[2];
        types[0] = overload;
        types[1] = second;
        nuint count = second.IsNull ? 1u : 2u;
        var entry = (LLVMGetIntrinsicDeclaration(_module, id, types, count), LLVMIntrinsicGetType(_cx.Ref, id, types, count));
        _intrinsics[(name, overload.Handle, second.Handle)] = entry;
        return entry;
    }

    // ------------------------------------------------------------------ host memory

    private LLVMValueRef ByteOffset(LLVMValueRef basePtr, LLVMValueRef offset)
    {
        LLVMValueRef* idx = stackalloc LLVMValueRef[1];
        idx[0] = offset;
        return LLVMBuildInBoundsGEP2(_b, _cx.I8, basePtr, idx, 1, NoName);
    }

    private LLVMValueRef StatePointer(ulong offset) => ByteOffset(_state, I64(offset));

    private LLVMValueRef ContextField(ulong offset) => ByteOffset(_ctx, I64(offset));

    private LLVMValueRef LoadPtr(LLVMValueRef basePtr, ulong offset) =>
        Load(_cx.Ptr, ByteOffset(basePtr, I64(offset)), _cx.TbaaContext);

    private LLVMValueRef Load(LLVMTypeRef type, LLVMValueRef ptr, LLVMValueRef tbaa)
    {
        LLVMValueRef v = LLVMBuildLoad2(_b, type, ptr, NoName);
        LLVMSetAlignment(v, 1);
        LLVMSetMetadata(v, _cx.TbaaKind, tbaa);
        return v;
    }

    private void Store(LLVMValueRef value, LLVMValueRef ptr, LLVMValueRef tbaa)
    {
        LLVMValueRef s = LLVMBuildStore(_b, value, ptr);
        LLVMSetAlignment(s, 1);
        LLVMSetMetadata(s, _cx.TbaaKind, tbaa);
    }

    private LLVMValueRef LoadStatus() => Load(_cx.I32, ContextField((ulong)RuntimeContext.OffsetStatus), _cx.TbaaContext);
    private void StoreStatus(LLVMValueRef v) => Store(v, ContextField((ulong)RuntimeContext.OffsetStatus), _cx.TbaaContext);

    private void CondBr(LLVMValueRef cond, LLVMBasicBlockRef then, LLVMBasicBlockRef otherwise, LLVMValueRef weights)
    {
        LLVMValueRef br = LLVMBuildCondBr(_b, cond, then, otherwise);
        LLVMSetMetadata(br, _cx.ProfKind, weights);
    }

    /// <summary>entry = tlb + ((addr >> 12) &amp; IndexMask) * 16; branches to hit when
    /// (addr &amp; (PageMask | size - 1)) == entry->Tag (page and alignment), else to miss.
    /// Returns the entry pointer.</summary>
    private LLVMValueRef TlbHitTest(LLVMValueRef tlb, LLVMValueRef addr, int size, LLVMBasicBlockRef hit, LLVMBasicBlockRef miss)
    {
        LLVMValueRef entry = TlbEntryOf(tlb, addr);
        LLVMValueRef tag = TlbTag(entry);
        // 8 bytes: the test on the last word (4-byte aligned, and in the entry's page).
        LLVMValueRef tested = size == 8 ? LLVMBuildAdd(_b, addr, I32(4), NoName) : addr;
        LLVMValueRef masked = LLVMBuildAnd(_b, tested, I32(SoftTlbLayout.PageMask | (uint)(Math.Min(size, 4) - 1)), NoName);
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, masked, tag, NoName), hit, miss, _cx.Likely);
        return entry;
    }

    /// <summary>tlb + ((addr >> 12) &amp; IndexMask) * 16, as (addr >> 8) &amp; 0x3FF0.</summary>
    private LLVMValueRef TlbEntryOf(LLVMValueRef tlb, LLVMValueRef addr)
    {
        const int indexShift = SoftTlbLayout.PageBits - 4;
        const uint indexMaskScaled = SoftTlbLayout.IndexMask * SoftTlbLayout.EntrySize;
        LLVMValueRef index = LLVMBuildAnd(_b, LLVMBuildLShr(_b, addr, I32(indexShift), NoName), I32(indexMaskScaled), NoName);
        return ByteOffset(tlb, LLVMBuildZExt(_b, index, _cx.I64, NoName));
    }

    private LLVMValueRef TlbTag(LLVMValueRef entry) => Load(_cx.I32, ByteOffset(entry, I64(SoftTlbLayout.OffsetTag)), _cx.TbaaTlb);

    /// <summary>entry->Addend + (nuint)addr.</summary>
    private LLVMValueRef HostAddress(LLVMValueRef entry, LLVMValueRef addr)
    {
        LLVMValueRef addend = Load(_cx.Ptr, ByteOffset(entry, I64(SoftTlbLayout.OffsetAddend)), _cx.TbaaTlb);
        LLVMValueRef* idx = stackalloc LLVMValueRef[1];
        idx[0] = LLVMBuildZExt(_b, addr, _cx.I64, NoName);
        return LLVMBuildGEP2(_b, _cx.I8, addend, idx, 1, NoName);
    }

    private LLVMTypeRef AccessType(int size) => size switch { 1 => _cx.I8, 2 => _cx.I16, 4 => _cx.I32, _ => _cx.I64 };

    /// <summary>The context's native slow path, or the thunk to its managed one when unset.</summary>
    private LLVMValueRef SlowPath(LLVMValueRef ctx, ulong fieldOffset, nint thunk)
    {
        LLVMValueRef fp = LoadPtr(ctx, fieldOffset);
        LLVMValueRef isNull = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, fp, LLVMConstIntToPtr(I64(0), _cx.Ptr), NoName);
        return LLVMBuildSelect(_b, isNull, ConstPointer(thunk), fp, NoName);
    }

    private const uint PreserveMostCallConv = 14;
    private const int InternalLinkage = 8;

    /// <summary>The out-of-line paths generated code calls, each through its own trampoline.</summary>
    private enum SlowPathKind { Read, Write, Probe }
    private readonly LLVMValueRef[] _trampolines = new LLVMValueRef[3];

    private LLVMValueRef CallPreserveMost(LLVMTypeRef type, LLVMValueRef fn, LLVMValueRef* args, uint count)
    {
        LLVMValueRef call = LLVMBuildCall2(_b, type, fn, args, count, NoName);
        LLVMSetInstructionCallConv(call, PreserveMostCallConv);
        return call;
    }

    /// <summary>
    /// A module-local trampoline to the context's slow path with the preserve_most convention:
    /// it saves the registers the C convention lets the slow path clobber, so the hot code that
    /// calls it on a TLB miss keeps every value in its register (guest registers live in host
    /// registers across the whole unit) instead of spilling and reloading around each miss.
    /// The saving costs a few cycles on the slow path only.
    /// </summary>
    private LLVMValueRef SlowPathTrampoline(SlowPathKind kind)
    {
        ref LLVMValueRef fn = ref _trampolines[(int)kind];
        if (!fn.IsNull) return fn;
        var (type, name, field, thunk, count) = kind switch
        {
            SlowPathKind.Read => (_readSlowType, "read_slow", OffsetReadSlowUnmanaged, NativeThunks.ReadSlow, 3u),
            SlowPathKind.Write => (_writeSlowType, "write_slow", OffsetWriteSlowUnmanaged, NativeThunks.WriteSlow, 4u),
            _ => (_probeSlowType, "probe_slow", OffsetProbeSlowUnmanaged, NativeThunks.ProbeSlow, 4u),
        };
        fn = LLVMAddFunction(_module, name, type);
        LLVMSetLinkage(fn, InternalLinkage);
        LLVMSetFunctionCallConv(fn, PreserveMostCallConv);
        foreach (uint attribute in new[] { _cx.NoUnwindKind, _cx.NoInlineKind, _cx.ColdKind })
            LLVMAddAttributeAtIndex(fn, uint.MaxValue, LLVMCreateEnumAttribute(_cx.Ref, attribute, 0));
        LLVMBasicBlockRef resume = LLVMGetInsertBlock(_b);
        LLVMPositionBuilderAtEnd(_b, LLVMAppendBasicBlockInContext(_cx.Ref, fn, NoName));
        LLVMValueRef* args = stackalloc LLVMValueRef[4];
        for (uint i = 0; i < count; i++) args[i] = LLVMGetParam(fn, i);
        LLVMValueRef result = LLVMBuildCall2(_b, type, SlowPath(args[0], field, thunk), args, count, NoName);
        if (kind == SlowPathKind.Write) LLVMBuildRetVoid(_b);
        else LLVMBuildRet(_b, result);
        LLVMPositionBuilderAtEnd(_b, resume);
        return fn;
    }

    private LLVMValueRef ConstPointer(nint p) => LLVMConstIntToPtr(I64((ulong)p), _cx.Ptr);

    private void EmitGuestLoad(in IrInstruction ins)
    {
        int size = ins.Size;
        IrType type = size == 8 ? IrType.I64 : IrType.I32;
        LLVMBasicBlockRef hit = NewBlock(), miss = NewBlock(), done = NewBlock();
        LLVMValueRef addr = LoadTemp(ins.A, IrType.I32);
        LLVMValueRef entry = TlbHitTest(_readTlb, addr, size, hit, miss);

        LLVMPositionBuilderAtEnd(_b, hit);
        LLVMValueRef v = Load(AccessType(size), HostAddress(entry, addr), _cx.TbaaGuest);
        if (size < 4) v = LLVMBuildZExt(_b, v, _cx.I32, NoName);
        StoreTemp(ins.Dst, v, type);
        LLVMBuildBr(_b, done);

        // The slow path in 4-byte pieces, the low one first (GuestMemoryAccess.ReadSlow64).
        LLVMPositionBuilderAtEnd(_b, miss);
        LLVMValueRef value = ReadSlow(addr, Math.Min(size, 4));
        if (size == 8)
        {
            LLVMBasicBlockRef high = NewBlock();
            CondBr(IsFault(), FaultExit(), high, _cx.Unlikely);
            LLVMPositionBuilderAtEnd(_b, high);
            LLVMValueRef hi = ReadSlow(LLVMBuildAdd(_b, addr, I32(4), NoName), 4);
            value = LLVMBuildOr(_b, LLVMBuildZExt(_b, value, _cx.I64, NoName),
                LLVMBuildShl(_b, LLVMBuildZExt(_b, hi, _cx.I64, NoName), I64(32), NoName), NoName);
        }
        StoreTemp(ins.Dst, value, type);
        CondBr(IsFault(), FaultExit(), done, _cx.Unlikely);

        LLVMPositionBuilderAtEnd(_b, done);
    }

    private LLVMValueRef ReadSlow(LLVMValueRef addr, int size)
    {
        LLVMValueRef* args = stackalloc LLVMValueRef[3];
        args[0] = _ctx;
        args[1] = addr;
        args[2] = I32((uint)size);
        return CallPreserveMost(_readSlowType, SlowPathTrampoline(SlowPathKind.Read), args, 3);
    }

    private void WriteSlow(LLVMValueRef addr, int size, LLVMValueRef value)
    {
        LLVMValueRef* args = stackalloc LLVMValueRef[4];
        args[0] = _ctx;
        args[1] = addr;
        args[2] = I32((uint)size);
        args[3] = value;
        CallPreserveMost(_writeSlowType, SlowPathTrampoline(SlowPathKind.Write), args, 4);
    }

    private LLVMValueRef IsFault() =>
        LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadStatus(), I32(RuntimeContext.StatusFault), NoName);

    /// <summary>A store keeps the interpreter's code-modified protocol: a non-OK status after it
    /// is a fault (leave) or "translated code was written" (set storedInInsn, checked at the next
    /// InsnStart). After an inline hit the status can only be non-OK if a helper left it so,
    /// hence the check there only in blocks that call helpers (as the IL backend does).</summary>
    private void EmitGuestStore(in IrInstruction ins)
    {
        int size = ins.Size;
        LLVMBasicBlockRef hit = NewBlock(), miss = NewBlock(), check = NewBlock(), notOk = NewBlock(),
            modified = NewBlock(), done = NewBlock();
        LLVMValueRef addr = LoadTemp(ins.A, IrType.I32);
        LLVMValueRef value = LoadTemp(ins.B, size == 8 ? IrType.I64 : IrType.I32);
        LLVMValueRef entry = TlbHitTest(_writeTlb, addr, size, hit, miss);

        LLVMPositionBuilderAtEnd(_b, hit);
        LLVMValueRef narrow = size is 4 or 8 ? value : LLVMBuildTrunc(_b, value, AccessType(size), NoName);
        Store(narrow, HostAddress(entry, addr), _cx.TbaaGuest);
        if (_hasHelperCall) LLVMBuildBr(_b, check);
        else LLVMBuildBr(_b, done);

        // The slow path in 4-byte pieces, the low one first; a code-modified status from the
        // first stays unless the second reports one of its own (GuestMemoryAccess.WriteSlow64).
        LLVMPositionBuilderAtEnd(_b, miss);
        if (size == 8)
        {
            WriteSlow(addr, 4, LLVMBuildTrunc(_b, value, _cx.I32, NoName));
            LLVMBasicBlockRef high = NewBlock();
            CondBr(IsFault(), FaultExit(), high, _cx.Unlikely);
            LLVMPositionBuilderAtEnd(_b, high);
            LLVMValueRef first = LoadStatus();
            WriteSlow(LLVMBuildAdd(_b, addr, I32(4), NoName), 4,
                LLVMBuildTrunc(_b, LLVMBuildLShr(_b, value, I64(32), NoName), _cx.I32, NoName));
            LLVMValueRef second = LoadStatus();
            StoreStatus(LLVMBuildSelect(_b, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, second, I32(RuntimeContext.StatusOk), NoName),
                first, second, NoName));
        }
        else WriteSlow(addr, size, value);
        LLVMBuildBr(_b, check);

        LLVMPositionBuilderAtEnd(_b, check);
        LLVMValueRef status = LoadStatus();
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, status, I32(RuntimeContext.StatusOk), NoName), done, notOk, _cx.Likely);
        LLVMPositionBuilderAtEnd(_b, notOk);
        LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, status, I32(RuntimeContext.StatusFault), NoName),
            FaultExit(), modified);
        LLVMPositionBuilderAtEnd(_b, modified);
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 1, 0), _storedInInsn);
        LLVMBuildBr(_b, done);

        LLVMPositionBuilderAtEnd(_b, done);
    }

    /// <summary>MemProbe: the soft-TLB test of <see cref="GuestMemoryAccess.Probe"/> inline (the
    /// range in one page, the page in the read and/or write TLB), the context's slow path on a
    /// miss (which decides, and fills the TLB).</summary>
    private void EmitMemProbe(in IrInstruction ins)
    {
        var rights = (ProbeRights)ins.Aux;
        uint length = (uint)ins.Imm;
        LLVMBasicBlockRef hit = NewBlock(), miss = NewBlock(), done = NewBlock();
        LLVMValueRef addr = LoadTemp(ins.A, IrType.I32);
        LLVMValueRef page = LLVMBuildAnd(_b, addr, I32(SoftTlbLayout.PageMask), NoName);
        LLVMValueRef ok = length <= SoftTlbLayout.PageSize
            ? LLVMBuildICmp(_b, LLVMIntPredicate.ULE, LLVMBuildAnd(_b, addr, I32(~SoftTlbLayout.PageMask), NoName),
                I32(SoftTlbLayout.PageSize - length), NoName)
            : LLVMConstInt(_cx.I1, 0, 0);
        LLVMValueRef entry = default;
        foreach (var (right, tlb) in new[] { (ProbeRights.Write, _writeTlb), (ProbeRights.Read, _readTlb) })
        {
            if ((rights & right) == 0) continue;
            entry = TlbEntryOf(tlb, addr);
            ok = LLVMBuildAnd(_b, ok, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, TlbTag(entry), page, NoName), NoName);
        }
        CondBr(ok, hit, miss, _cx.Likely);

        LLVMPositionBuilderAtEnd(_b, hit);
        StoreTemp(ins.Dst, LLVMBuildPtrToInt(_b, HostAddress(entry, addr), _cx.I64, NoName), IrType.I64);
        LLVMBuildBr(_b, done);

        LLVMPositionBuilderAtEnd(_b, miss);
        LLVMValueRef* args = stackalloc LLVMValueRef[4];
        args[0] = _ctx;
        args[1] = addr;
        args[2] = I32(length);
        args[3] = I32((uint)rights);
        StoreTemp(ins.Dst, CallPreserveMost(_probeSlowType, SlowPathTrampoline(SlowPathKind.Probe), args, 4), IrType.I64);
        LLVMBuildBr(_b, done);

        LLVMPositionBuilderAtEnd(_b, done);
    }

    /// <summary>The host address of a HostLoad/HostStore: its probe's result plus Imm.</summary>
    private LLVMValueRef HostPointer(in IrInstruction ins)
    {
        LLVMValueRef p = LLVMBuildIntToPtr(_b, LoadTemp(ins.A, IrType.I64), _cx.Ptr, NoName);
        return ins.Imm == 0 ? p : ByteOffset(p, I64((ulong)ins.Imm));
    }

    private void EmitHostLoad(in IrInstruction ins)
    {
        IrType type = ins.Size == 8 ? IrType.I64 : IrType.I32;
        LLVMValueRef v = Load(AccessType(ins.Size), HostPointer(ins), _cx.TbaaGuest);
        if (ins.Size < 4) v = LLVMBuildZExt(_b, v, _cx.I32, NoName);
        StoreTemp(ins.Dst, v, type);
    }

    private void EmitHostStore(in IrInstruction ins)
    {
        LLVMValueRef value = LoadTemp(ins.B, ins.Size == 8 ? IrType.I64 : IrType.I32);
        LLVMValueRef narrow = ins.Size is 4 or 8 ? value : LLVMBuildTrunc(_b, value, AccessType(ins.Size), NoName);
        Store(narrow, HostPointer(ins), _cx.TbaaGuest);
    }

    // ------------------------------------------------------------------ helpers

    private void EmitHelperCall(in IrInstruction ins)
    {
        HelperDescriptor helper = _block.Helpers[ins.Aux];
        LLVMValueRef* args = stackalloc LLVMValueRef[6];
        args[0] = _ctx;
        for (int k = 0; k < 4; k++)
        {
            int t = ins.Operand(k);
            args[1 + k] = t < 0 ? I64(0) : LoadTemp(t, IrType.I64);
        }
        if (helper.TouchesState)
        {
            WriteBackDirty(); // the clean fields are in memory already
            FoldHostFlags();
        }
        LLVMValueRef result;
        if (helper.Unmanaged != 0)
            result = LLVMBuildCall2(_b, _helperType, ConstPointer(helper.Unmanaged), args, 5, NoName);
        else
        {
            args[5] = I64((ulong)(nint)helper.Managed);
            result = LLVMBuildCall2(_b, _helperThunkType, ConstPointer(NativeThunks.Helper), args, 6, NoName);
        }
        StoreTemp(ins.Dst, result, IrType.I64);
        if (helper.TouchesState)
        {
            Reload();
            SyncHostFlags();
        }
        if (helper.MayFault)
        {
            LLVMBasicBlockRef next = NewBlock();
            CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadStatus(), I32(RuntimeContext.StatusFault), NoName),
                FaultExit(), next, _cx.Unlikely);
            LLVMPositionBuilderAtEnd(_b, next);
        }
    }

    // ------------------------------------------------------------------ guest instructions and exits

    private void EmitInsnStart(in IrInstruction ins)
    {
        LLVMBuildStore(_b, I32((uint)ins.Imm), _insnPc);
        LLVMBuildStore(_b, I32((uint)ins.Aux), _insnRetired);
        if (_hasStore)
        {
            // if (storedInInsn && ctx->Status == CodeModified) leave before this instruction
            // (through the shared exit, which reads the PC and count just set).
            LLVMBasicBlockRef check = NewBlock(), next = NewBlock();
            LLVMValueRef stored = LLVMBuildLoad2(_b, _cx.I1, _storedInInsn, NoName);
            CondBr(stored, check, next, _cx.Unlikely);
            LLVMPositionBuilderAtEnd(_b, check);
            CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadStatus(), I32(RuntimeContext.StatusCodeModified), NoName),
                CodeModifiedExit(), next, _cx.Likely);
            LLVMPositionBuilderAtEnd(_b, next);
            // The flag has done its work: a store sets it only on seeing CodeModified, which
            // nothing but an exit clears, so the check just made leaves whenever the interpreter's
            // would (its flag stays set, but every later check would see the same status).
            // Clearing it lets LLVM drop the flag, and the check, everywhere a store cannot reach.
            LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 0, 0), _storedInInsn);
        }
    }

    /// <summary>Exit: retired += n; a pending code-modified status is dropped; return the code.</summary>
    private void EmitExit(int code, int retired)
    {
        LLVMBuildStore(_b, I32((uint)code), _exitCode);
        LLVMBuildStore(_b, I32((uint)retired), _exitRetired);
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 0, 0), _exitAtInsn);
        LLVMBuildBr(_b, CommonExit());
        _terminated = true;
    }

    /// <summary>The block's one fault exit (made on first use): Status = OK, PC = the current
    /// guest instruction, retired += its count, return Fault (through <see cref="CommonExit"/>).</summary>
    private LLVMBasicBlockRef FaultExit()
    {
        if (!_hasFaultExit)
        {
            _faultExit = LeaveBlock(BlockExit.Fault);
            _hasFaultExit = true;
        }
        return _faultExit;
    }

    /// <summary>The block's one code-modified exit: the same, at the instruction after the store.</summary>
    private LLVMBasicBlockRef CodeModifiedExit()
    {
        if (!_hasCodeModifiedExit)
        {
            _codeModifiedExit = LeaveBlock(BlockExit.CodeModified);
            _hasCodeModifiedExit = true;
        }
        return _codeModifiedExit;
    }

    /// <summary>Leaves at the current guest instruction (fault or code-modified exit).</summary>
    private LLVMBasicBlockRef LeaveBlock(int code)
    {
        LLVMBasicBlockRef leave = NewBlock();
        LLVMBasicBlockRef resume = LLVMGetInsertBlock(_b);
        LLVMPositionBuilderAtEnd(_b, leave);
        LLVMBuildStore(_b, I32((uint)code), _exitCode);
        LLVMBuildStore(_b, LLVMBuildLoad2(_b, _cx.I32, _insnRetired, NoName), _exitRetired);
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 1, 0), _exitAtInsn);
        LLVMBuildBr(_b, CommonExit());
        LLVMPositionBuilderAtEnd(_b, resume);
        return leave;
    }

    /// <summary>
    /// The one way out of the function, so the write-back of the shadowed state is emitted once
    /// (per exit it would multiply the code by the number of exits of a region). Exit
    /// instructions arrive with (code, retired count, false); fault and code-modified exits with
    /// (code, the current instruction's count, true), which also clears the status and sets PC to
    /// the current instruction; a normal exit drops a pending code-modified status.
    /// </summary>
    /// <remarks>
    /// Only the fields the block has stored on the way are written back (their dirty flags):
    /// writing back the others would cost a load at entry and a store at every exit for nothing
    /// (measured: 25% of the time of dispatch-bound guests, 30% of the code), and it would be
    /// wrong after a fault, when a slow path or helper has recorded the fault in fields the block
    /// did not store. (A field the block stores before a faulting access in the same run and the
    /// callee then writes is the one case this does not cover; lifters store the fault record
    /// only right before leaving.)
    /// </remarks>
    private LLVMBasicBlockRef CommonExit()
    {
        if (_hasCommonExit) return _commonExit;
        _hasCommonExit = true;
        _commonExit = NewBlock();
        LLVMBasicBlockRef resume = LLVMGetInsertBlock(_b);
        LLVMBasicBlockRef atInsn = NewBlock(), normal = NewBlock(), tail = NewBlock();
        LLVMPositionBuilderAtEnd(_b, _commonExit);
        int known = _pendingKnown;
        ForgetPendingKind(); // every exit arrives here
        WriteBackDirty();
        _pendingKnown = known;
        FoldHostFlags();
        LLVMBuildCondBr(_b, LLVMBuildLoad2(_b, _cx.I1, _exitAtInsn, NoName), atInsn, normal);

        LLVMPositionBuilderAtEnd(_b, atInsn);
        StoreStatus(I32(RuntimeContext.StatusOk));
        Store(LLVMBuildLoad2(_b, _cx.I32, _insnPc, NoName), StatePointer((ulong)_block.Layout.PcOffset), _cx.TbaaState);
        LLVMBuildBr(_b, tail);

        LLVMPositionBuilderAtEnd(_b, normal);
        LLVMValueRef status = LoadStatus();
        LLVMValueRef isModified = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, status, I32(RuntimeContext.StatusCodeModified), NoName);
        StoreStatus(LLVMBuildSelect(_b, isModified, I32(RuntimeContext.StatusOk), status, NoName));
        LLVMBuildBr(_b, tail);

        LLVMPositionBuilderAtEnd(_b, tail);
        AddRetired(LLVMBuildZExt(_b, LLVMBuildLoad2(_b, _cx.I32, _exitRetired, NoName), _cx.I64, NoName));
        LLVMValueRef code = LLVMBuildLoad2(_b, _cx.I32, _exitCode, NoName);
        if (_chaining) ChainToNextUnit(code);
        LLVMBuildRet(_b, code);
        LLVMPositionBuilderAtEnd(_b, resume);
        return _commonExit;
    }

    /// <summary>
    /// At a <see cref="BlockExit.Jump"/> exit, while the instruction budget lasts: looks the new
    /// PC up in the VMM's chain table and, if a unit starts there, tail-calls it (musttail: the
    /// stack does not grow however long the chain) instead of returning to the dispatcher. Each
    /// return to .NET and the next call out cost tens of nanoseconds, which on branchy guests
    /// (an interpreter loop, a sort) is a large share of the time. Leaves the builder where the
    /// plain return goes.
    /// </summary>
    private void ChainToNextUnit(LLVMValueRef code)
    {
        LLVMBasicBlockRef haveTable = NewBlock(), inBudget = NewBlock(), lookUp = NewBlock(), chain = NewBlock(), done = NewBlock();
        LLVMValueRef isJump = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, code, I32((uint)BlockExit.Jump), NoName);
        LLVMValueRef statusOk = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadStatus(), I32((uint)RuntimeContext.StatusOk), NoName);
        CondBr(LLVMBuildAnd(_b, isJump, statusOk, NoName), haveTable, done, _cx.Likely);

        LLVMPositionBuilderAtEnd(_b, haveTable);
        LLVMValueRef table = LoadPtr(_ctx, (ulong)RuntimeContext.OffsetChainTable);
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.NE, table, LLVMConstNull(_cx.Ptr), NoName), inBudget, done, _cx.Likely);

        LLVMPositionBuilderAtEnd(_b, inBudget);
        LLVMValueRef retired = Load(_cx.I64, StatePointer((ulong)_block.Layout.RetiredOffset), _cx.TbaaState);
        LLVMValueRef deadline = Load(_cx.I64, StatePointer((ulong)_block.Layout.DeadlineOffset), _cx.TbaaState);
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.ULT, retired, deadline, NoName), lookUp, done, _cx.Likely);

        LLVMPositionBuilderAtEnd(_b, lookUp);
        LLVMValueRef pc = Load(_cx.I32, StatePointer((ulong)_block.Layout.PcOffset), _cx.TbaaState);
        LLVMValueRef index = LLVMBuildAnd(_b,
            LLVMBuildXor(_b, pc, LLVMBuildLShr(_b, pc, I32(ChainTableLayout.Bits), NoName), NoName),
            I32(ChainTableLayout.IndexMask), NoName);
        LLVMValueRef entry = ByteOffset(table, LLVMBuildMul(_b, LLVMBuildZExt(_b, index, _cx.I64, NoName), I64(ChainTableLayout.EntrySize), NoName));
        LLVMValueRef entryPc = Load(_cx.I32, ByteOffset(entry, I64(ChainTableLayout.OffsetPc)), _cx.TbaaContext);
        LLVMValueRef next = Load(_cx.Ptr, ByteOffset(entry, I64(ChainTableLayout.OffsetCode)), _cx.TbaaContext);
        LLVMValueRef hit = LLVMBuildAnd(_b,
            LLVMBuildICmp(_b, LLVMIntPredicate.EQ, entryPc, pc, NoName),
            LLVMBuildICmp(_b, LLVMIntPredicate.NE, next, LLVMConstNull(_cx.Ptr), NoName), NoName);
        CondBr(hit, chain, done, _cx.Likely);

        LLVMPositionBuilderAtEnd(_b, chain);
        LLVMValueRef* args = stackalloc LLVMValueRef[1];
        args[0] = _ctx;
        LLVMValueRef call = LLVMBuildCall2(_b, _unitType, next, args, 1, NoName);
        LLVMSetTailCallKind(call, LLVMTailCallKind.MustTail);
        LLVMBuildRet(_b, call);

        LLVMPositionBuilderAtEnd(_b, done);
    }

    /// <summary>Stores the shadowed state fields the block has stored so far (their dirty flags).</summary>
    private void WriteBackDirty()
    {
        WriteBackExtendedRegisters();
        foreach ((long offset, (LLVMValueRef slot, IrType type)) in _shadows)
        {
            WhenDirty(_dirty[offset], () =>
            {
                LLVMValueRef value = LLVMBuildLoad2(_b, TypeOf(type), slot, NoName);
                if (type == IrType.I32) value = Materialize(offset, value);
                Store(value, StatePointer((ulong)offset), _cx.TbaaState);
            });
        }
    }

    /// <summary>Emits <paramref name="writeBack"/> on a path of its own, taken when the i1 alloca
    /// <paramref name="dirty"/> is set; the builder then continues after it.</summary>
    private void WhenDirty(LLVMValueRef dirty, Action writeBack)
    {
        LLVMBasicBlockRef store = NewBlock(), next = NewBlock();
        LLVMBuildCondBr(_b, LLVMBuildLoad2(_b, _cx.I1, dirty, NoName), store, next);
        LLVMPositionBuilderAtEnd(_b, store);
        writeBack();
        LLVMBuildBr(_b, next);
        LLVMPositionBuilderAtEnd(_b, next);
    }

    /// <summary>Loads every shadowed state field from guest state.</summary>
    private void Reload()
    {
        ReloadExtendedRegisters();
        foreach ((long offset, (LLVMValueRef slot, IrType type)) in _shadows)
        {
            LLVMBuildStore(_b, Load(TypeOf(type), StatePointer((ulong)offset), _cx.TbaaState), slot);
            ClearPending(offset);
        }
    }

    private void AddRetired(LLVMValueRef amount)
    {
        LLVMValueRef p = StatePointer((ulong)_block.Layout.RetiredOffset);
        LLVMValueRef sum = LLVMBuildAdd(_b, Load(_cx.I64, p, _cx.TbaaState), amount, NoName);
        Store(sum, p, _cx.TbaaState);
    }
}
