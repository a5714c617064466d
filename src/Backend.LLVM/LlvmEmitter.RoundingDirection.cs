using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;
using Ext = Transmeta.IR.ExtendedArithmetic;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// <see cref="Opcode.ExtSetRoundedUp"/> (the x87's C1) for the host-computed results: the host
/// unit reports the rounding direction only in its status word, which the next instruction
/// overwrites, so it is derived from the operands and the result. The field keeps it pending (the
/// operation and its six arguments, in allocas) and computes it where the field is loaded or
/// written back, by one internal function per operation, <c>i32 (aSig, aSignExp, bSig,
/// bSignExp, rSig, rSignExp)</c>, pure and never inlined: where the bit is masked off, LLVM
/// deletes the call. Inside, the common range is derived exactly:
/// <list type="bullet">
/// <item>Add (Sub adds the negated operand): TwoSum (Knuth; five more additions, exact in any
/// binary format rounding to nearest): rounded up in magnitude when the rounding error and the
/// result have opposite signs. Only with every exponent in 66..7FFC, where no intermediate can
/// overflow or be denormal (which would raise flags the guest did not);</item>
/// <item>Mul, Div, Sqrt: integer identities on the significands: the 128-bit product against the
/// rounded one; the rounded quotient times the divisor, and the rounded root squared, against
/// the dividend or radicand placed as the result's exponent says (a result a binade above that
/// is a carry out of the rounding: rounded up);</item>
/// <item>ToDouble, ToSingle: the dropped bits against one half.</item>
/// </list>
/// Everything else (denormals, infinities, NaNs, results at the ends of the range) asks the
/// general case (<see cref="ExtendedOperation.GeneralCaseNative"/>).
/// </summary>
internal sealed unsafe partial class LlvmEmitter
{
    private readonly Dictionary<ExtOp, LLVMValueRef> _roundingFunctions = new();
    private LLVMTypeRef _roundingType, _generalType;

    /// <summary>The state field the block's ExtSetRoundedUp instructions name (one per block), or -1.</summary>
    private long _roundedUpOffset = -1;
    /// <summary>The pending rounding direction of a shadowed field: which operation (0: none,
    /// else its <see cref="ExtOp"/> + 1, Sub as Add) and its six arguments, in allocas; the
    /// field's shadow holds the rest of its bits.</summary>
    private LLVMValueRef _pendingOp, _pendingResult;
    private readonly LLVMValueRef[] _pendingArgs = new LLVMValueRef[6];
    private readonly SortedSet<ExtOp> _pendingKinds = new();
    /// <summary>What this point of the code knows of the pending operation: none (-1), which one
    /// (its ExtOp + 1), or nothing (0: control may arrive from several places).</summary>
    private int _pendingKnown;

    /// <summary>Per temporary: whether some use of it can see its RoundedUp bit (null: no
    /// field has a rounding direction).</summary>
    private bool[]? _roundedUpObserved;

    private bool RoundedUpObserved(int temp) => _roundedUpObserved is null || _roundedUpObserved[temp];

    /// <summary>
    /// The temporaries whose RoundedUp bit some instruction can observe. A load of the field whose
    /// every use masks that bit off (an AND with a constant without it, a logical right shift past
    /// it) needs no pending direction computed. The x87 lifters read the status word at every
    /// block entry (the TOP and ES checks) and at every instruction (to write it back with C1
    /// cleared), and LLVM cannot see through the merge of a loop header that the bit is dead
    /// there: a loop whose last operation was an addition called the direction function on every
    /// iteration.
    /// </summary>
    private static bool[] TempsWhoseRoundedUpBitIsObserved(IrBlock block, bool[] isConst, ulong[] constValue)
    {
        var observed = new bool[block.TempCount];
        bool Masks(int t) => t >= 0 && isConst[t] && (constValue[t] & Ext.RoundedUp) == 0;
        foreach (ref readonly IrInstruction ins in block.Span)
        {
            for (int k = 0; k < ins.OperandCount; k++)
            {
                int t = ins.Operand(k);
                if (t < 0) continue;
                bool ignores = ins.Op switch
                {
                    Opcode.And => Masks(k == 0 ? ins.B : ins.A),
                    Opcode.Shr => k == 0 && isConst[ins.B] && (Ext.RoundedUp >> (int)constValue[ins.B]) == 0 && ins.Type == IrType.I32,
                    _ => false,
                };
                if (!ignores) observed[t] = true;
            }
        }
        return observed;
    }

    private void NoteRoundedUpField(in IrInstruction ins)
    {
        if (_roundedUpOffset >= 0 && _roundedUpOffset != ins.Imm)
            throw new LlvmException("ExtSetRoundedUp into two state fields in one block");
        _roundedUpOffset = ins.Imm;
        var op = (ExtOp)ins.Aux;
        if (op is not (ExtOp.FromDouble or ExtOp.FromSingle)) _pendingKinds.Add(op == ExtOp.Sub ? ExtOp.Add : op);
    }

    /// <summary>In the entry block, with the other allocas.</summary>
    private void MakePendingSlots()
    {
        if (_roundedUpOffset < 0 || !_shadows.ContainsKey(_roundedUpOffset)) return;
        _pendingOp = LLVMBuildAlloca(_b, _cx.I32, NoName);
        _pendingResult = LLVMBuildAlloca(_b, _cx.I32, NoName);
        for (int i = 0; i < 6; i++) _pendingArgs[i] = LLVMBuildAlloca(_b, i % 2 == 0 ? _cx.I64 : _cx.I32, NoName);
        LLVMBuildStore(_b, I32(0), _pendingOp);
    }

    private bool HasPending(long offset) => offset == _roundedUpOffset && !_pendingOp.IsNull;

    /// <summary>The field's shadow now holds all of its value (a store, a reload).</summary>
    private void ClearPending(long offset)
    {
        if (!HasPending(offset)) return;
        LLVMBuildStore(_b, I32(0), _pendingOp);
        _pendingKnown = -1;
    }

    /// <summary>At a label, and in the shared exit: the pending operation is whichever the paths
    /// arriving there left.</summary>
    private void ForgetPendingKind() => _pendingKnown = 0;

    private void EmitExtSetRoundedUp(in IrInstruction ins)
    {
        var op = (ExtOp)ins.Aux;
        ExtResult r = Result(new ExtKey(ins.Aux, ins.A, ins.B, ins.C, ins.D));
        if (op is ExtOp.FromDouble or ExtOp.FromSingle)
        {
            // Exact: the bit is 0.
            SetRoundedUpBit(ins.Imm, I32(0));
            return;
        }
        LLVMValueRef* args = stackalloc LLVMValueRef[6];
        args[0] = LoadTemp(ins.A, IrType.I64);
        args[1] = LoadTemp(ins.B, IrType.I32);
        bool unary = op is ExtOp.Sqrt or ExtOp.ToDouble or ExtOp.ToSingle;
        args[2] = unary ? args[0] : LoadTemp(ins.C, IrType.I64);
        args[3] = unary ? args[1] : LoadTemp(ins.D, IrType.I32);
        if (op == ExtOp.Sub)
        {
            args[3] = LLVMBuildXor(_b, args[3], I32(0x8000), NoName);
            op = ExtOp.Add;
        }
        args[4] = r.Sig;
        args[5] = r.SignExp;
        if (!HasPending(ins.Imm))
        {
            SetRoundedUpBit(ins.Imm, CallRoundingDirection(op, args));
            return;
        }
        for (int i = 0; i < 6; i++) LLVMBuildStore(_b, args[i], _pendingArgs[i]);
        LLVMBuildStore(_b, I32((uint)op + 1), _pendingOp);
        _pendingKnown = (int)op + 1;
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 1, 0), _dirty[ins.Imm]);
    }

    /// <summary>The field's RoundedUp bit set to <paramref name="bit"/> now (no pending direction).</summary>
    private void SetRoundedUpBit(long offset, LLVMValueRef bit)
    {
        LLVMValueRef value = LLVMBuildOr(_b, LLVMBuildAnd(_b, LoadStateValue(offset, IrType.I32), I32(~Ext.RoundedUp), NoName), bit, NoName);
        StoreStateValue(offset, value, IrType.I32);
    }

    /// <summary>The field's value with its pending rounding direction computed, for a load or a
    /// write-back: a call on one path per kind of operation the block has (where the kind is
    /// known, LLVM keeps that path alone; where the value's RoundedUp bit is masked off, it
    /// drops the call).</summary>
    private LLVMValueRef Materialize(long offset, LLVMValueRef shadow)
    {
        if (!HasPending(offset) || _pendingKinds.Count == 0 || _pendingKnown < 0) return shadow;
        LLVMValueRef* args = stackalloc LLVMValueRef[6];
        LLVMValueRef cleared = LLVMBuildAnd(_b, shadow, I32(~Ext.RoundedUp), NoName);
        if (_pendingKnown > 0)
        {
            LoadPendingArgs(args);
            return LLVMBuildOr(_b, cleared, CallRoundingDirection((ExtOp)(_pendingKnown - 1), args), NoName);
        }
        LLVMBuildStore(_b, shadow, _pendingResult);
        LLVMValueRef pending = LLVMBuildLoad2(_b, _cx.I32, _pendingOp, NoName);
        foreach (ExtOp kind in _pendingKinds)
        {
            LLVMBasicBlockRef compute = NewBlock(), next = NewBlock();
            LLVMBuildCondBr(_b, LLVMBuildICmp(_b, LLVMIntPredicate.EQ, pending, I32((uint)kind + 1), NoName), compute, next);
            LLVMPositionBuilderAtEnd(_b, compute);
            LoadPendingArgs(args);
            LLVMBuildStore(_b, LLVMBuildOr(_b, cleared, CallRoundingDirection(kind, args), NoName), _pendingResult);
            LLVMBuildBr(_b, next);
            LLVMPositionBuilderAtEnd(_b, next);
        }
        return LLVMBuildLoad2(_b, _cx.I32, _pendingResult, NoName);
    }

    private void LoadPendingArgs(LLVMValueRef* args)
    {
        for (int i = 0; i < 6; i++) args[i] = LLVMBuildLoad2(_b, i % 2 == 0 ? _cx.I64 : _cx.I32, _pendingArgs[i], NoName);
    }

    private LLVMValueRef CallRoundingDirection(ExtOp op, LLVMValueRef* args)
    {
        LLVMValueRef fn = RoundingDirection(op); // first: it makes the function type on first use
        // The mask tells LLVM which bit the call can set, so a later write of the bit is seen to
        // replace it, and the call is dropped where nothing else observes it.
        return LLVMBuildAnd(_b, LLVMBuildCall2(_b, _roundingType, fn, args, 6, NoName), I32(Ext.RoundedUp), NoName);
    }

    private LLVMValueRef RoundingDirection(ExtOp op)
    {
        if (_roundingFunctions.TryGetValue(op, out LLVMValueRef fn)) return fn;
        if (_roundingType.IsNull)
        {
            _roundingType = FunctionType(_cx.I32, _cx.I64, _cx.I32, _cx.I64, _cx.I32, _cx.I64, _cx.I32);
            LLVMTypeRef* fields = stackalloc LLVMTypeRef[2];
            fields[0] = fields[1] = _cx.I64;
            _generalType = FunctionType(LLVMStructTypeInContext(_cx.Ref, fields, 2, 0), _cx.I32, _cx.I64, _cx.I32, _cx.I64, _cx.I32);
        }
        fn = LLVMAddFunction(_module, $"{_symbol}.rounding.{op}", _roundingType);
        LLVMSetLinkage(fn, InternalLinkage);
        foreach (uint kind in new[] { _cx.NoUnwindKind, _cx.NoInlineKind, _cx.WillReturnKind })
            LLVMAddAttributeAtIndex(fn, uint.MaxValue, LLVMCreateEnumAttribute(_cx.Ref, kind, 0));
        LLVMAddAttributeAtIndex(fn, uint.MaxValue, LLVMCreateEnumAttribute(_cx.Ref, _cx.MemoryKind, 0)); // memory(none)
        _roundingFunctions[op] = fn;

        LLVMBasicBlockRef resume = LLVMGetInsertBlock(_b);
        LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(_cx.Ref, fn, NoName),
            fast = LLVMAppendBasicBlockInContext(_cx.Ref, fn, NoName),
            general = LLVMAppendBasicBlockInContext(_cx.Ref, fn, NoName);
        var x = new Operand(this, LLVMGetParam(fn, 0), LLVMGetParam(fn, 1));
        var y = new Operand(this, LLVMGetParam(fn, 2), LLVMGetParam(fn, 3));
        var r = new Operand(this, LLVMGetParam(fn, 4), LLVMGetParam(fn, 5));

        LLVMPositionBuilderAtEnd(_b, entry);
        (LLVMValueRef inRange, Func<LLVMValueRef> up) = op switch
        {
            ExtOp.Add => AdditionDirection(x, y, r),
            ExtOp.Mul => ProductDirection(x, y, r),
            ExtOp.Div => QuotientDirection(x, y, r),
            ExtOp.Sqrt => RootDirection(x, r),
            _ => NarrowingDirection(x, r.Sig, op == ExtOp.ToDouble ? 52 : 23, op == ExtOp.ToDouble ? 11 : 8),
        };
        LLVMBuildCondBr(_b, inRange, fast, general);

        LLVMPositionBuilderAtEnd(_b, fast);
        LLVMBuildRet(_b, LLVMBuildSelect(_b, up(), I32(Ext.RoundedUp), I32(0), NoName));

        LLVMPositionBuilderAtEnd(_b, general);
        LLVMValueRef* args = stackalloc LLVMValueRef[5];
        args[0] = I32((uint)op);
        args[1] = x.Sig;
        args[2] = x.SignExp;
        args[3] = y.Sig;
        args[4] = y.SignExp;
        LLVMValueRef result = LLVMBuildCall2(_b, _generalType, ConstPointer(ExtendedOperation.GeneralCaseNative), args, 5, NoName);
        LLVMValueRef meta = LLVMBuildExtractValue(_b, result, 1, NoName);
        LLVMValueRef flags = LLVMBuildTrunc(_b, LLVMBuildLShr(_b, meta, I64(16), NoName), _cx.I32, NoName);
        LLVMBuildRet(_b, LLVMBuildAnd(_b, flags, I32(Ext.RoundedUp), NoName));

        LLVMPositionBuilderAtEnd(_b, resume);
        return fn;
    }

    /// <summary>An extended value as the rounding functions see it (significand i64, sign and
    /// exponent in the low 16 bits of an i32).</summary>
    private readonly struct Operand(LlvmEmitter e, LLVMValueRef sig, LLVMValueRef signExp)
    {
        public LLVMValueRef Sig => sig;
        public LLVMValueRef SignExp => signExp;
        public LLVMValueRef Exp => LLVMBuildAnd(e._b, signExp, e.I32(0x7FFF), NoName);
        public LLVMValueRef Negative => LLVMBuildICmp(e._b, LLVMIntPredicate.NE, LLVMBuildAnd(e._b, signExp, e.I32(0x8000), NoName), e.I32(0), NoName);
        public LLVMValueRef IsZero => e.And(LLVMBuildICmp(e._b, LLVMIntPredicate.EQ, sig, e.I64(0), NoName),
            LLVMBuildICmp(e._b, LLVMIntPredicate.EQ, Exp, e.I32(0), NoName));
        /// <summary>The integer bit set and the exponent in lo..hi.</summary>
        public LLVMValueRef NormalIn(uint lo, uint hi) => e.And(
            LLVMBuildICmp(e._b, LLVMIntPredicate.SLT, sig, e.I64(0), NoName),
            LLVMBuildICmp(e._b, LLVMIntPredicate.ULE, LLVMBuildSub(e._b, Exp, e.I32(lo), NoName), e.I32(hi - lo), NoName));
        public LLVMValueRef IsNormal => NormalIn(1, 0x7FFE);
    }

    private LLVMValueRef And(LLVMValueRef a, LLVMValueRef b) => LLVMBuildAnd(_b, a, b, NoName);
    private LLVMValueRef Or(LLVMValueRef a, LLVMValueRef b) => LLVMBuildOr(_b, a, b, NoName);

    private (LLVMValueRef, Func<LLVMValueRef>) AdditionDirection(Operand a, Operand b, Operand r)
    {
        LLVMValueRef inRange = And(And(Or(a.IsZero, a.NormalIn(66, 0x7FFC)), Or(b.IsZero, b.NormalIn(66, 0x7FFC))),
            Or(r.IsZero, r.NormalIn(66, 0x7FFC)));
        return (inRange, () =>
        {
            LLVMValueRef ha = Fp80FromBits(a.Sig, a.SignExp), hb = Fp80FromBits(b.Sig, b.SignExp), hr = Fp80FromBits(r.Sig, r.SignExp);
            // TwoSum: e = (a - (r - bv)) + (b - bv) with bv = r - a is the exact error a + b - r.
            LLVMValueRef bv = LLVMBuildFSub(_b, hr, ha, NoName);
            LLVMValueRef av = LLVMBuildFSub(_b, hr, bv, NoName);
            LLVMValueRef e = LLVMBuildFAdd(_b, LLVMBuildFSub(_b, ha, av, NoName), LLVMBuildFSub(_b, hb, bv, NoName), NoName);
            LLVMValueRef bits = LLVMBuildBitCast(_b, e, I80, NoName);
            // Inexact: e is not ±0 (the bits without the sign are not all zero).
            LLVMValueRef magnitude = LLVMBuildShl(_b, bits, LLVMConstInt(I80, 1, 0), NoName);
            LLVMValueRef inexact = LLVMBuildICmp(_b, LLVMIntPredicate.NE, magnitude, LLVMConstInt(I80, 0, 0), NoName);
            LLVMValueRef errorNegative = LLVMBuildICmp(_b, LLVMIntPredicate.SLT, bits, LLVMConstInt(I80, 0, 0), NoName);
            return And(inexact, LLVMBuildXor(_b, errorNegative, r.Negative, NoName));
        });
    }

    /// <summary>The exact product's top 64 bits (truncated) against the rounded significand.</summary>
    private (LLVMValueRef, Func<LLVMValueRef>) ProductDirection(Operand a, Operand b, Operand r)
    {
        LLVMValueRef normal = And(And(a.IsNormal, b.IsNormal), r.NormalIn(2, 0x7FFD));
        LLVMValueRef zero = Or(And(a.IsZero, Or(b.IsZero, b.IsNormal)), And(b.IsZero, a.IsNormal));
        return (Or(normal, zero), () =>
        {
            LLVMValueRef p = LLVMBuildMul(_b, Wide(a.Sig), Wide(b.Sig), NoName);
            // The product of two significands in [1, 2) is in [1, 4): shift left by one unless bit 127 is set.
            LLVMValueRef top = LLVMBuildICmp(_b, LLVMIntPredicate.SLT, p, LLVMConstInt(I128, 0, 0), NoName);
            LLVMValueRef aligned = LLVMBuildSelect(_b, top, p, LLVMBuildShl(_b, p, LLVMConstInt(I128, 1, 0), NoName), NoName);
            LLVMValueRef truncated = LLVMBuildTrunc(_b, LLVMBuildLShr(_b, aligned, LLVMConstInt(I128, 64, 0), NoName), _cx.I64, NoName);
            return And(normal, LLVMBuildICmp(_b, LLVMIntPredicate.NE, r.Sig, truncated, NoName));
        });
    }

    /// <summary>q × divisor against the dividend placed at the quotient's expected binade (q ∈
    /// [1, 2) needs the dividend's significand at or above the divisor's, else it is doubled).</summary>
    private (LLVMValueRef, Func<LLVMValueRef>) QuotientDirection(Operand a, Operand b, Operand r)
    {
        LLVMValueRef normal = And(And(a.IsNormal, b.IsNormal), r.NormalIn(2, 0x7FFD));
        LLVMValueRef zero = And(a.IsZero, b.IsNormal);
        return (Or(normal, zero), () =>
        {
            LLVMValueRef ge = LLVMBuildICmp(_b, LLVMIntPredicate.ULE, b.Sig, a.Sig, NoName);
            LLVMValueRef dividend = LLVMBuildShl(_b, Wide(a.Sig),
                LLVMBuildSelect(_b, ge, LLVMConstInt(I128, 63, 0), LLVMConstInt(I128, 64, 0), NoName), NoName);
            LLVMValueRef expected = LLVMBuildSub(_b,
                LLVMBuildAdd(_b, LLVMBuildSub(_b, a.Exp, b.Exp, NoName), I32(Ext.Bias), NoName),
                LLVMBuildSelect(_b, ge, I32(0), I32(1), NoName), NoName);
            LLVMValueRef product = LLVMBuildMul(_b, Wide(r.Sig), Wide(b.Sig), NoName);
            return And(normal, Above(product, dividend, LLVMBuildICmp(_b, LLVMIntPredicate.NE, r.Exp, expected, NoName)));
        });
    }

    /// <summary>The rounded root squared against the radicand placed so its root has 64 bits.</summary>
    private (LLVMValueRef, Func<LLVMValueRef>) RootDirection(Operand a, Operand r)
    {
        LLVMValueRef normal = And(a.IsNormal, LLVMBuildNot(_b, a.Negative, NoName));
        return (Or(normal, a.IsZero), () =>
        {
            LLVMValueRef u = LLVMBuildSub(_b, a.Exp, I32(Ext.Bias), NoName);
            LLVMValueRef odd = LLVMBuildTrunc(_b, u, _cx.I1, NoName);
            LLVMValueRef radicand = LLVMBuildShl(_b, Wide(a.Sig),
                LLVMBuildSelect(_b, odd, LLVMConstInt(I128, 64, 0), LLVMConstInt(I128, 63, 0), NoName), NoName);
            LLVMValueRef expected = LLVMBuildAdd(_b, LLVMBuildAShr(_b, u, I32(1), NoName), I32(Ext.Bias), NoName);
            LLVMValueRef square = LLVMBuildMul(_b, Wide(r.Sig), Wide(r.Sig), NoName);
            return And(normal, Above(square, radicand, LLVMBuildICmp(_b, LLVMIntPredicate.NE, r.Exp, expected, NoName)));
        });
    }

    /// <summary>A normal value rounded into a normal binary64/binary32 (its bits in
    /// <paramref name="bits"/>): up when the dropped bits are above one half, or exactly one
    /// half with the kept part odd.</summary>
    private (LLVMValueRef, Func<LLVMValueRef>) NarrowingDirection(Operand a, LLVMValueRef bits, int fracBits, int expBits)
    {
        ulong maxExp = (1UL << expBits) - 1;
        LLVMValueRef exp = LLVMBuildAnd(_b, LLVMBuildLShr(_b, bits, I64((ulong)fracBits), NoName), I64(maxExp), NoName);
        LLVMValueRef normalResult = LLVMBuildICmp(_b, LLVMIntPredicate.ULE, LLVMBuildSub(_b, exp, I64(1), NoName), I64(maxExp - 2), NoName);
        // The value itself within the normal range (a tiny one is rounded at the denormal precision).
        uint bias = (uint)(maxExp >> 1);
        LLVMValueRef normal = And(a.NormalIn(Ext.Bias - bias + 1, Ext.Bias + bias), normalResult);
        return (Or(normal, a.IsZero), () =>
        {
            int dropped = 63 - fracBits;
            LLVMValueRef rest = LLVMBuildAnd(_b, a.Sig, I64((1UL << dropped) - 1), NoName);
            LLVMValueRef half = I64(1UL << (dropped - 1));
            LLVMValueRef odd = LLVMBuildICmp(_b, LLVMIntPredicate.NE, LLVMBuildAnd(_b, a.Sig, I64(1UL << dropped), NoName), I64(0), NoName);
            LLVMValueRef up = Or(LLVMBuildICmp(_b, LLVMIntPredicate.UGT, rest, half, NoName),
                And(LLVMBuildICmp(_b, LLVMIntPredicate.EQ, rest, half, NoName), odd));
            return And(normal, up);
        });
    }

    /// <summary>Rounded up: the rounded value's image is above the exact one, or the result
    /// carried into the next binade.</summary>
    private LLVMValueRef Above(LLVMValueRef rounded, LLVMValueRef exact, LLVMValueRef carry) =>
        Or(carry, LLVMBuildICmp(_b, LLVMIntPredicate.UGT, rounded, exact, NoName));

    private LLVMValueRef Wide(LLVMValueRef i64) => LLVMBuildZExt(_b, i64, I128, NoName);
}
