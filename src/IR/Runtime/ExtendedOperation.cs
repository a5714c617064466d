using System.Runtime.CompilerServices;

namespace Transmeta.IR;

/// <summary>The operations of <see cref="Opcode.ExtArith"/> and <see cref="Opcode.ExtRaise"/>.</summary>
public enum ExtOp
{
    /// <summary>a + b (operands A:B and C:D).</summary>
    Add,
    Sub,
    Mul,
    Div,
    /// <summary>The square root of A:B (C:D are ignored).</summary>
    Sqrt,
    /// <summary>The binary64 value in A (I64), exactly (B, C, D ignored).</summary>
    FromDouble,
    /// <summary>The binary32 value in the low 32 bits of A (I64), exactly.</summary>
    FromSingle,
    /// <summary>A:B rounded to binary64: the Significand part is its bits, SignExp 0.</summary>
    ToDouble,
    /// <summary>A:B rounded to binary32: the Significand part is its bits (zero-extended), SignExp 0.</summary>
    ToSingle,
}

/// <summary>Which part of the result an <see cref="Opcode.ExtArith"/> instruction gives (Aux).</summary>
public enum ExtPart
{
    /// <summary>The 64-bit significand (I64), or the bits of a binary64/binary32 result.</summary>
    Significand,
    /// <summary>Sign and 15-bit exponent, 16 bits (I32).</summary>
    SignExp,
}

/// <summary>
/// The semantics of <see cref="Opcode.ExtArith"/> and <see cref="Opcode.ExtRaise"/>: IEEE 754
/// double-extended operations rounding to nearest-even at 64 bits with every exception masked
/// (the masked responses: the default NaN, infinities, denormal results), defined for every
/// operand, the encodings outside IEEE 754 (pseudo-denormals, unnormals) included.
/// <para>The common case (normal numbers and zeros) is <see cref="ExtendedArithmetic"/>'s fast
/// path. The rest is the general case: the full soft-float, which lives with the frontend whose
/// floating-point unit these conventions are (which NaN a NaN operation returns, how an
/// unsupported encoding is treated), registered here once with <see cref="RegisterGeneralCase"/>.
/// A backend with its own extended-precision unit (LLVM, on the host's x87) computes the values
/// in hardware and needs it only for the rounding direction of unusual cases.</para>
/// </summary>
public static unsafe class ExtendedOperation
{
    private static delegate*<int, ulong, uint, ulong, uint, ExtendedArithmetic.Result> s_general;
    private static nint s_generalNative;

    /// <summary>Registers the general case: a managed entry (interpreter, IL) and an
    /// [UnmanagedCallersOnly] one with the same signature (native code). Both compute
    /// (op, a, a's sign/exponent, b, b's sign/exponent) for every operand.</summary>
    public static void RegisterGeneralCase(
        delegate*<int, ulong, uint, ulong, uint, ExtendedArithmetic.Result> managed, nint native)
    {
        s_general = managed;
        s_generalNative = native;
    }

    /// <summary>The native entry of the general case (<c>{i64, i64} (i32, i64, i32, i64, i32)</c>,
    /// System V: the result in RAX:RDX).</summary>
    public static nint GeneralCaseNative =>
        s_generalNative != 0 ? s_generalNative : throw NotRegistered();

    private static InvalidOperationException NotRegistered() =>
        new("extended-precision general case not registered (the frontend registers it when its FPU is first used)");

    /// <summary>The whole result of op (sign/exponents read in their low 16 bits).</summary>
    public static ExtendedArithmetic.Result Evaluate(ExtOp op, ulong a, uint aSignExp, ulong b, uint bSignExp)
    {
        ExtendedArithmetic.Result r = op switch
        {
            <= ExtOp.Sqrt => ExtendedArithmetic.Evaluate(op, a, aSignExp, b, bSignExp),
            ExtOp.FromDouble => FromIeee(a, 52, 11),
            ExtOp.FromSingle => FromIeee((uint)a, 23, 8),
            ExtOp.ToDouble => ToIeee(a, aSignExp & 0xFFFF, 52, 11),
            _ => ToIeee(a, aSignExp & 0xFFFF, 23, 8),
        };
        return OrGeneral(op, r, a, aSignExp, b, bSignExp);
    }

    // One entry per operation, for the IL backend: with the operation constant, the JIT folds
    // the fast path's dispatch away (measured: a third of the time of x87-bound guests under IL
    // went to the generic entry).
    public static ExtendedArithmetic.Result Add(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.Add, ExtendedArithmetic.Evaluate(ExtOp.Add, a, aSignExp, b, bSignExp), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result Sub(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.Sub, ExtendedArithmetic.Evaluate(ExtOp.Sub, a, aSignExp, b, bSignExp), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result Mul(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.Mul, ExtendedArithmetic.Evaluate(ExtOp.Mul, a, aSignExp, b, bSignExp), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result Div(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.Div, ExtendedArithmetic.Evaluate(ExtOp.Div, a, aSignExp, b, bSignExp), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result Sqrt(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.Sqrt, ExtendedArithmetic.Evaluate(ExtOp.Sqrt, a, aSignExp, b, bSignExp), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result FromDouble(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.FromDouble, FromIeee(a, 52, 11), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result FromSingle(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.FromSingle, FromIeee((uint)a, 23, 8), a, aSignExp, b, bSignExp);

    public static ExtendedArithmetic.Result ToDouble(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.ToDouble, ToIeee(a, aSignExp & 0xFFFF, 52, 11), a, aSignExp, b, bSignExp);
    public static ExtendedArithmetic.Result ToSingle(ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        OrGeneral(ExtOp.ToSingle, ToIeee(a, aSignExp & 0xFFFF, 23, 8), a, aSignExp, b, bSignExp);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExtendedArithmetic.Result OrGeneral(ExtOp op, ExtendedArithmetic.Result fast, ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        fast.Failed ? General(op, a, aSignExp, b, bSignExp) : fast;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ExtendedArithmetic.Result General(ExtOp op, ulong a, uint aSignExp, ulong b, uint bSignExp)
    {
        if (s_general == null) throw NotRegistered();
        return s_general((int)op, a, aSignExp & 0xFFFF, b, bSignExp & 0xFFFF);
    }

    /// <summary><see cref="Opcode.ExtArith"/> for the interpreter: one part.</summary>
    public static ulong Part(int op, int part, ulong a, ulong aSignExp, ulong b, ulong bSignExp)
    {
        ExtendedArithmetic.Result r = Evaluate((ExtOp)op, a, (uint)aSignExp, b, (uint)bSignExp);
        return (ExtPart)part == ExtPart.Significand ? r.Sig : r.SignExp;
    }

    /// <summary><see cref="ExtendedArithmetic.RoundedUp"/> when the rounding increased the
    /// magnitude (an overflow to infinity included), else 0; for <see cref="Opcode.ExtSetRoundedUp"/>.</summary>
    public static uint RoundedUp(int op, ulong a, ulong aSignExp, ulong b, ulong bSignExp) =>
        Evaluate((ExtOp)op, a, (uint)aSignExp, b, (uint)bSignExp).Flags & ExtendedArithmetic.RoundedUp;

    /// <summary>The exception flags op raises (<see cref="ExtendedArithmetic.Exceptions"/>), for
    /// <see cref="Opcode.ExtRaise"/>.</summary>
    public static uint Raised(int op, ulong a, ulong aSignExp, ulong b, ulong bSignExp) =>
        Evaluate((ExtOp)op, a, (uint)aSignExp, b, (uint)bSignExp).Flags & ExtendedArithmetic.Exceptions;

    /// <summary>A binary64/binary32 normal number or zero, exactly (no flags); anything else is
    /// the general case (a denormal raises DE, a signaling NaN IE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ExtendedArithmetic.Result FromIeee(ulong bits, int fracBits, int expBits)
    {
        int maxExp = (1 << expBits) - 1, bias = maxExp >> 1;
        int e = (int)(bits >> fracBits) & maxExp;
        uint sign = (uint)(bits >> (fracBits + expBits)) << 15;
        ulong frac = bits & ((1UL << fracBits) - 1);
        if (e == 0 && frac == 0) return ExtendedArithmetic.Result.Exact(0, sign);
        if (e == 0 || e == maxExp) return ExtendedArithmetic.Result.Fail;
        return ExtendedArithmetic.Result.Exact(ExtendedArithmetic.IntegerBit | frac << (63 - fracBits),
            sign | (uint)(e - bias + ExtendedArithmetic.Bias));
    }

    /// <summary>A normal number rounded to nearest-even into a binary64/binary32 normal number, or
    /// a zero (exact); anything else, an overflow or a value below the normal range before
    /// rounding included (a store detects tininess after rounding, which the general case
    /// knows), is the general case.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ExtendedArithmetic.Result ToIeee(ulong sig, uint signExp, int fracBits, int expBits)
    {
        ulong sign = (ulong)(signExp >> 15) << (fracBits + expBits);
        if (ExtendedArithmetic.IsZero(sig, signExp)) return ExtendedArithmetic.Result.Exact(sign, 0);
        if (!ExtendedArithmetic.IsNormal(sig, signExp)) return ExtendedArithmetic.Result.Fail;
        int maxExp = (1 << expBits) - 1, bias = maxExp >> 1;
        int e = (int)(signExp & 0x7FFF) - ExtendedArithmetic.Bias + bias;
        if (e <= 0) return ExtendedArithmetic.Result.Fail;
        int dropped = 63 - fracBits;
        ulong rest = sig & ((1UL << dropped) - 1), half = 1UL << (dropped - 1);
        ulong kept = sig >> dropped;
        ulong up = rest > half || (rest == half && (kept & 1) != 0) ? 1UL : 0;
        kept += up;
        if (kept >> (fracBits + 1) != 0)
        {
            kept >>= 1;
            e++;
        }
        if (e >= maxExp) return ExtendedArithmetic.Result.Fail; // overflow
        ulong bits = sign | (ulong)e << fracBits | (kept & ((1UL << fracBits) - 1));
        uint flags = (rest != 0 ? ExtendedArithmetic.Inexact : 0) | (up != 0 ? ExtendedArithmetic.RoundedUp : 0);
        return ExtendedArithmetic.Result.WithFlags(bits, 0, flags);
    }
}
