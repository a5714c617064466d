using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;
using Ext = Transmeta.IR.ExtendedArithmetic;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// <see cref="Opcode.ExtArith"/> on the host's own extended-precision unit: LLVM's x86_fp80
/// arithmetic is x87 FADD/FSUB/FMUL/FDIV/FSQRT, which with the host's control word (037F, the
/// x86-64 System V default, which nothing in this process changes: .NET does floating point in
/// SSE) rounds to nearest-even at 64 bits, exactly the operation's definition. The result's
/// status, which the host unit keeps only in its sticky flags, is derived from the values:
/// <list type="bullet">
/// <item>Add, Sub: the rounding error by TwoSum (Knuth; six more additions, exact in any binary
/// format rounding to nearest): inexact when it is not zero, rounded up in magnitude when its
/// sign is not the result's;</item>
/// <item>Mul, Div, Sqrt: integer identities on the significands: the 128-bit product against
/// the rounded one; the rounded quotient times the divisor, and the rounded root squared,
/// against the dividend or radicand placed as the result's exponent says (a result a binade
/// above that is a carry out of the rounding: rounded up);</item>
/// <item>unhandled unless the result is normal with an exponent of 2..7FFD (so neither an
/// underflow nor an overflow can hide in it), or a zero the operands explain.</item>
/// </list>
/// The three parts of one operation are computed once; and an operand that is the result of an
/// earlier operation (its significand and sign/exponent parts, in the same straight-line run
/// of code) is taken as the host value it was, without a round trip through integers.
/// </summary>
internal sealed unsafe partial class LlvmEmitter
{
    private readonly record struct ExtResult(LLVMValueRef Value, LLVMValueRef Sig, LLVMValueRef SignExp, LLVMValueRef Status);
    private readonly record struct ExtKey(long Op, int A, int B, int C, int D);

    /// <summary>Results since the last label (later code in the run is dominated by them).</summary>
    private readonly Dictionary<ExtKey, ExtResult> _extResults = new();
    /// <summary>Temporaries holding a significand / sign-exponent part, by the operation they came from.</summary>
    private readonly Dictionary<int, ExtKey> _extSigTemps = new(), _extSignExpTemps = new();
    private int[]? _definedAt;

    private void ForgetExtendedResults()
    {
        _extResults.Clear();
        _extSigTemps.Clear();
        _extSignExpTemps.Clear();
    }

    private void EmitExtArith(in IrInstruction ins)
    {
        var key = new ExtKey(ins.Imm, ins.A, ins.B, ins.C, ins.D);
        if (!_extResults.TryGetValue(key, out ExtResult r)) _extResults[key] = r = Evaluate(key);
        switch ((ExtPart)ins.Aux)
        {
            case ExtPart.Significand:
                StoreTemp(ins.Dst, r.Sig, IrType.I64);
                if (ins.Dst >= 0) _extSigTemps[ins.Dst] = key;
                break;
            case ExtPart.SignExp:
                StoreTemp(ins.Dst, r.SignExp, IrType.I32);
                if (ins.Dst >= 0) _extSignExpTemps[ins.Dst] = key;
                break;
            default:
                StoreTemp(ins.Dst, r.Status, IrType.I32);
                break;
        }
    }

    private ExtResult Evaluate(ExtKey k)
    {
        var op = (ExtOp)k.Op;
        LLVMValueRef a = ToHost(k.A, k.B);
        LLVMValueRef b = op == ExtOp.Sqrt ? a : ToHost(k.C, k.D);
        LLVMValueRef r = op switch
        {
            ExtOp.Add => LLVMBuildFAdd(_b, a, b, NoName),
            ExtOp.Sub => LLVMBuildFSub(_b, a, b, NoName),
            ExtOp.Mul => LLVMBuildFMul(_b, a, b, NoName),
            ExtOp.Div => LLVMBuildFDiv(_b, a, b, NoName),
            _ => SquareRoot(a),
        };
        (LLVMValueRef sig, LLVMValueRef signExp) = FromHost(r);

        LLVMValueRef exp = LLVMBuildAnd(_b, signExp, I32(0x7FFF), NoName);
        LLVMValueRef zero = LLVMBuildICmp(_b, LLVMIntPredicate.EQ, sig, I64(0), NoName);
        LLVMValueRef normal = LLVMBuildICmp(_b, LLVMIntPredicate.ULT, LLVMBuildSub(_b, exp, I32(2), NoName), I32(0x7FFC), NoName);
        // A zero result is exact when an operand explains it: x - x, 0 × y, 0 / y, √0 (else an underflow).
        LLVMValueRef zeroExplained = op switch
        {
            ExtOp.Add or ExtOp.Sub => LLVMConstInt(_cx.I1, 1, 0),
            ExtOp.Mul => LLVMBuildOr(_b, IsZeroSig(k.A), IsZeroSig(k.C), NoName),
            _ => IsZeroSig(k.A),
        };
        LLVMValueRef handled = LLVMBuildOr(_b, normal, LLVMBuildAnd(_b, zero, zeroExplained, NoName), NoName);

        (LLVMValueRef inexact, LLVMValueRef up) = op switch
        {
            ExtOp.Add or ExtOp.Sub => AdditionRounding(a, op == ExtOp.Sub ? LLVMBuildFNeg(_b, b, NoName) : b, r),
            ExtOp.Mul => ProductRounding(k, sig),
            ExtOp.Div => QuotientRounding(k, sig, exp),
            _ => RootRounding(k, sig, exp),
        };
        LLVMValueRef nonzero = LLVMBuildNot(_b, zero, NoName);
        inexact = LLVMBuildAnd(_b, inexact, nonzero, NoName);
        up = LLVMBuildAnd(_b, up, nonzero, NoName);
        LLVMValueRef status = LLVMBuildSelect(_b, handled,
            LLVMBuildOr(_b, Flag(inexact, Ext.Inexact), Flag(up, Ext.RoundedUp), NoName), I32(Ext.Unhandled), NoName);
        return new ExtResult(r, sig, signExp, status);
    }

    private LLVMValueRef Flag(LLVMValueRef bit, uint value) =>
        LLVMBuildSelect(_b, bit, I32(value), I32(0), NoName);

    private LLVMValueRef IsZeroSig(int sigTemp) =>
        LLVMBuildICmp(_b, LLVMIntPredicate.EQ, LoadTemp(sigTemp, IrType.I64), I64(0), NoName);

    private LLVMValueRef SquareRoot(LLVMValueRef a)
    {
        (LLVMValueRef fn, LLVMTypeRef fnType) = Intrinsic("llvm.sqrt", Fp80);
        LLVMValueRef* args = stackalloc LLVMValueRef[1];
        args[0] = a;
        return LLVMBuildCall2(_b, fnType, fn, args, 1, NoName);
    }

    private LLVMTypeRef Fp80 => LLVMX86FP80TypeInContext(_cx.Ref);
    private LLVMTypeRef I80 => LLVMIntTypeInContext(_cx.Ref, 80);
    private LLVMTypeRef I128 => LLVMIntTypeInContext(_cx.Ref, 128);

    /// <summary>The operand in significand temporary <paramref name="sigTemp"/> and sign/exponent
    /// <paramref name="signExpTemp"/> as a host value: the earlier result itself when both are its
    /// parts (seen through the 16-bit mask a reader may put on the sign/exponent), else the two
    /// halves put together.</summary>
    private LLVMValueRef ToHost(int sigTemp, int signExpTemp)
    {
        if (_extSigTemps.TryGetValue(sigTemp, out ExtKey fromSig)
            && _extSignExpTemps.TryGetValue(ThroughLowMask(signExpTemp), out ExtKey fromSignExp)
            && fromSig == fromSignExp && _extResults.TryGetValue(fromSig, out ExtResult earlier))
            return earlier.Value;
        LLVMValueRef low = LLVMBuildZExt(_b, LoadTemp(sigTemp, IrType.I64), I80, NoName);
        LLVMValueRef se16 = LLVMBuildTrunc(_b, LoadTemp(signExpTemp, IrType.I32), _cx.I16, NoName);
        LLVMValueRef high = LLVMBuildShl(_b, LLVMBuildZExt(_b, se16, I80, NoName), LLVMConstInt(I80, 64, 0), NoName);
        return LLVMBuildBitCast(_b, LLVMBuildOr(_b, low, high, NoName), Fp80, NoName);
    }

    /// <summary>The temporary that <paramref name="temp"/> masks to its low 16 bits (or more), or itself.</summary>
    private int ThroughLowMask(int temp)
    {
        if (_definedAt is null)
        {
            _definedAt = new int[_block.TempCount];
            Array.Fill(_definedAt, -1);
            ReadOnlySpan<IrInstruction> all = _block.Span;
            for (int i = 0; i < all.Length; i++)
                if (all[i].HasDst) _definedAt[all[i].Dst] = i;
        }
        if (temp < 0 || _definedAt[temp] < 0) return temp;
        ref readonly IrInstruction def = ref _block.Span[_definedAt[temp]];
        if (def.Op != Opcode.And) return temp;
        if (_isConst[def.B] && (_constValue[def.B] & 0xFFFF) == 0xFFFF) return def.A;
        if (_isConst[def.A] && (_constValue[def.A] & 0xFFFF) == 0xFFFF) return def.B;
        return temp;
    }

    private (LLVMValueRef Sig, LLVMValueRef SignExp) FromHost(LLVMValueRef value)
    {
        LLVMValueRef bits = LLVMBuildBitCast(_b, value, I80, NoName);
        LLVMValueRef sig = LLVMBuildTrunc(_b, bits, _cx.I64, NoName);
        LLVMValueRef high = LLVMBuildTrunc(_b, LLVMBuildLShr(_b, bits, LLVMConstInt(I80, 64, 0), NoName), _cx.I16, NoName);
        return (sig, LLVMBuildZExt(_b, high, _cx.I32, NoName));
    }

    /// <summary>TwoSum: r = a + b rounded; e = (a - (r - bv)) + (b - bv) with bv = r - a is the
    /// exact error a + b - r. Rounded up in magnitude when e and r have opposite signs.</summary>
    private (LLVMValueRef Inexact, LLVMValueRef Up) AdditionRounding(LLVMValueRef a, LLVMValueRef b, LLVMValueRef r)
    {
        LLVMValueRef bv = LLVMBuildFSub(_b, r, a, NoName);
        LLVMValueRef av = LLVMBuildFSub(_b, r, bv, NoName);
        LLVMValueRef e = LLVMBuildFAdd(_b, LLVMBuildFSub(_b, a, av, NoName), LLVMBuildFSub(_b, b, bv, NoName), NoName);
        LLVMValueRef zero = LLVMConstReal(Fp80, 0);
        LLVMValueRef inexact = LLVMBuildFCmp(_b, LLVMRealPredicate.UNE, e, zero, NoName);
        LLVMValueRef opposite = LLVMBuildXor(_b,
            LLVMBuildFCmp(_b, LLVMRealPredicate.OLT, e, zero, NoName),
            LLVMBuildFCmp(_b, LLVMRealPredicate.OLT, r, zero, NoName), NoName);
        return (inexact, LLVMBuildAnd(_b, inexact, opposite, NoName));
    }

    /// <summary>The exact product's top 64 bits (truncated) against the rounded significand.</summary>
    private (LLVMValueRef Inexact, LLVMValueRef Up) ProductRounding(ExtKey k, LLVMValueRef sig)
    {
        LLVMValueRef p = LLVMBuildMul(_b, Wide(LoadTemp(k.A, IrType.I64)), Wide(LoadTemp(k.C, IrType.I64)), NoName);
        // The product of two significands in [1, 2) is in [1, 4): shift left by one unless bit 127 is set.
        LLVMValueRef top = LLVMBuildICmp(_b, LLVMIntPredicate.SLT, p, LLVMConstInt(I128, 0, 0), NoName);
        LLVMValueRef aligned = LLVMBuildSelect(_b, top, p, LLVMBuildShl(_b, p, LLVMConstInt(I128, 1, 0), NoName), NoName);
        LLVMValueRef truncated = LLVMBuildTrunc(_b, LLVMBuildLShr(_b, aligned, LLVMConstInt(I128, 64, 0), NoName), _cx.I64, NoName);
        LLVMValueRef rest = LLVMBuildTrunc(_b, aligned, _cx.I64, NoName);
        return (LLVMBuildICmp(_b, LLVMIntPredicate.NE, rest, I64(0), NoName),
            LLVMBuildICmp(_b, LLVMIntPredicate.NE, sig, truncated, NoName));
    }

    /// <summary>q × divisor against the dividend placed at the quotient's expected binade (q ∈
    /// [1, 2) needs the dividend's significand at or above the divisor's, else it is doubled).</summary>
    private (LLVMValueRef Inexact, LLVMValueRef Up) QuotientRounding(ExtKey k, LLVMValueRef sig, LLVMValueRef exp)
    {
        LLVMValueRef ma = LoadTemp(k.A, IrType.I64), mb = LoadTemp(k.C, IrType.I64);
        LLVMValueRef ge = LLVMBuildICmp(_b, LLVMIntPredicate.ULE, mb, ma, NoName);
        LLVMValueRef dividend = LLVMBuildShl(_b, Wide(ma),
            LLVMBuildSelect(_b, ge, LLVMConstInt(I128, 63, 0), LLVMConstInt(I128, 64, 0), NoName), NoName);
        LLVMValueRef expected = LLVMBuildSub(_b,
            LLVMBuildAdd(_b, LLVMBuildSub(_b, ExpOf(k.B), ExpOf(k.D), NoName), I32(Ext.Bias), NoName),
            LLVMBuildSelect(_b, ge, I32(0), I32(1), NoName), NoName);
        LLVMValueRef product = LLVMBuildMul(_b, Wide(sig), Wide(mb), NoName);
        return Compare(product, dividend, LLVMBuildICmp(_b, LLVMIntPredicate.NE, exp, expected, NoName));
    }

    /// <summary>The rounded root squared against the radicand placed so its root has 64 bits.</summary>
    private (LLVMValueRef Inexact, LLVMValueRef Up) RootRounding(ExtKey k, LLVMValueRef sig, LLVMValueRef exp)
    {
        LLVMValueRef u = LLVMBuildSub(_b, ExpOf(k.B), I32(Ext.Bias), NoName);
        LLVMValueRef odd = LLVMBuildTrunc(_b, u, _cx.I1, NoName);
        LLVMValueRef radicand = LLVMBuildShl(_b, Wide(LoadTemp(k.A, IrType.I64)),
            LLVMBuildSelect(_b, odd, LLVMConstInt(I128, 64, 0), LLVMConstInt(I128, 63, 0), NoName), NoName);
        LLVMValueRef expected = LLVMBuildAdd(_b, LLVMBuildAShr(_b, u, I32(1), NoName), I32(Ext.Bias), NoName);
        LLVMValueRef wide = Wide(sig);
        return Compare(LLVMBuildMul(_b, wide, wide, NoName), radicand, LLVMBuildICmp(_b, LLVMIntPredicate.NE, exp, expected, NoName));
    }

    /// <summary>Inexact: the rounded value's image differs from the exact one; up: it is above
    /// it. A carry into the next binade is both.</summary>
    private (LLVMValueRef Inexact, LLVMValueRef Up) Compare(LLVMValueRef rounded, LLVMValueRef exact, LLVMValueRef carry) =>
        (LLVMBuildOr(_b, carry, LLVMBuildICmp(_b, LLVMIntPredicate.NE, rounded, exact, NoName), NoName),
         LLVMBuildOr(_b, carry, LLVMBuildICmp(_b, LLVMIntPredicate.UGT, rounded, exact, NoName), NoName));

    private LLVMValueRef Wide(LLVMValueRef i64) => LLVMBuildZExt(_b, i64, I128, NoName);

    private LLVMValueRef ExpOf(int signExpTemp) => LLVMBuildAnd(_b, LoadTemp(signExpTemp, IrType.I32), I32(0x7FFF), NoName);
}
