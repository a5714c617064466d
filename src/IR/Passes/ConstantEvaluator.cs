using System.Numerics;

namespace Transmeta.IR.Passes;

/// <summary>
/// Evaluates IR operations on constant operands with exactly the arithmetic of the reference
/// interpreter (<c>Transmeta.Backend.Interp.IrInterpreter</c>): values are the raw 64-bit words the
/// interpreter keeps in its temporaries, I32 results are zero-extended, SDiv/SRem of MIN by -1 wrap,
/// shift counts are taken as the interpreter takes them. A test runs both on random operands.
/// </summary>
public static class ConstantEvaluator
{
    /// <summary>Evaluates a two-operand operation (arithmetic, shifts, division, comparisons).
    /// Returns false where the result must not be computed at compile time (division by zero)
    /// or the opcode is not a two-operand value operation.</summary>
    public static bool TryBinary(Opcode op, IrType type, ulong a, ulong b, out ulong result)
    {
        result = 0;
        switch (op)
        {
            case Opcode.Add: result = Norm(type, a + b); return true;
            case Opcode.Sub: result = Norm(type, a - b); return true;
            case Opcode.Mul: result = Norm(type, a * b); return true;
            case Opcode.And: result = a & b; return true;
            case Opcode.Or: result = a | b; return true;
            case Opcode.Xor: result = a ^ b; return true;
            case Opcode.Shl: result = Norm(type, a << (int)b); return true;
            case Opcode.Shr: result = a >> (int)b; return true;
            case Opcode.Sar:
                result = type == IrType.I32 ? (uint)((int)(uint)a >> (int)b) : (ulong)((long)a >> (int)b);
                return true;
            case Opcode.UDiv:
            case Opcode.URem:
                if (b == 0) return false;
                result = op == Opcode.UDiv ? a / b : a % b;
                return true;
            case Opcode.SDiv:
            case Opcode.SRem:
                if (b == 0 || (type == IrType.I32 && (uint)b == 0)) return false;
                result = SignedDivide(type, a, b, op == Opcode.SRem);
                return true;
            case Opcode.Eq: result = a == b ? 1u : 0u; return true;
            case Opcode.Ne: result = a != b ? 1u : 0u; return true;
            case Opcode.ULt: result = a < b ? 1u : 0u; return true;
            case Opcode.ULe: result = a <= b ? 1u : 0u; return true;
            case Opcode.SLt: result = Signed(type, a) < Signed(type, b) ? 1u : 0u; return true;
            case Opcode.SLe: result = Signed(type, a) <= Signed(type, b) ? 1u : 0u; return true;
            default: return false;
        }
    }

    /// <summary>Evaluates a one-operand operation; false for opcodes that are not one.</summary>
    public static bool TryUnary(Opcode op, IrType type, ulong a, out ulong result)
    {
        result = 0;
        switch (op)
        {
            case Opcode.Not: result = Norm(type, ~a); return true;
            case Opcode.Neg: result = Norm(type, 0 - a); return true;
            case Opcode.Sext8: result = (uint)(sbyte)(byte)a; return true;
            case Opcode.Sext16: result = (uint)(short)(ushort)a; return true;
            case Opcode.ZextTo64: result = (uint)a; return true;
            case Opcode.SextTo64: result = (ulong)(long)(int)(uint)a; return true;
            case Opcode.Trunc: result = (uint)a; return true;
            case Opcode.Popcnt: result = (ulong)BitOperations.PopCount(a); return true;
            case Opcode.Ctz: result = (ulong)BitOperations.TrailingZeroCount((uint)a); return true;
            case Opcode.Clz: result = (ulong)BitOperations.LeadingZeroCount((uint)a); return true;
            case Opcode.Bswap: result = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)a); return true;
            default: return false;
        }
    }

    /// <summary>All bits set in a value of the type (as the interpreter holds it).</summary>
    public static ulong AllOnes(IrType type) => type == IrType.I32 ? 0xFFFF_FFFFul : ulong.MaxValue;

    private static ulong Norm(IrType type, ulong v) => type == IrType.I32 ? (uint)v : v;

    private static long Signed(IrType type, ulong v) => type == IrType.I32 ? (int)(uint)v : (long)v;

    /// <summary>SDiv/SRem as the IR defines them: MIN / -1 wraps (quotient MIN, remainder 0).</summary>
    public static ulong SignedDivide(IrType type, ulong a, ulong b, bool remainder)
    {
        if (type == IrType.I32)
        {
            int x = (int)(uint)a, y = (int)(uint)b;
            if (y == -1) return remainder ? 0u : (uint)(0 - x);
            return remainder ? (uint)(x % y) : (uint)(x / y);
        }
        long lx = (long)a, ly = (long)b;
        if (ly == -1) return remainder ? 0ul : (ulong)(0 - lx);
        return remainder ? (ulong)(lx % ly) : (ulong)(lx / ly);
    }
}
