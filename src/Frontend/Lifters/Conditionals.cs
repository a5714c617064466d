using Iced.Intel;
using Transmeta.Frontend.Lifting;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// SETcc and CMOVcc, all sixteen conditions (Intel SDM Vol. 2). Neither changes flags.
/// CMOVcc reads its source even when the condition is false (a memory source may fault either
/// way), and in 32-bit code a false condition leaves the destination unchanged.
/// </summary>
public static class Conditionals
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Setcc, Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete,
            Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp,
            Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg);
        table.Add(Cmovcc, Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove,
            Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp,
            Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg);
    }

    /// <summary>SETcc r/m8: 1 if the condition holds, else 0.</summary>
    private static void Setcc(LiftContext cx)
    {
        int cond = cx.Condition(cx.Insn.ConditionCode);
        if (cx.IsMemory(0)) cx.WriteMemory(1, cx.MemoryAddress(), cond);
        else cx.Write(0, cond);
    }

    private static void Cmovcc(LiftContext cx)
    {
        int size = cx.OperandSize(0);
        int src = cx.Read(1, size);
        int cond = cx.Condition(cx.Insn.ConditionCode);
        int dst = cx.Read(0, size);
        cx.Write(0, cx.B.Select(cond, src, dst));
    }
}
