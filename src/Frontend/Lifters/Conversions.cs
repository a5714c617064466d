using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Sign extensions of the accumulator (CBW CWDE CWD CDQ), BSWAP and XLAT/XLATB (Intel SDM Vol. 2).
/// None touches flags.
/// </summary>
public static class Conversions
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Cbw, cx => cx.WriteGpr(0, 2, cx.B.And(cx.B.Unary(Opcode.Sext8, cx.ReadGpr(0, 1)), 0xFFFFu)));
        table.Add(Mnemonic.Cwde, cx => cx.SetReg32(0, cx.B.Unary(Opcode.Sext16, cx.ReadGpr(0, 2))));
        table.Add(Mnemonic.Cwd, cx => cx.WriteGpr(2, 2, cx.B.And(cx.B.SarImm(cx.B.Unary(Opcode.Sext16, cx.ReadGpr(0, 2)), 15), 0xFFFFu)));
        table.Add(Mnemonic.Cdq, cx => cx.SetReg32(2, cx.B.SarImm(cx.GetReg32(0), 31)));
        table.Add(Mnemonic.Bswap, Bswap);
        table.Add(Xlat, Mnemonic.Xlatb);
    }

    /// <summary>BSWAP r32. BSWAP r16 is undefined by the SDM; Intel processors and the AMD host
    /// this was checked on both clear the low 16 bits (the upper half of the register is kept).</summary>
    private static void Bswap(LiftContext cx)
    {
        Register reg = cx.Insn.Op0Register;
        if (reg.IsGPR16())
        {
            cx.WriteRegister(reg, cx.B.Const(0));
            return;
        }
        cx.WriteRegister(reg, cx.B.Unary(Opcode.Bswap, cx.ReadRegister(reg)));
    }

    /// <summary>XLAT: AL = [seg:EBX + AL] (BX + AL, wrapping at 64 KiB, with 16-bit addressing);
    /// DS unless overridden. Iced gives it as a memory operand with base EBX/BX and index AL.</summary>
    private static void Xlat(LiftContext cx)
    {
        IrBuilder b = cx.B;
        bool addr16 = cx.Insn.MemoryBase == Register.BX;
        int offset = b.Add(cx.ReadRegister(addr16 ? Register.BX : Register.EBX), cx.ReadGpr(0, 1));
        if (addr16) offset = b.And(offset, 0xFFFFu);
        int linear = b.Add(cx.SegmentBase(cx.Insn.MemorySegment), offset);
        cx.WriteGpr(0, 1, cx.ReadMemory(1, linear));
    }
}
