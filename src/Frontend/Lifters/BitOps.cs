using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Bit test and scan: BT, BTS, BTR, BTC, BSF, BSR (Intel SDM Vol. 2A), 16/32-bit.
///
/// BT*: CF = the selected bit; BTS/BTR/BTC then set/clear/complement it. ZF is unchanged and
/// OF/SF/AF/PF are undefined: we leave all five unchanged, as this project's test host (an AMD
/// EPYC) does. An immediate bit offset is taken modulo the operand size. A register bit offset
/// with a memory operand is signed and may address other words: the operand is at
/// EA + (offset &gt;&gt; 5) * 4 (32-bit; 16-bit: the offset is the sign-extended register,
/// EA + (offset &gt;&gt; 4) * 2), bit offset &amp; 31 (15), accessed with the operand size.
///
/// BSF/BSR: ZF = (source == 0); the destination is written only when the source is nonzero
/// (on a zero source Intel and AMD processors leave it unmodified). The other flags are undefined;
/// we produce what the test host produces, which costs nothing extra: CF = OF = SF = AF = 0 and
/// PF = parity of the bit index found (zero source: ZF = PF = 1). That is the lazy kind Logic with
/// Res = 0 for a zero source and index | 0x100 otherwise (bit 8 keeps ZF clear for index 0 and
/// leaves SF and PF as they should be).
/// </summary>
public static class BitOps
{
    private enum BitAction { Test, Set, Reset, Complement }

    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Bt, cx => BitTest(cx, BitAction.Test));
        table.Add(Mnemonic.Bts, cx => BitTest(cx, BitAction.Set));
        table.Add(Mnemonic.Btr, cx => BitTest(cx, BitAction.Reset));
        table.Add(Mnemonic.Btc, cx => BitTest(cx, BitAction.Complement));
        table.Add(Mnemonic.Bsf, cx => BitScan(cx, forward: true));
        table.Add(Mnemonic.Bsr, cx => BitScan(cx, forward: false));
    }

    private static void BitTest(LiftContext cx, BitAction action)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int bits = size * 8;
        bool immediate = cx.Insn.GetOpKind(1) != OpKind.Register;

        int bit, address = -1;
        if (immediate)
        {
            bit = b.Const((int)(cx.Insn.GetImmediate(1) & (uint)(bits - 1)));
            if (cx.IsMemory(0)) address = cx.MemoryAddress();
        }
        else
        {
            int offset = cx.Read(1, size);
            bit = b.And(offset, (uint)(bits - 1));
            if (cx.IsMemory(0))
            {
                // Signed offset: (offset >> 5) * 4 == (offset >> 3) & ~3 (16-bit: ... & ~1).
                int signedOffset = ShiftFlags.SignExtend(b, offset, size);
                int byteDelta = b.And(b.SarImm(signedOffset, 3), size == 4 ? ~3u : ~1u);
                address = b.Add(cx.MemoryAddress(), byteDelta);
            }
        }

        int value = address >= 0 ? cx.ReadMemory(size, address) : cx.Read(0, size);
        int cf = b.And(b.Shr(value, bit), 1u);
        if (action != BitAction.Test)
        {
            int selected = b.Shl(b.Const(1), bit);
            int updated = action switch
            {
                BitAction.Set => b.Or(value, selected),
                BitAction.Reset => b.And(value, b.Xor(selected, b.Const(0xFFFF_FFFFu))),
                _ => b.Xor(value, selected),
            };
            if (address >= 0) cx.WriteMemory(size, address, updated);
            else cx.Write(0, updated);
        }
        cx.WriteEflags(cf, EflagsBits.CF);
    }

    private static void BitScan(LiftContext cx, bool forward)
    {
        IrBuilder b = cx.B;
        int size = cx.OperandSize(0);
        int src = cx.Read(1, size);
        int old = cx.Read(0, size);
        int zero = b.Eq(src, b.Const(0));
        int nonZero = b.Select(zero, b.Const(1), src); // Ctz/Clz only see nonzero values
        int index = forward
            ? b.Unary(Opcode.Ctz, nonZero)
            : b.Sub(b.Const(31), b.Unary(Opcode.Clz, nonZero)); // src is zero-extended
        cx.Write(0, b.Select(zero, old, index));
        int flagRes = b.Select(zero, b.Const(0), b.Or(index, b.Const(0x100)));
        cx.SetFlags(CcKind.Logic, size, flagRes);
    }
}
