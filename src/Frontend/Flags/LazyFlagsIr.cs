using Transmeta.IR;

namespace Transmeta.Frontend.Flags;

/// <summary>
/// <see cref="LazyFlags.Compute"/> written in IR, as the body of the lazy-flags helper: native
/// code inlines it instead of calling into .NET (<see cref="IR.Passes.HelperInlining"/>). Where
/// the block knows the CcOp at compile time, the backend's constant folding leaves only that
/// operation's flags; otherwise it is straight-line code that computes every kind's flags and
/// selects one (no branches: the kind is data-dependent and would mispredict).
/// Arguments: CcOp | CcAux &lt;&lt; 32, CcRes, CcSrc1, CcSrc2. A test checks it against
/// <see cref="LazyFlags.Compute"/> for every CcOp.
/// </summary>
public static class LazyFlagsIr
{
    public static HelperBody Build() => HelperBody.Build((b, args) =>
    {
        int op = b.Unary(Opcode.Trunc, args[0]);
        int aux = b.Unary(Opcode.Trunc, b.Shr(args[0], b.Const64(32)));
        int resIn = b.Unary(Opcode.Trunc, args[1]);
        int s1 = b.Unary(Opcode.Trunc, args[2]);
        int s2 = b.Unary(Opcode.Trunc, args[3]);
        int zero = b.Const(0), one = b.Const(1);

        // op = 1 + kind * 3 + size index (CcOp.Make); m / 3 as a multiply (m <= 32).
        int m = b.Sub(op, one);
        int kind = b.ShrImm(b.Mul(m, b.Const(0xAAAB)), 17);
        int sizeIndex = b.Sub(m, b.Mul(kind, b.Const(3)));
        int bits = b.Shl(b.Const(8), sizeIndex);
        int mask = b.Select(b.Eq(sizeIndex, b.Const(2)), b.Const(0xFFFF_FFFFu), b.Sub(b.Shl(one, bits), one));
        int sign = b.Shl(one, b.Sub(bits, one));
        int res = b.And(resIn, mask);

        int NonZero(int v) => b.Ne(v, zero);
        int Bit0(int v) => b.And(v, one);
        int auxSet = NonZero(aux);
        int af4 = Bit0(b.ShrImm(b.Xor(b.Xor(res, s1), s2), 4));
        int addOf = NonZero(b.And(b.And(b.Xor(s1, res), b.Xor(s2, res)), sign));
        int subOf = NonZero(b.And(b.And(b.Xor(s1, s2), b.Xor(s1, res)), sign));
        int addCf = b.ULt(res, s1);
        int subCf = b.ULt(s1, s2);
        int s1Sign = NonZero(b.And(s1, sign));
        int low4 = b.And(res, 0xFu);

        // Per kind (CcKind order): CF, OF, AF.
        var table = new (int Cf, int Of, int Af)[]
        {
            (addCf, addOf, af4),                                                  // Add
            (b.Select(auxSet, b.ULe(res, s1), addCf), addOf, af4),                // Adc
            (subCf, subOf, af4),                                                  // Sub
            (b.Select(auxSet, b.ULe(s1, s2), subCf), subOf, af4),                 // Sbb
            (zero, zero, zero),                                                   // Logic
            (Bit0(aux), b.Eq(res, sign), b.Eq(low4, zero)),                       // Inc
            (Bit0(aux), b.Eq(res, b.Sub(sign, one)), b.Eq(low4, b.Const(0xF))),   // Dec
            (s1Sign, b.Xor(s1Sign, NonZero(b.And(res, sign))), zero),             // Shl
            (Bit0(s1), NonZero(b.And(s2, sign)), zero),                           // Shr
            (Bit0(s1), zero, zero),                                               // Sar
        };
        int mulCf = NonZero(s1);
        int cf = mulCf, of = mulCf, af = zero;                                    // Mul (the last kind)
        for (int k = table.Length - 1; k >= 0; k--)
        {
            int isKind = b.Eq(kind, b.Const(k));
            cf = b.Select(isKind, table[k].Cf, cf);
            of = b.Select(isKind, table[k].Of, of);
            af = b.Select(isKind, table[k].Af, af);
        }
        int zf = b.Eq(res, zero);
        int sf = NonZero(b.And(res, sign));
        int pf = Bit0(b.Not(b.Unary(Opcode.Popcnt, b.And(res, 0xFFu))));
        int flags = cf;
        foreach (var (flag, bit) in new[] { (pf, EflagsBits.PfBit), (af, EflagsBits.AfBit), (zf, EflagsBits.ZfBit), (sf, EflagsBits.SfBit), (of, EflagsBits.OfBit) })
            flags = b.Or(flags, b.ShlImm(flag, bit));
        int eflags = b.And(s1, EflagsBits.Arithmetic); // CcOp.Eflags: the flags themselves
        return b.Unary(Opcode.ZextTo64, b.Select(b.Eq(op, b.Const(CcOp.Eflags)), eflags, flags));
    });
}
