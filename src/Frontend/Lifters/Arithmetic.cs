using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// The integer ALU family: ADD ADC SUB SBB CMP AND OR XOR TEST, INC DEC NEG NOT
/// (Intel SDM Vol. 2). Table-driven: each two-operand ALU mnemonic names its IR operation, its
/// flag rule and whether it writes the destination.
/// </summary>
public static class Arithmetic
{
    private readonly record struct AluRule(Opcode Op, CcKind Flags, bool WritesResult, bool UsesCarry);

    private static readonly Dictionary<Mnemonic, AluRule> Rules = new()
    {
        [Mnemonic.Add] = new(Opcode.Add, CcKind.Add, true, false),
        [Mnemonic.Adc] = new(Opcode.Add, CcKind.Adc, true, true),
        [Mnemonic.Sub] = new(Opcode.Sub, CcKind.Sub, true, false),
        [Mnemonic.Sbb] = new(Opcode.Sub, CcKind.Sbb, true, true),
        [Mnemonic.Cmp] = new(Opcode.Sub, CcKind.Sub, false, false),
        [Mnemonic.And] = new(Opcode.And, CcKind.Logic, true, false),
        [Mnemonic.Or] = new(Opcode.Or, CcKind.Logic, true, false),
        [Mnemonic.Xor] = new(Opcode.Xor, CcKind.Logic, true, false),
        [Mnemonic.Test] = new(Opcode.And, CcKind.Logic, false, false),
    };

    public static void AddTo(LifterTable table)
    {
        foreach (var (mnemonic, rule) in Rules)
            table.Add(mnemonic, cx => Alu(cx, rule));
        table.Add(Mnemonic.Inc, cx => IncDec(cx, CcKind.Inc));
        table.Add(Mnemonic.Dec, cx => IncDec(cx, CcKind.Dec));
        table.Add(Mnemonic.Neg, Neg);
        table.Add(Mnemonic.Not, Not);
    }

    private static void Alu(LiftContext cx, AluRule rule)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        uint mask = CcOp.Mask(size);

        // xor r, r / sub r, r: the result is 0 whatever the register held (a common zeroing idiom).
        if (rule.Op is Opcode.Xor or Opcode.Sub && rule.WritesResult && !rule.UsesCarry
            && cx.Insn.Op0Kind == OpKind.Register && cx.Insn.Op1Kind == OpKind.Register
            && cx.Insn.Op0Register == cx.Insn.Op1Register)
        {
            int zero = b.Const(0);
            cx.SetFlags(rule.Flags, size, zero, zero, zero);
            cx.Write(0, zero);
            return;
        }

        int dst = cx.Read(0, size);
        int src = cx.Read(1, size);
        int carry = rule.UsesCarry ? cx.Flag(EflagsBits.CfBit) : -1;
        int res = b.Binary(rule.Op, dst, src);
        if (rule.UsesCarry) res = b.Binary(rule.Op, res, carry);
        if (size != 4) res = b.And(res, mask);
        if (rule.WritesResult) cx.Write(0, res);
        cx.SetFlags(rule.Flags, size, res, dst, src, carry);
    }

    private static void IncDec(LiftContext cx, CcKind kind)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int dst = cx.Read(0, size);
        int cf = cx.Flag(EflagsBits.CfBit);
        int res = kind == CcKind.Inc ? b.Add(dst, b.Const(1)) : b.Sub(dst, b.Const(1));
        if (size != 4) res = b.And(res, CcOp.Mask(size));
        cx.Write(0, res);
        cx.SetFlags(kind, size, res, dst, -1, cf);
    }

    /// <summary>NEG: 0 - dst, flags as that subtraction (CF = dst != 0).</summary>
    private static void Neg(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int dst = cx.Read(0, size);
        int zero = b.Const(0);
        int res = b.Sub(zero, dst);
        if (size != 4) res = b.And(res, CcOp.Mask(size));
        cx.Write(0, res);
        cx.SetFlags(CcKind.Sub, size, res, zero, dst);
    }

    /// <summary>NOT changes no flags.</summary>
    private static void Not(LiftContext cx)
    {
        int size = cx.OperandSize(0);
        int res = cx.B.Xor(cx.Read(0, size), cx.B.Const(CcOp.Mask(size)));
        cx.Write(0, res);
    }
}
