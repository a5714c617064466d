using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Flag instructions: CLC STC CMC CLD STD LAHF SAHF PUSHF/PUSHFD POPF/POPFD (Intel SDM Vol. 2).
/// CLI/STI are sensitive (hypercalls, another family).
/// <para>POPF runs with the guest's CPL (<see cref="Decoding.DecodeMode.Cpl"/>): at CPL 0 it may
/// change every flag but RF, VM, VIF and VIP; at CPL &gt; 0 IOPL is kept, and IF only changes
/// when CPL &lt;= IOPL. Since POPF may enable interrupts, it ends the block so the VMM can
/// deliver a pending one.</para>
/// </summary>
public static class FlagOps
{
    /// <summary>EFLAGS bits POPF writes at CPL 0 (Intel SDM Vol. 2B, POPF, protected mode).</summary>
    public const uint PopfWritableCpl0 = EflagsBits.Arithmetic | EflagsBits.TF | EflagsBits.IF | EflagsBits.DF
        | EflagsBits.IOPL | EflagsBits.NT | EflagsBits.AC | EflagsBits.ID;

    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Clc, cx => cx.WriteEflags(cx.B.Const(0), EflagsBits.CF));
        table.Add(Mnemonic.Stc, cx => cx.WriteEflags(cx.B.Const(EflagsBits.CF), EflagsBits.CF));
        table.Add(Mnemonic.Cmc, cx => cx.SetFlagsMaterialized(cx.B.Xor(cx.ArithmeticFlags(), cx.B.Const(EflagsBits.CF))));
        table.Add(Mnemonic.Cld, cx => cx.WriteEflags(cx.B.Const(0), EflagsBits.DF));
        table.Add(Mnemonic.Std, cx => cx.WriteEflags(cx.B.Const(EflagsBits.DF), EflagsBits.DF));
        table.Add(Mnemonic.Lahf, Lahf);
        table.Add(Mnemonic.Sahf, Sahf);
        table.Add(Pushf, Mnemonic.Pushf, Mnemonic.Pushfd);
        table.Add(Popf, Mnemonic.Popf, Mnemonic.Popfd);
    }

    /// <summary>LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.</summary>
    private static void Lahf(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int ah = b.Or(b.And(cx.ArithmeticFlags(), 0xD5u), b.Const(EflagsBits.Reserved1));
        cx.WriteRegister(Register.AH, ah);
    }

    /// <summary>SAHF: SF ZF AF PF CF from AH (OF unchanged).</summary>
    private static void Sahf(LiftContext cx) =>
        cx.WriteEflags(cx.ReadRegister(Register.AH), EflagsBits.SF | EflagsBits.ZF | EflagsBits.AF | EflagsBits.PF | EflagsBits.CF);

    private static int Size(LiftContext cx) => cx.Insn.Mnemonic is Mnemonic.Pushf or Mnemonic.Popf ? 2 : 4;

    /// <summary>PUSHF/PUSHFD: the EFLAGS image with RF and VM cleared (low 16 bits for PUSHF).</summary>
    private static void Pushf(LiftContext cx)
    {
        int size = Size(cx);
        int image = cx.B.And(cx.ReadEflags(), size == 2 ? 0xFFFFu : ~(EflagsBits.RF | EflagsBits.VM));
        cx.Push(image, size);
    }

    private static void Popf(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = Size(cx);
        int value = cx.PeekStack(size);
        cx.AdjustStack(size);
        uint writable = PopfWritableCpl0;
        if (cx.Mode.Cpl > 0)
        {
            // IOPL is kept; IF changes only if CPL <= IOPL (checked at run time, IOPL is guest state).
            writable &= ~EflagsBits.IOPL;
            int old = b.LoadState(CpuState.OffEflags);
            int iopl = b.And(b.ShrImm(old, 12), 3u);
            int mayChangeIf = b.ULe(b.Const(cx.Mode.Cpl), iopl);
            int ifBit = b.Select(mayChangeIf, b.And(value, EflagsBits.IF), b.And(old, EflagsBits.IF));
            value = b.Or(b.And(value, ~EflagsBits.IF), ifBit);
        }
        if (size == 2) writable &= 0xFFFF;
        cx.WriteEflags(value, writable);
        cx.ExitTo(cx.NextEip);
    }
}
