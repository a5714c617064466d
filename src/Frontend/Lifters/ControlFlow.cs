using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Near control transfers: JMP, Jcc, CALL, RET (and RET imm16), LOOP/LOOPE/LOOPNE, JECXZ/JCXZ
/// (Intel SDM Vol. 2). Every one ends the block; far transfers belong to the privileged family.
/// </summary>
public static class ControlFlow
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Jmp, Jmp);
        table.Add(Jcc, Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne,
            Mnemonic.Jbe, Mnemonic.Ja, Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl,
            Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg);
        table.Add(Mnemonic.Call, Call);
        table.Add(Mnemonic.Ret, Ret);
        table.Add(Loop, Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne);
        table.Add(JcxzFamily, Mnemonic.Jecxz, Mnemonic.Jcxz);
    }

    private static bool IsDirect(LiftContext cx) =>
        cx.Insn.Op0Kind is OpKind.NearBranch32 or OpKind.NearBranch16;

    private static uint Target(LiftContext cx) => cx.Insn.Op0Kind == OpKind.NearBranch16 ? cx.Insn.NearBranch16 : cx.Insn.NearBranch32;

    private static void Jmp(LiftContext cx)
    {
        if (cx.Insn.IsJmpFar || cx.Insn.IsJmpFarIndirect) throw new UnsupportedInstructionException("far jmp");
        if (IsDirect(cx)) cx.ExitTo(Target(cx));
        else if (cx.Insn.Op0Kind is OpKind.Register or OpKind.Memory) cx.ExitTo(cx.Read(0));
        else throw new UnsupportedInstructionException("far jmp");
    }

    private static void Jcc(LiftContext cx) =>
        cx.ExitBranch(cx.Condition(cx.Insn.ConditionCode), Target(cx), cx.NextEip);

    private static void Call(LiftContext cx)
    {
        // Far transfers load CS from a descriptor: they belong to the system-level family.
        if (cx.Insn.IsCallFar || cx.Insn.IsCallFarIndirect) throw new UnsupportedInstructionException("far call");
        int size = cx.InstructionOperandSizeOfBranch();
        if (IsDirect(cx))
        {
            cx.Push(cx.B.Const(cx.NextEip), size);
            cx.ExitTo(Target(cx));
        }
        else if (cx.Insn.Op0Kind is OpKind.Register or OpKind.Memory)
        {
            int target = cx.Read(0); // read before the push: the operand may use ESP
            cx.Push(cx.B.Const(cx.NextEip), size);
            cx.ExitTo(target);
        }
        else throw new UnsupportedInstructionException("far call");
    }

    private static void Ret(LiftContext cx)
    {
        int size = cx.InstructionOperandSizeOfBranch();
        int target = cx.PeekStack(size);
        int release = size + (cx.Insn.OpCount > 0 ? cx.Insn.Immediate16 : 0);
        cx.AdjustStack(release);
        cx.ExitTo(target);
    }

    /// <summary>LOOP decrements ECX (CX with a 16-bit address size) without touching flags.</summary>
    private static void Loop(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int counterSize = cx.CounterSize();
        int count = b.Sub(cx.ReadGpr(1, counterSize), b.Const(1));
        if (counterSize != 4) count = b.And(count, 0xFFFFu);
        cx.WriteGpr(1, counterSize, count);
        int cond = b.Ne(count, b.Const(0));
        if (cx.Insn.Mnemonic == Mnemonic.Loope) cond = b.And(cond, cx.Condition(ConditionCode.e));
        else if (cx.Insn.Mnemonic == Mnemonic.Loopne) cond = b.And(cond, cx.Condition(ConditionCode.ne));
        cx.ExitBranch(cond, Target(cx), cx.NextEip);
    }

    private static void JcxzFamily(LiftContext cx)
    {
        int size = cx.Insn.Mnemonic == Mnemonic.Jcxz ? 2 : 4;
        cx.ExitBranch(cx.B.Eq(cx.ReadGpr(1, size), cx.B.Const(0)), Target(cx), cx.NextEip);
    }
}
