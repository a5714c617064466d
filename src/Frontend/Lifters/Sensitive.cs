using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Sensitive instructions: their effect depends on or changes machine state the VMM owns (I/O
/// ports, the interrupt flag, the halt state, CPU identification, the time-stamp counter), so
/// they are never executed inline; each becomes a hypercall exit that the VMM performs
/// (the binary-translation callouts of VMware's BT). <see cref="SensitiveInstructions"/> lists them.
/// </summary>
public static class Sensitive
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.In, In);
        table.Add(Mnemonic.Out, Out);
        table.Add(InsOuts, Mnemonic.Insb, Mnemonic.Insw, Mnemonic.Insd, Mnemonic.Outsb, Mnemonic.Outsw, Mnemonic.Outsd);
        table.Add(Mnemonic.Hlt, cx => cx.Hypercall(HypercallKind.Hlt));
        table.Add(Mnemonic.Cli, cx => cx.Hypercall(HypercallKind.Cli));
        table.Add(Mnemonic.Sti, cx => cx.Hypercall(HypercallKind.Sti));
        table.Add(Mnemonic.Cpuid, cx => cx.Hypercall(HypercallKind.Cpuid));
        table.Add(Mnemonic.Rdtsc, cx => cx.Hypercall(HypercallKind.Rdtsc));
        table.Add(Mnemonic.Ud2, cx =>
        {
            cx.RaiseFault(ExceptionVectors.InvalidOpcode);
            cx.EndsBlock = true;
        });
    }

    /// <summary>The port operand: an 8-bit immediate or DX.</summary>
    private static int Port(LiftContext cx, int op) =>
        cx.Insn.GetOpKind(op) == OpKind.Register ? cx.ReadGpr(2, 2) : cx.B.Const(cx.Insn.Immediate8);

    private static void In(LiftContext cx)
    {
        int size = cx.OperandSize(0);
        cx.Hypercall(HypercallKind.In, Port(cx, 1), cx.B.Const(size));
    }

    private static void Out(LiftContext cx)
    {
        int size = cx.OperandSize(1);
        cx.Hypercall(HypercallKind.Out, Port(cx, 0), cx.B.Const(size), cx.ReadGpr(0, size));
    }

    /// <summary>INS/OUTS with or without REP: the VMM moves the data, since each element is a
    /// port access. Flags: bit 0 REP, bit 1 16-bit addressing, bit 2 OUTS.</summary>
    private static void InsOuts(LiftContext cx)
    {
        bool isOut = cx.Insn.Mnemonic is Mnemonic.Outsb or Mnemonic.Outsw or Mnemonic.Outsd;
        int size = cx.Insn.Mnemonic switch
        {
            Mnemonic.Insb or Mnemonic.Outsb => 1,
            Mnemonic.Insw or Mnemonic.Outsw => 2,
            _ => 4,
        };
        OpKind memKind = cx.Insn.GetOpKind(isOut ? 1 : 0);
        bool addr16 = memKind is OpKind.MemorySegSI or OpKind.MemoryESDI;
        uint flags = (cx.Insn.HasRepPrefix || cx.Insn.HasRepePrefix ? 1u : 0) | (addr16 ? 2u : 0) | (isOut ? 4u : 0);
        cx.Hypercall(HypercallKind.InsOuts, cx.ReadGpr(2, 2), cx.B.Const(size), cx.B.Const(flags));
    }
}
