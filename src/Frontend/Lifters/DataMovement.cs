using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>MOV, MOVZX, MOVSX, LEA, XCHG, NOP/PAUSE (Intel SDM Vol. 2). None touches flags.</summary>
public static class DataMovement
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Mov, Mov);
        table.Add(Mnemonic.Movzx, Movzx);
        table.Add(Mnemonic.Movsx, Movsx);
        table.Add(Mnemonic.Lea, Lea);
        table.Add(Mnemonic.Xchg, Xchg);
        table.Add(_ => { }, Mnemonic.Nop, Mnemonic.Pause);
    }

    private static void Mov(LiftContext cx)
    {
        Register r0 = cx.Insn.Op0Kind == OpKind.Register ? cx.Insn.Op0Register : Register.None;
        Register r1 = cx.Insn.Op1Kind == OpKind.Register ? cx.Insn.Op1Register : Register.None;
        // Control and debug register moves are privileged: another family.
        if (r0.IsCR() || r0.IsDR() || r1.IsCR() || r1.IsDR())
            throw new UnsupportedInstructionException("system register move");
        if (r0.IsSegmentRegister())
        {
            // Loading a segment register reads a descriptor table: sensitive, done by the VMM.
            // MOV CS is not an instruction (#UD).
            if (r0 == Register.CS) throw new UnsupportedInstructionException("mov cs");
            cx.Hypercall(HypercallKind.LoadSegment, cx.B.Const(r0 - Register.ES), cx.Read(1, 2), cx.B.Const(0));
            return;
        }
        int size = cx.OperandSize(0);
        if (r1.IsSegmentRegister())
        {
            // MOV r/m, Sreg: a 16-bit store to memory; to a 32-bit register the upper bits are zero.
            int sel = cx.ReadRegister(r1);
            if (cx.IsMemory(0)) cx.WriteMemory(2, cx.MemoryAddress(), sel);
            else cx.Write(0, sel);
            return;
        }
        cx.Write(0, cx.Read(1, size));
    }

    private static void Movzx(LiftContext cx) => cx.Write(0, cx.Read(1));

    private static void Movsx(LiftContext cx)
    {
        int srcSize = cx.OperandSize(1);
        int v = cx.B.Unary(srcSize == 1 ? Opcode.Sext8 : Opcode.Sext16, cx.Read(1, srcSize));
        if (cx.OperandSize(0) == 2) v = cx.B.And(v, 0xFFFFu);
        cx.Write(0, v);
    }

    /// <summary>LEA stores the offset (no segment), truncated to the operand size.</summary>
    private static void Lea(LiftContext cx)
    {
        int ea = cx.EffectiveAddress();
        if (cx.OperandSize(0) == 2) ea = cx.B.And(ea, 0xFFFFu);
        cx.Write(0, ea);
    }

    /// <summary>XCHG: with a memory operand both accesses happen before either register write
    /// (the memory write may fault; the register then must be unchanged).</summary>
    private static void Xchg(LiftContext cx)
    {
        int size = cx.OperandSize(0);
        int a = cx.Read(0, size);
        int b = cx.Read(1, size);
        if (cx.IsMemory(0)) { cx.Write(0, b); cx.Write(1, a); }
        else { cx.Write(1, a); cx.Write(0, b); }
    }
}
