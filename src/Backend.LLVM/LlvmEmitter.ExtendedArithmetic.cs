using System.Text;
using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;
using Ext = Transmeta.IR.ExtendedArithmetic;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// <see cref="Opcode.ExtArith"/> and <see cref="Opcode.ExtRaise"/> on the host's own x87: the
/// operation's definition (round to nearest-even at 64 bits, every exception masked) is what the
/// host unit does under its control word 037F (the x86-64 System V default, which nothing in
/// this process changes: .NET does floating point in SSE; checked at start by
/// <see cref="HostExtendedPrecision"/>). So the values are the host's, for every operand:
/// <list type="bullet">
/// <item>the operations are constrained intrinsics with strict exception semantics, so LLVM
/// neither folds, drops, duplicates nor reorders them: each guest operation is executed once,
/// where the guest executes it;</item>
/// <item>the exception flags are then the host unit's own sticky flags. ExtRaise emits nothing:
/// the flags are OR-ed into the state field it names where state becomes observable (every exit,
/// helpers that touch state, loads of the field); at entry, and after such helpers, flags the
/// host holds that the field does not (the guest cleared them since) are cleared (FNCLEX, a
/// slow instruction, needed only then);</item>
/// <item>the rounding direction (<see cref="Opcode.ExtSetRoundedUp"/>, the x87's C1) is kept
/// pending, as the operation and its operands, and computed by a pure function of the operands
/// and the result (<see cref="RoundingDirection"/>) only where the field is loaded or written
/// back; LLVM drops it where the guest overwrites C1 first, which is almost everywhere;</item>
/// <item>an operand that is the result of an earlier operation (its significand and
/// sign/exponent parts, in the same straight-line run of code) is taken as the host value it
/// was, without a round trip through integers.</item>
/// </list>
/// </summary>
internal sealed unsafe partial class LlvmEmitter
{
    /// <summary>An operation's result: the host value (none for a narrowing) and its parts.</summary>
    private readonly record struct ExtResult(LLVMValueRef Value, LLVMValueRef Sig, LLVMValueRef SignExp);
    private readonly record struct ExtKey(long Op, int A, int B, int C, int D);

    /// <summary>Results since the last label (later code in the run is dominated by them).</summary>
    private readonly Dictionary<ExtKey, ExtResult> _extResults = new();
    /// <summary>Temporaries holding a significand / sign-exponent part of a host value (an
    /// operation's result, or an extended register's value), by that value.</summary>
    private readonly Dictionary<int, LLVMValueRef> _hostSig = new(), _hostSignExp = new();
    private int[]? _definedAt;
    /// <summary>The state field the block's ExtRaise instructions name (one per block), or -1.</summary>
    private long _raisedOffset = -1;
    private LLVMValueRef _roundToNearest, _strictExceptions;

    private void ForgetExtendedResults()
    {
        _extResults.Clear();
        _hostSig.Clear();
        _hostSignExp.Clear();
        _extRegisterValues.Clear();
    }

    /// <summary>Called by the constructor for each ExtArith/ExtRaise: the function gets strict
    /// floating-point semantics, and the raise field is recorded.</summary>
    private void NoteExtendedOperation(in IrInstruction ins)
    {
        if (_roundToNearest.IsNull)
        {
            LLVMAddAttributeAtIndex(_fn, uint.MaxValue, LLVMCreateEnumAttribute(_cx.Ref, _cx.StrictFpKind, 0));
            _roundToNearest = MetadataString("round.tonearest");
            _strictExceptions = MetadataString("fpexcept.strict");
        }
        if (ins.Op != Opcode.ExtRaise) return;
        if (_raisedOffset >= 0 && _raisedOffset != ins.Imm)
            throw new LlvmException("ExtRaise into two state fields in one block (the host keeps one set of flags)");
        _raisedOffset = ins.Imm;
    }

    private LLVMValueRef MetadataString(string s)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(s);
        fixed (byte* p = bytes) return LLVMMetadataAsValue(_cx.Ref, LLVMMDStringInContext2(_cx.Ref, p, (nuint)bytes.Length));
    }

    private void EmitExtArith(in IrInstruction ins)
    {
        var key = new ExtKey(ins.Imm, ins.A, ins.B, ins.C, ins.D);
        ExtResult r = Result(key);
        switch ((ExtPart)ins.Aux)
        {
            case ExtPart.Significand:
                StoreTemp(ins.Dst, r.Sig, IrType.I64);
                if (!r.Value.IsNull) NoteHostPart(ins.Dst, r.Value, significand: true);
                break;
            default:
                StoreTemp(ins.Dst, r.SignExp, IrType.I32);
                if (!r.Value.IsNull) NoteHostPart(ins.Dst, r.Value, significand: false);
                break;
        }
    }

    /// <summary>Executing the operation raises its flags in the host unit (see the class; the
    /// IR puts nothing that may leave the block between an operation and its raise).</summary>
    private void EmitExtRaise(in IrInstruction ins) => Result(new ExtKey(ins.Aux, ins.A, ins.B, ins.C, ins.D));

    private ExtResult Result(ExtKey key)
    {
        if (!_extResults.TryGetValue(key, out ExtResult r)) _extResults[key] = r = Evaluate(key);
        return r;
    }

    private ExtResult Evaluate(ExtKey k)
    {
        var op = (ExtOp)k.Op;
        LLVMValueRef r;
        switch (op)
        {
            case ExtOp.ToDouble or ExtOp.ToSingle:
            {
                bool isDouble = op == ExtOp.ToDouble;
                LLVMValueRef narrow = Constrained("llvm.experimental.constrained.fptrunc", isDouble ? Double : Float, Fp80,
                    rounding: true, ToHost(k.A, k.B));
                LLVMValueRef bits = LLVMBuildBitCast(_b, narrow, isDouble ? _cx.I64 : _cx.I32, NoName);
                if (!isDouble) bits = LLVMBuildZExt(_b, bits, _cx.I64, NoName);
                return new ExtResult(default, bits, I32(0));
            }
            case ExtOp.FromDouble or ExtOp.FromSingle:
            {
                bool isDouble = op == ExtOp.FromDouble;
                LLVMValueRef bits = LoadTemp(k.A, IrType.I64);
                if (!isDouble) bits = LLVMBuildTrunc(_b, bits, _cx.I32, NoName);
                LLVMValueRef narrow = LLVMBuildBitCast(_b, bits, isDouble ? Double : Float, NoName);
                r = Constrained("llvm.experimental.constrained.fpext", Fp80, isDouble ? Double : Float, rounding: false, narrow);
                break;
            }
            case ExtOp.Sqrt:
                r = Constrained("llvm.experimental.constrained.sqrt", Fp80, default, rounding: true, ToHost(k.A, k.B));
                break;
            default:
                string name = op switch
                {
                    ExtOp.Add => "llvm.experimental.constrained.fadd",
                    ExtOp.Sub => "llvm.experimental.constrained.fsub",
                    ExtOp.Mul => "llvm.experimental.constrained.fmul",
                    _ => "llvm.experimental.constrained.fdiv",
                };
                r = Constrained(name, Fp80, default, rounding: true, ToHost(k.A, k.B), ToHost(k.C, k.D));
                break;
        }
        (LLVMValueRef sig, LLVMValueRef signExp) = FromHost(r);
        return new ExtResult(r, sig, signExp);
    }

    /// <summary>A constrained intrinsic call (overloaded on <paramref name="result"/>, and on
    /// <paramref name="operand"/> for the conversions) with strict exception semantics.</summary>
    private LLVMValueRef Constrained(string name, LLVMTypeRef result, LLVMTypeRef operand, bool rounding, params LLVMValueRef[] values)
    {
        (LLVMValueRef fn, LLVMTypeRef fnType) = operand.IsNull ? Intrinsic(name, result) : Intrinsic(name, result, operand);
        int count = values.Length + (rounding ? 2 : 1);
        LLVMValueRef* args = stackalloc LLVMValueRef[count];
        for (int i = 0; i < values.Length; i++) args[i] = values[i];
        if (rounding) args[values.Length] = _roundToNearest;
        args[count - 1] = _strictExceptions;
        LLVMValueRef call = LLVMBuildCall2(_b, fnType, fn, args, (uint)count, NoName);
        LLVMAddCallSiteAttribute(call, uint.MaxValue, LLVMCreateEnumAttribute(_cx.Ref, _cx.StrictFpKind, 0));
        return call;
    }

    private LLVMTypeRef Fp80 => LLVMX86FP80TypeInContext(_cx.Ref);
    private LLVMTypeRef Double => LLVMDoubleTypeInContext(_cx.Ref);
    private LLVMTypeRef Float => LLVMFloatTypeInContext(_cx.Ref);
    private LLVMTypeRef I80 => LLVMIntTypeInContext(_cx.Ref, 80);
    private LLVMTypeRef I128 => LLVMIntTypeInContext(_cx.Ref, 128);

    /// <summary>The operand in significand temporary <paramref name="sigTemp"/> and sign/exponent
    /// <paramref name="signExpTemp"/> as a host value: the value itself when both are its parts,
    /// else the two halves put together.</summary>
    private LLVMValueRef ToHost(int sigTemp, int signExpTemp) =>
        HostValueOf(sigTemp, signExpTemp) ?? Fp80FromBits(LoadTemp(sigTemp, IrType.I64), LoadTemp(signExpTemp, IrType.I32));

    /// <summary>The host value whose two parts the temporaries hold (seen through the 16-bit mask
    /// a reader may put on the sign/exponent), if this straight run of code made them so.</summary>
    private LLVMValueRef? HostValueOf(int sigTemp, int signExpTemp) =>
        _hostSig.TryGetValue(sigTemp, out LLVMValueRef fromSig)
        && _hostSignExp.TryGetValue(ThroughLowMask(signExpTemp), out LLVMValueRef fromSignExp)
        && fromSig.Handle == fromSignExp.Handle ? fromSig : null;

    private void NoteHostPart(int temp, LLVMValueRef value, bool significand)
    {
        if (temp >= 0) (significand ? _hostSig : _hostSignExp)[temp] = value;
    }

    /// <summary>An extended value from its significand (i64) and sign/exponent (low 16 bits of an i32).</summary>
    private LLVMValueRef Fp80FromBits(LLVMValueRef sig, LLVMValueRef signExp)
    {
        LLVMValueRef low = LLVMBuildZExt(_b, sig, I80, NoName);
        LLVMValueRef se16 = LLVMBuildTrunc(_b, signExp, _cx.I16, NoName);
        LLVMValueRef high = LLVMBuildShl(_b, LLVMBuildZExt(_b, se16, I80, NoName), LLVMConstInt(I80, 64, 0), NoName);
        return LLVMBuildBitCast(_b, LLVMBuildOr(_b, low, high, NoName), Fp80, NoName);
    }

    /// <summary>The temporary that <paramref name="temp"/> masks to its low 16 bits (or more), or itself.</summary>
    private int ThroughLowMask(int temp)
    {
        if (temp < 0 || DefinedAt(temp) < 0) return temp;
        ref readonly IrInstruction def = ref _block.Span[DefinedAt(temp)];
        if (def.Op != Opcode.And) return temp;
        if (_isConst[def.B] && (_constValue[def.B] & 0xFFFF) == 0xFFFF) return def.A;
        if (_isConst[def.A] && (_constValue[def.A] & 0xFFFF) == 0xFFFF) return def.B;
        return temp;
    }

    /// <summary>The index of the instruction that assigns <paramref name="temp"/> (each is assigned once), or -1.</summary>
    private int DefinedAt(int temp)
    {
        if (_definedAt is null)
        {
            _definedAt = new int[_block.TempCount];
            Array.Fill(_definedAt, -1);
            ReadOnlySpan<IrInstruction> all = _block.Span;
            for (int i = 0; i < all.Length; i++)
                if (all[i].HasDst) _definedAt[all[i].Dst] = i;
        }
        return _definedAt[temp];
    }

    private (LLVMValueRef Sig, LLVMValueRef SignExp) FromHost(LLVMValueRef value)
    {
        LLVMValueRef bits = LLVMBuildBitCast(_b, value, I80, NoName);
        LLVMValueRef sig = LLVMBuildTrunc(_b, bits, _cx.I64, NoName);
        LLVMValueRef high = LLVMBuildTrunc(_b, LLVMBuildLShr(_b, bits, LLVMConstInt(I80, 64, 0), NoName), _cx.I16, NoName);
        return (sig, LLVMBuildZExt(_b, high, _cx.I32, NoName));
    }

    // ------------------------------------------------------------------ the host's sticky flags

    /// <summary>The host unit's exception flags (FNSTSW; bits 0..5).</summary>
    private LLVMValueRef HostExceptionFlags()
    {
        LLVMValueRef status = InlineAsm(_cx.I16, "fnstsw %ax", "={ax},~{dirflag},~{fpsr},~{flags}");
        return LLVMBuildAnd(_b, LLVMBuildZExt(_b, status, _cx.I32, NoName), I32(Ext.Exceptions), NoName);
    }

    private LLVMValueRef InlineAsm(LLVMTypeRef result, string code, string constraints)
    {
        LLVMTypeRef type = FunctionType(result);
        byte[] asm = Encoding.ASCII.GetBytes(code), con = Encoding.ASCII.GetBytes(constraints);
        LLVMValueRef callee;
        fixed (byte* pa = asm)
        fixed (byte* pc = con)
            callee = LLVMGetInlineAsm(type, pa, (nuint)asm.Length, pc, (nuint)con.Length, 1, 0, LLVMInlineAsmDialect.ATT, 0);
        return LLVMBuildCall2(_b, type, callee, null, 0, NoName);
    }

    /// <summary>At entry and after a helper that touches state: flags the host holds and the
    /// raise field does not were cleared by the guest since (or belong to another run), so the
    /// host's are cleared (a cold path: FNCLEX costs tens of nanoseconds).</summary>
    private void SyncHostFlags()
    {
        if (_raisedOffset < 0) return;
        LLVMValueRef known = Load(_cx.I32, StatePointer((ulong)_raisedOffset), _cx.TbaaState);
        LLVMValueRef stale = LLVMBuildAnd(_b, HostExceptionFlags(), LLVMBuildNot(_b, known, NoName), NoName);
        LLVMBasicBlockRef clear = NewBlock(), next = NewBlock();
        CondBr(LLVMBuildICmp(_b, LLVMIntPredicate.NE, stale, I32(0), NoName), clear, next, _cx.Unlikely);
        LLVMPositionBuilderAtEnd(_b, clear);
        InlineAsm(_cx.Void, "fnclex", "~{dirflag},~{fpsr},~{flags}");
        LLVMBuildBr(_b, next);
        LLVMPositionBuilderAtEnd(_b, next);
    }

    /// <summary>Where state becomes observable: the raise field gets the host's flags.</summary>
    private void FoldHostFlags()
    {
        if (_raisedOffset < 0) return;
        LLVMValueRef field = StatePointer((ulong)_raisedOffset);
        Store(LLVMBuildOr(_b, Load(_cx.I32, field, _cx.TbaaState), HostExceptionFlags(), NoName), field, _cx.TbaaState);
    }

    /// <summary>A LoadState of the raise field sees the flags the host holds.</summary>
    private LLVMValueRef WithHostFlags(long offset, LLVMValueRef loaded) =>
        offset == _raisedOffset ? LLVMBuildOr(_b, loaded, HostExceptionFlags(), NoName) : loaded;
}
