using System.Runtime.InteropServices;
using System.Text;
using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// Builds the LLVM IR of one block: <c>i32 @blk_XXXXXXXX(ptr %ctx)</c>, instruction by
/// instruction in IR order, mirroring the IL backend (and the interpreter, the reference):
/// <list type="bullet">
/// <item>every non-constant temporary is an alloca (mem2reg turns them into SSA values; a
/// temporary assigned inside a loop needs no phi bookkeeping here); constants are immediates;</item>
/// <item>the "current guest instruction" (PC, retired-before) and the interpreter's
/// <c>storedInInsn</c> flag are allocas too, so one shared fault exit serves the whole block and
/// LLVM's constant propagation removes the code-modified checks no store can reach;</item>
/// <item>guest loads and stores inline the soft-TLB hit test (the same test as
/// <see cref="GuestMemoryAccess"/>); misses call the context's native slow paths; branches carry
/// weights so the hit path falls through and the cold code moves out of line;</item>
/// <item>helpers are called through their [UnmanagedCallersOnly] entry points, embedded as
/// constants (or through <see cref="NativeThunks"/> when they only have a managed one);</item>
/// <item>faults never unwind: a slow path or helper sets <see cref="RuntimeContext.Status"/>, the
/// code tests it and leaves through the fault exit (PC of the faulting instruction, retired count).</item>
/// </list>
/// </summary>
internal sealed unsafe class LlvmEmitter
{
    private static readonly byte* NoName = (byte*)NativeMemory.AllocZeroed(1);
    private static readonly ulong OffsetReadSlowUnmanaged = (ulong)Marshal.OffsetOf<RuntimeContext>(nameof(RuntimeContext.ReadSlowUnmanaged));
    private static readonly ulong OffsetWriteSlowUnmanaged = (ulong)Marshal.OffsetOf<RuntimeContext>(nameof(RuntimeContext.WriteSlowUnmanaged));

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
    private LLVMBasicBlockRef _faultExit;
    private bool _hasFaultExit;
    private bool _terminated;
    private readonly bool _hasStore;
    private readonly bool _hasHelperCall;

    // Function types of the calls the code makes.
    private readonly LLVMTypeRef _readSlowType, _writeSlowType, _helperType, _helperThunkType;
    private readonly Dictionary<string, (LLVMValueRef Fn, LLVMTypeRef Type)> _intrinsics = new();

    public LlvmEmitter(LlvmContextCache cx, LlvmModule module, IrBlock block, string symbol)
    {
        _cx = cx;
        _module = module.Ref;
        _block = block;
        using var builder = new LlvmBuilder(cx.Context);
        _b = builder.Ref;

        LLVMTypeRef ptr = cx.Ptr;
        _readSlowType = FunctionType(cx.I32, ptr, cx.I32, cx.I32);
        _writeSlowType = FunctionType(cx.Void, ptr, cx.I32, cx.I32, cx.I32);
        _helperType = FunctionType(cx.I64, ptr, cx.I64, cx.I64, cx.I64, cx.I64);
        _helperThunkType = FunctionType(cx.I64, ptr, cx.I64, cx.I64, cx.I64, cx.I64, cx.I64);

        _fn = LLVMAddFunction(_module, symbol, FunctionType(cx.I32, ptr));
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
            else if (ins.Op == Opcode.CallHelper) _hasHelperCall = true;
        }

        Emit();
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
        _insnPc = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _insnRetired = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _storedInInsn = LLVMBuildAlloca(_b, _cx.I1, NoName);
        LLVMBuildStore(_b, I32(0), _insnPc);
        LLVMBuildStore(_b, I32(0), _insnRetired);
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 0, 0), _storedInInsn);
        for (int l = 0; l < _labels.Length; l++) _labels[l] = NewBlock();

        ReadOnlySpan<IrInstruction> code = _block.Span;
        for (int i = 0; i < code.Length; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            if (ins.Op == Opcode.Label)
            {
                LLVMBasicBlockRef target = _labels[ins.Aux];
                if (!_terminated) LLVMBuildBr(_b, target);
                LLVMPositionBuilderAtEnd(_b, target);
                _terminated = false;
                continue;
            }
            if (_terminated)
            {
                // Unreachable code after a jump or exit: give it a block of its own (LLVM drops it).
                LLVMPositionBuilderAtEnd(_b, NewBlock());
                _terminated = false;
            }
            EmitInstruction(ins);
        }
        // A verified block ends with a terminator; this keeps the function valid for any block.
        if (!_terminated) EmitExit(BlockExit.Jump, 0);
    }

    private LLVMBasicBlockRef NewBlock() => LLVMAppendBasicBlockInContext(_cx.Ref, _fn, NoName);

    private void EmitInstruction(in IrInstruction ins)
    {
        IrType type = ins.Type;
        switch (ins.Op)
        {
            case Opcode.Const:
                break; // immediates at each use

            case Opcode.LoadState:
            {
                LLVMValueRef v = Load(TypeOf(type), StatePointer((ulong)ins.Imm), _cx.TbaaState);
                StoreTemp(ins.Dst, v, type);
                break;
            }
            case Opcode.StoreState:
                Store(LoadTemp(ins.A, type), StatePointer((ulong)ins.Imm), _cx.TbaaState);
                break;

            case Opcode.Load: EmitGuestLoad(ins); break;
            case Opcode.Store: EmitGuestStore(ins); break;

            case Opcode.Add: Binary(ins, &LLVMBuildAdd); break;
            case Opcode.Sub: Binary(ins, &LLVMBuildSub); break;
            case Opcode.Mul: Binary(ins, &LLVMBuildMul); break;
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
                LLVMBuildBr(_b, _labels[ins.Aux]);
                _terminated = true;
                break;
            case Opcode.BranchIf:
            {
                LLVMBasicBlockRef next = NewBlock();
                LLVMBuildCondBr(_b, IsTrue(LoadTemp(ins.A, IrType.I32)), _labels[ins.Aux], next);
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

    /// <summary>ctpop/cttz/ctlz/bswap on i32. cttz/ctlz get is_zero_poison = false, so a zero
    /// operand gives 32 like <see cref="System.Numerics.BitOperations"/> (the IR never asks).</summary>
    private void BitCount(in IrInstruction ins, string name, bool zeroIsPoisonArg)
    {
        (LLVMValueRef fn, LLVMTypeRef fnType) = Intrinsic(name, _cx.I32);
        LLVMValueRef* args = stackalloc LLVMValueRef[2];
        args[0] = LoadTemp(ins.A, IrType.I32);
        args[1] = LLVMConstInt(_cx.I1, 0, 0);
        LLVMValueRef v = LLVMBuildCall2(_b, fnType, fn, args, zeroIsPoisonArg ? 2u : 1u, NoName);
        StoreTemp(ins.Dst, v, IrType.I32);
    }

    private (LLVMValueRef, LLVMTypeRef) Intrinsic(string name, LLVMTypeRef overload)
    {
        if (_intrinsics.TryGetValue(name, out var found)) return found;
        byte[] bytes = Encoding.ASCII.GetBytes(name);
        uint id;
        fixed (byte* p = bytes) id = LLVMLookupIntrinsicID(p, (nuint)bytes.Length);
        if (id == 0) throw new LlvmException($"LLVM has no intrinsic {name}");
        LLVMTypeRef* types = stackalloc LLVMTypeRef[1];
        types[0] = overload;
        var entry = (LLVMGetIntrinsicDeclaration(_module, id, types, 1), LLVMIntrinsicGetType(_cx.Ref, id, types, 1));
        _intrinsics[name] = entry;
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
        const int indexShift = SoftTlbLayout.PageBits - 4;
        const uint indexMaskScaled = SoftTlbLayout.IndexMask * SoftTlbLayout.EntrySize;
        LLVMValueRef index = LLVMBuildAnd(_b, LLVMBuildLShr(_b, addr, I32(indexShift), NoName), I32(indexMaskScaled), NoName);
        LLVMValueRef entry = ByteOffset(tlb, LLVMBuildZExt(_b, index, _cx.I64, NoName));
        LLVMValueRef tag = Load(_cx.I32, ByteOffset(entry, I64(SoftTlbLayout.OffsetTag)), _cx.TbaaTlb);
        LLVMValueRef masked = LLVMBuildAnd(_b, addr, I32(SoftTlbLayout.PageMask | (uint)(size - 1)), NoName);
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, masked, tag, NoName), hit, miss, _cx.Likely);
        return entry;
    }

    /// <summary>entry->Addend + (nuint)addr.</summary>
    private LLVMValueRef HostAddress(LLVMValueRef entry, LLVMValueRef addr)
    {
        LLVMValueRef addend = Load(_cx.Ptr, ByteOffset(entry, I64(SoftTlbLayout.OffsetAddend)), _cx.TbaaTlb);
        LLVMValueRef* idx = stackalloc LLVMValueRef[1];
        idx[0] = LLVMBuildZExt(_b, addr, _cx.I64, NoName);
        return LLVMBuildGEP2(_b, _cx.I8, addend, idx, 1, NoName);
    }

    private LLVMTypeRef AccessType(int size) => size switch { 1 => _cx.I8, 2 => _cx.I16, _ => _cx.I32 };

    /// <summary>The context's native slow path, or the thunk to its managed one when unset.</summary>
    private LLVMValueRef SlowPath(ulong fieldOffset, nint thunk)
    {
        LLVMValueRef fp = LoadPtr(_ctx, fieldOffset);
        LLVMValueRef isNull = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, fp, LLVMConstIntToPtr(I64(0), _cx.Ptr), NoName);
        return LLVMBuildSelect(_b, isNull, ConstPointer(thunk), fp, NoName);
    }

    private LLVMValueRef ConstPointer(nint p) => LLVMConstIntToPtr(I64((ulong)p), _cx.Ptr);

    private void EmitGuestLoad(in IrInstruction ins)
    {
        int size = ins.Size;
        LLVMBasicBlockRef hit = NewBlock(), miss = NewBlock(), done = NewBlock();
        LLVMValueRef addr = LoadTemp(ins.A, IrType.I32);
        LLVMValueRef entry = TlbHitTest(_readTlb, addr, size, hit, miss);

        LLVMPositionBuilderAtEnd(_b, hit);
        LLVMValueRef v = Load(AccessType(size), HostAddress(entry, addr), _cx.TbaaGuest);
        if (size != 4) v = LLVMBuildZExt(_b, v, _cx.I32, NoName);
        StoreTemp(ins.Dst, v, IrType.I32);
        LLVMBuildBr(_b, done);

        LLVMPositionBuilderAtEnd(_b, miss);
        LLVMValueRef* args = stackalloc LLVMValueRef[3];
        args[0] = _ctx;
        args[1] = addr;
        args[2] = I32((uint)size);
        LLVMValueRef slow = LLVMBuildCall2(_b, _readSlowType, SlowPath(OffsetReadSlowUnmanaged, NativeThunks.ReadSlow), args, 3, NoName);
        StoreTemp(ins.Dst, slow, IrType.I32);
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadStatus(), I32(RuntimeContext.StatusFault), NoName),
            FaultExit(), done, _cx.Unlikely);

        LLVMPositionBuilderAtEnd(_b, done);
    }

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
        LLVMValueRef value = LoadTemp(ins.B, IrType.I32);
        LLVMValueRef entry = TlbHitTest(_writeTlb, addr, size, hit, miss);

        LLVMPositionBuilderAtEnd(_b, hit);
        LLVMValueRef narrow = size == 4 ? value : LLVMBuildTrunc(_b, value, AccessType(size), NoName);
        Store(narrow, HostAddress(entry, addr), _cx.TbaaGuest);
        if (_hasHelperCall) LLVMBuildBr(_b, check);
        else LLVMBuildBr(_b, done);

        LLVMPositionBuilderAtEnd(_b, miss);
        LLVMValueRef* args = stackalloc LLVMValueRef[4];
        args[0] = _ctx;
        args[1] = addr;
        args[2] = I32((uint)size);
        args[3] = value;
        LLVMBuildCall2(_b, _writeSlowType, SlowPath(OffsetWriteSlowUnmanaged, NativeThunks.WriteSlow), args, 4, NoName);
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
        LLVMValueRef result;
        if (helper.Unmanaged != 0)
            result = LLVMBuildCall2(_b, _helperType, ConstPointer(helper.Unmanaged), args, 5, NoName);
        else
        {
            args[5] = I64((ulong)(nint)helper.Managed);
            result = LLVMBuildCall2(_b, _helperThunkType, ConstPointer(NativeThunks.Helper), args, 6, NoName);
        }
        StoreTemp(ins.Dst, result, IrType.I64);
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
        uint pc = (uint)ins.Imm;
        int retired = ins.Aux;
        if (_hasStore)
        {
            // if (storedInInsn && ctx->Status == CodeModified) leave before this instruction.
            LLVMBasicBlockRef check = NewBlock(), leave = NewBlock(), next = NewBlock();
            LLVMValueRef stored = LLVMBuildLoad2(_b, _cx.I1, _storedInInsn, NoName);
            CondBr(stored, check, next, _cx.Unlikely);
            LLVMPositionBuilderAtEnd(_b, check);
            CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadStatus(), I32(RuntimeContext.StatusCodeModified), NoName),
                leave, next, _cx.Likely);
            LLVMPositionBuilderAtEnd(_b, leave);
            StoreStatus(I32(RuntimeContext.StatusOk));
            Store(I32(pc), StatePointer((ulong)_block.Layout.PcOffset), _cx.TbaaState);
            AddRetired(I64((ulong)retired));
            LLVMBuildRet(_b, I32(BlockExit.CodeModified));
            LLVMPositionBuilderAtEnd(_b, next);
        }
        LLVMBuildStore(_b, I32(pc), _insnPc);
        LLVMBuildStore(_b, I32((uint)retired), _insnRetired);
    }

    /// <summary>Exit: retired += n; a pending code-modified status is dropped; return the code.</summary>
    private void EmitExit(int code, int retired)
    {
        if (retired != 0) AddRetired(I64((ulong)retired));
        LLVMValueRef status = LoadStatus();
        LLVMValueRef isModified = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, status, I32(RuntimeContext.StatusCodeModified), NoName);
        StoreStatus(LLVMBuildSelect(_b, isModified, I32(RuntimeContext.StatusOk), status, NoName));
        LLVMBuildRet(_b, I32((uint)code));
        _terminated = true;
    }

    /// <summary>The block's one fault exit (made on first use): Status = OK, PC = the current
    /// guest instruction, retired += its count, return Fault.</summary>
    private LLVMBasicBlockRef FaultExit()
    {
        if (_hasFaultExit) return _faultExit;
        _hasFaultExit = true;
        _faultExit = NewBlock();
        LLVMBasicBlockRef resume = LLVMGetInsertBlock(_b);
        LLVMPositionBuilderAtEnd(_b, _faultExit);
        StoreStatus(I32(RuntimeContext.StatusOk));
        Store(LLVMBuildLoad2(_b, _cx.I32, _insnPc, NoName), StatePointer((ulong)_block.Layout.PcOffset), _cx.TbaaState);
        AddRetired(LLVMBuildZExt(_b, LLVMBuildLoad2(_b, _cx.I32, _insnRetired, NoName), _cx.I64, NoName));
        LLVMBuildRet(_b, I32(BlockExit.Fault));
        LLVMPositionBuilderAtEnd(_b, resume);
        return _faultExit;
    }

    private void AddRetired(LLVMValueRef amount)
    {
        LLVMValueRef p = StatePointer((ulong)_block.Layout.RetiredOffset);
        LLVMValueRef sum = LLVMBuildAdd(_b, Load(_cx.I64, p, _cx.TbaaState), amount, NoName);
        Store(sum, p, _cx.TbaaState);
    }
}
