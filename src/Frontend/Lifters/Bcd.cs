using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Decimal arithmetic adjustments: DAA DAS AAA AAS AAM AAD (Intel SDM Vol. 2A), with the
/// defined flags exactly as the SDM pseudo-code. The flags the SDM leaves undefined are those of
/// the host these were checked on (an AMD EPYC; every AL/AH/CF/AF input was compared natively):
/// <list type="bullet">
/// <item>DAA: OF = the sign went from 0 to 1 (old AL bit 7 clear, new AL bit 7 set);
/// DAS: OF = the sign went from 1 to 0.</item>
/// <item>AAA/AAS: SF, ZF, PF, OF are those of the 16-bit ADD/SUB AX, 0x106 when the instruction
/// adjusts (of AX unchanged, OF = 0, when it does not): SF = bit 15, ZF = the 16-bit value is 0.</item>
/// <item>AAM: CF = AF = OF = 0. AAD: CF, AF, OF of the 8-bit add AL + (AH * imm8).</item>
/// </list>
/// </summary>
public static class Bcd
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Daa, cx => DecimalAdjust(cx, subtract: false));
        table.Add(Mnemonic.Das, cx => DecimalAdjust(cx, subtract: true));
        table.Add(Mnemonic.Aaa, cx => AsciiAdjust(cx, subtract: false));
        table.Add(Mnemonic.Aas, cx => AsciiAdjust(cx, subtract: true));
        table.Add(Mnemonic.Aam, Aam);
        table.Add(Mnemonic.Aad, Aad);
    }

    private static int Bit(IrBuilder b, int value01, int bit) => bit == 0 ? value01 : b.ShlImm(value01, bit);

    /// <summary>PF (bit 2) | ZF (bit 6) | SF (bit 7) of an 8-bit value (SF from <paramref name="signBit"/>).</summary>
    private static int ParityZeroSign(IrBuilder b, int value, int zeroTest, int signBit)
    {
        int pf = b.Xor(b.And(b.Unary(Opcode.Popcnt, b.And(value, 0xFFu)), 1u), b.Const(1));
        int zf = b.Eq(zeroTest, b.Const(0));
        int sf = b.And(b.ShrImm(value, signBit), 1u);
        return b.Or(b.Or(Bit(b, pf, EflagsBits.PfBit), Bit(b, zf, EflagsBits.ZfBit)), Bit(b, sf, EflagsBits.SfBit));
    }

    /// <summary>DAA / DAS (Intel SDM Vol. 2A pseudo-code). DAA: CF = (old AL &gt; 99h or old CF);
    /// DAS: CF = that, or the borrow of AL - 6 when the low nibble is adjusted.</summary>
    private static void DecimalAdjust(LiftContext cx, bool subtract)
    {
        IrBuilder b = cx.B;
        int al = cx.ReadGpr(0, 1);
        int flags = cx.ArithmeticFlags();
        int cf = b.And(flags, EflagsBits.CF);
        int af = b.And(b.ShrImm(flags, EflagsBits.AfBit), 1u);

        int lowAdjust = b.Or(b.ULt(b.Const(9), b.And(al, 0xFu)), af);
        int al1 = b.And(subtract ? b.Sub(al, b.Const(6)) : b.Add(al, b.Const(6)), 0xFFu);
        al1 = b.Select(lowAdjust, al1, al);
        int highAdjust = b.Or(b.ULt(b.Const(0x99), al), cf);
        int al2 = b.And(subtract ? b.Sub(al1, b.Const(0x60)) : b.Add(al1, b.Const(0x60)), 0xFFu);
        al2 = b.Select(highAdjust, al2, al1);

        int newCf = highAdjust;
        if (subtract) newCf = b.Or(newCf, b.And(lowAdjust, b.ULt(al, b.Const(6))));
        // Undefined OF, as the host: DAA 0 -> 1 sign change, DAS 1 -> 0.
        int of = subtract ? b.And(al, b.Xor(al2, b.Const(0xFF))) : b.And(b.Xor(al, b.Const(0xFF)), al2);
        of = b.And(b.ShrImm(of, 7), 1u);

        int bits = b.Or(newCf, Bit(b, lowAdjust, EflagsBits.AfBit));
        bits = b.Or(bits, ParityZeroSign(b, al2, al2, 7));
        bits = b.Or(bits, Bit(b, of, EflagsBits.OfBit));
        cx.WriteGpr(0, 1, al2);
        cx.SetFlagsMaterialized(bits);
    }

    /// <summary>AAA / AAS: if AL's low nibble &gt; 9 or AF: AX += 106h (AAA) or AX -= 106h (AAS),
    /// CF = AF = 1; else CF = AF = 0. Then AL &amp;= 0Fh.</summary>
    private static void AsciiAdjust(LiftContext cx, bool subtract)
    {
        IrBuilder b = cx.B;
        int ax = cx.ReadGpr(0, 2);
        int af = cx.Flag(EflagsBits.AfBit);
        int adjust = b.Or(b.ULt(b.Const(9), b.And(ax, 0xFu)), af);
        int k = b.Const(0x106);
        int adjusted = b.And(subtract ? b.Sub(ax, k) : b.Add(ax, k), 0xFFFFu);
        int v = b.Select(adjust, adjusted, ax);

        // Undefined SF/ZF/PF/OF, as the host: those of the 16-bit add/sub (0 change when not adjusting).
        int ovf = subtract ? b.And(b.Xor(ax, k), b.Xor(ax, v)) : b.And(b.Xor(ax, v), b.Xor(k, v));
        int of = b.And(b.ShrImm(ovf, 15), 1u);
        int bits = b.Or(adjust, Bit(b, adjust, EflagsBits.AfBit));
        bits = b.Or(bits, ParityZeroSign(b, v, v, 15));
        bits = b.Or(bits, Bit(b, of, EflagsBits.OfBit));

        cx.WriteGpr(0, 2, b.And(v, 0xFF0Fu));
        cx.SetFlagsMaterialized(bits);
    }

    /// <summary>AAM imm8: AH = AL / imm8, AL = AL mod imm8; SF ZF PF from AL. imm8 = 0 raises #DE.</summary>
    private static void Aam(LiftContext cx)
    {
        IrBuilder b = cx.B;
        uint imm = cx.Insn.Immediate8;
        if (imm == 0)
        {
            cx.RaiseFault(ExceptionVectors.DivideError);
            cx.EndsBlock = true;
            return;
        }
        int al = cx.ReadGpr(0, 1);
        int divisor = b.Const(imm);
        int quotient = b.Binary(Opcode.UDiv, al, divisor);
        int remainder = b.Binary(Opcode.URem, al, divisor);
        cx.WriteGpr(0, 2, b.Or(b.ShlImm(quotient, 8), remainder));
        cx.SetFlags(CcKind.Logic, 1, remainder);
    }

    /// <summary>AAD imm8: AL = (AL + AH * imm8) &amp; FFh, AH = 0; flags as that 8-bit ADD.</summary>
    private static void Aad(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int ax = cx.ReadGpr(0, 2);
        int al = b.And(ax, 0xFFu);
        int product = b.And(b.Mul(b.ShrImm(ax, 8), b.Const(cx.Insn.Immediate8)), 0xFFu);
        int res = b.And(b.Add(al, product), 0xFFu);
        cx.WriteGpr(0, 2, res);
        cx.SetFlags(CcKind.Add, 1, res, al, product);
    }
}
