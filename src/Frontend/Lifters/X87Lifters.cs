using Iced.Intel;
using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.X87Desc;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// The x87 FPU (Intel SDM Vol. 1 ch. 8, Vol. 2 FADD..FYL2XP1): loads and stores of every format,
/// arithmetic, compares, the transcendental instructions, the stack and the control
/// instructions. Each instruction is one helper call on the FPU state (Fpu/X87.cs) after the
/// #NM/#MF checks and the memory reads (<see cref="X87Common"/>); stores to memory are a
/// prepare helper, the memory writes, and a commit helper. FISTTP (SSE3) is not implemented:
/// it raises #UD like on a processor without SSE3.
/// </summary>
public static class X87Lifters
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Arith, Mnemonic.Fadd, Mnemonic.Faddp, Mnemonic.Fiadd, Mnemonic.Fsub, Mnemonic.Fsubp, Mnemonic.Fisub,
            Mnemonic.Fsubr, Mnemonic.Fsubrp, Mnemonic.Fisubr, Mnemonic.Fmul, Mnemonic.Fmulp, Mnemonic.Fimul,
            Mnemonic.Fdiv, Mnemonic.Fdivp, Mnemonic.Fidiv, Mnemonic.Fdivr, Mnemonic.Fdivrp, Mnemonic.Fidivr);
        table.Add(Compare, Mnemonic.Fcom, Mnemonic.Fcomp, Mnemonic.Fcompp, Mnemonic.Fucom, Mnemonic.Fucomp,
            Mnemonic.Fucompp, Mnemonic.Ficom, Mnemonic.Ficomp, Mnemonic.Fcomi, Mnemonic.Fcomip, Mnemonic.Fucomi,
            Mnemonic.Fucomip, Mnemonic.Ftst);
        table.Add(Load, Mnemonic.Fld, Mnemonic.Fild, Mnemonic.Fbld, Mnemonic.Fld1, Mnemonic.Fldl2t, Mnemonic.Fldl2e,
            Mnemonic.Fldpi, Mnemonic.Fldlg2, Mnemonic.Fldln2, Mnemonic.Fldz);
        table.Add(Store, Mnemonic.Fst, Mnemonic.Fstp, Mnemonic.Fstpnce, Mnemonic.Fist, Mnemonic.Fistp, Mnemonic.Fbstp);
        table.Add(Misc, Mnemonic.Fchs, Mnemonic.Fabs, Mnemonic.Fxam, Mnemonic.Fsqrt, Mnemonic.Frndint, Mnemonic.Fscale,
            Mnemonic.Fxtract, Mnemonic.Fprem, Mnemonic.Fprem1, Mnemonic.Fsin, Mnemonic.Fcos, Mnemonic.Fsincos,
            Mnemonic.Fptan, Mnemonic.Fpatan, Mnemonic.F2xm1, Mnemonic.Fyl2x, Mnemonic.Fyl2xp1, Mnemonic.Fxch,
            Mnemonic.Ffree, Mnemonic.Ffreep, Mnemonic.Fincstp, Mnemonic.Fdecstp, Mnemonic.Fnop);
        table.Add(Fcmov, Mnemonic.Fcmovb, Mnemonic.Fcmove, Mnemonic.Fcmovbe, Mnemonic.Fcmovu, Mnemonic.Fcmovnb,
            Mnemonic.Fcmovne, Mnemonic.Fcmovnbe, Mnemonic.Fcmovnu);
        X87Control.AddTo(table);
    }

    /// <summary>(memory offset, linear address, segment) of the instruction's memory operand, or -1s.</summary>
    private static bool HasMemory(LiftContext cx)
    {
        for (int i = 0; i < cx.Insn.OpCount; i++)
            if (cx.Insn.GetOpKind(i) == OpKind.Memory) return true;
        return false;
    }

    private static int MemoryForm(MemorySize size) => size switch
    {
        MemorySize.Float32 => Form.M32Fp,
        MemorySize.Float64 => Form.M64Fp,
        MemorySize.Int16 => Form.M16Int,
        MemorySize.Int32 => Form.M32Int,
        MemorySize.Int64 => Form.M64Int,
        MemorySize.Float80 or MemorySize.Bcd => Form.M80,
        _ => throw new UnsupportedInstructionException($"x87 memory operand {size}"),
    };

    /// <summary>Reads a memory operand of an arithmetic or compare instruction as a 64-bit value.</summary>
    private static int ReadOperand(LiftContext cx, int form, int linear) => form switch
    {
        Form.M64Fp or Form.M64Int => X87Common.Read64(cx, linear),
        Form.M16Int => cx.B.Unary(Opcode.ZextTo64, cx.ReadMemory(2, linear)),
        _ => cx.B.Unary(Opcode.ZextTo64, cx.ReadMemory(4, linear)),
    };

    // ------------------------------------------------------------------ arithmetic

    private static void Arith(LiftContext cx)
    {
        IrBuilder b = cx.B;
        Mnemonic m = cx.Insn.Mnemonic;
        int op = m switch
        {
            Mnemonic.Fadd or Mnemonic.Faddp or Mnemonic.Fiadd => ArithOp.Add,
            Mnemonic.Fmul or Mnemonic.Fmulp or Mnemonic.Fimul => ArithOp.Mul,
            Mnemonic.Fsub or Mnemonic.Fsubp or Mnemonic.Fisub => ArithOp.Sub,
            Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr => ArithOp.SubR,
            Mnemonic.Fdiv or Mnemonic.Fdivp or Mnemonic.Fidiv => ArithOp.Div,
            _ => ArithOp.DivR,
        };
        bool pop = m is Mnemonic.Faddp or Mnemonic.Fsubp or Mnemonic.Fsubrp or Mnemonic.Fmulp or Mnemonic.Fdivp or Mnemonic.Fdivrp;
        int fop = X87Common.Fop(cx);
        X87Common.Begin(cx, waiting: true);
        if (HasMemory(cx))
        {
            int form = MemoryForm(cx.Insn.MemorySize);
            (int ea, int linear) = X87Common.Memory(cx);
            int value = ReadOperand(cx, form, linear);
            ulong desc = Make(op, form: form, fop: fop, mem: true, seg: X87Common.SegmentIndex(cx));
            if (InlineArith(op) && form is Form.M64Fp or Form.M32Fp && X87InlinePath.Begin(cx) is { } p)
            {
                p.RequireDefaultControl();
                p.RequireFull(0);
                var d0 = p.Read(0);
                bool isDouble = form == Form.M64Fp;
                p.FailIf(SoftFloatIr.DenormalOrSignaling(b, value, isDouble ? IeeeFormat.Double : IeeeFormat.Single));
                // The other classes convert exactly and raise nothing: the load is invisible.
                var src = p.Compute(isDouble ? ExtOp.FromDouble : ExtOp.FromSingle, (value, b.Const(0)), (value, b.Const(0)));
                var r = ApplyInline(p, op, d0, (src.Sig, src.SignExp));
                p.Write(0, r.Sig, r.SignExp, finite: false);
                p.Commit(0, desc, ea);
                return;
            }
            b.CallHelper(X87Common.Helpers.ArithFor(desc), b.Const64(desc), value, b.Const(cx.Eip), ea);
            return;
        }
        // Register forms: ST(0) ← ST(0) op ST(i), or ST(i) ← ST(i) op ST(0) (P forms pop).
        int dst = X87Common.St(cx, 0);
        int form2 = dst == 0 ? Form.St0StI : Form.StISt0;
        int i = dst == 0 ? (cx.Insn.OpCount > 1 ? X87Common.St(cx, 1) : 1) : dst;
        ulong d = Make(op, st: i, form: form2, pops: pop ? 1 : 0, fop: fop);
        if (InlineArith(op) && X87InlinePath.Begin(cx) is { } q)
        {
            q.RequireDefaultControl();
            var (st0, sti) = q.ReadOperands(i);
            var r = form2 == Form.St0StI ? ApplyInline(q, op, st0, sti) : ApplyInline(q, op, sti, st0);
            q.Write(form2 == Form.St0StI ? 0 : i, r.Sig, r.SignExp, finite: false);
            if (pop) q.SetTags(q.WithEmpty(q.Tags, 0));
            q.Commit(pop ? 1 : 0, d);
            return;
        }
        b.CallHelper(X87Common.Helpers.ArithFor(d), b.Const64(d), b.Const64(0), b.Const(cx.Eip), b.Const(0));
    }

    /// <summary>Operations with an inline path: all six.</summary>
    private static bool InlineArith(int op) => op is ArithOp.Add or ArithOp.Sub or ArithOp.SubR or ArithOp.Mul or ArithOp.Div or ArithOp.DivR;

    /// <summary>dest ← dest op src, for <see cref="InlineArith"/> operations.</summary>
    private static (int Sig, int SignExp) ApplyInline(X87InlinePath p, int op, (int Sig, int SignExp) dest, (int Sig, int SignExp) src) => op switch
    {
        ArithOp.Add => p.Arith(ExtOp.Add, dest, src),
        ArithOp.Sub => p.Arith(ExtOp.Sub, dest, src),
        ArithOp.SubR => p.Arith(ExtOp.Sub, src, dest),
        ArithOp.Mul => p.Arith(ExtOp.Mul, dest, src),
        ArithOp.Div => p.Arith(ExtOp.Div, dest, src),
        _ => p.Arith(ExtOp.Div, src, dest),
    };

    // ------------------------------------------------------------------ compare

    private static void Compare(LiftContext cx)
    {
        IrBuilder b = cx.B;
        Mnemonic m = cx.Insn.Mnemonic;
        int kind = m switch
        {
            Mnemonic.Fucom or Mnemonic.Fucomp or Mnemonic.Fucompp => CompareKind.Fucom,
            Mnemonic.Fcomi or Mnemonic.Fcomip => CompareKind.Fcomi,
            Mnemonic.Fucomi or Mnemonic.Fucomip => CompareKind.Fucomi,
            Mnemonic.Ftst => CompareKind.Ftst,
            _ => CompareKind.Fcom,
        };
        int pops = m switch
        {
            Mnemonic.Fcompp or Mnemonic.Fucompp => 2,
            Mnemonic.Fcomp or Mnemonic.Fucomp or Mnemonic.Ficomp or Mnemonic.Fcomip or Mnemonic.Fucomip => 1,
            _ => 0,
        };
        int fop = X87Common.Fop(cx);
        X87Common.Begin(cx, waiting: true);
        int result;
        if (HasMemory(cx))
        {
            int form = MemoryForm(cx.Insn.MemorySize);
            (int ea, int linear) = X87Common.Memory(cx);
            int value = ReadOperand(cx, form, linear);
            ulong desc = Make(kind, form: form, pops: pops, fop: fop, mem: true, seg: X87Common.SegmentIndex(cx));
            result = b.CallHelper(X87Common.Helpers.Compare, b.Const64(desc), value, b.Const(cx.Eip), ea);
        }
        else
        {
            // FCOM ST(i) / FCOMI ST(0), ST(i); FCOMPP and FUCOMPP compare with ST(1).
            int i = 1;
            for (int k = 0; k < cx.Insn.OpCount; k++)
                if (cx.Insn.GetOpRegister(k) is > Register.ST0 and <= Register.ST7) i = X87Common.St(cx, k);
            if (cx.Insn.OpCount == 2 && cx.Insn.Op1Register == Register.ST0 && cx.Insn.Op0Register == Register.ST0) i = 0;
            if (cx.Insn.OpCount == 1 && cx.Insn.Op0Register == Register.ST0) i = 0;
            ulong desc = Make(kind, st: i, form: Form.St0StI, pops: pops, fop: fop);
            if (kind is CompareKind.Fcomi or CompareKind.Fucomi && X87InlinePath.Begin(cx) is { } p)
                result = InlineCompareToEflags(cx, p, desc, i, pops);
            else result = b.CallHelper(X87Common.Helpers.Compare, b.Const64(desc), b.Const64(0), b.Const(cx.Eip), b.Const(0));
        }
        if (kind is CompareKind.Fcomi or CompareKind.Fucomi)
            cx.SetFlagsMaterialized(b.Unary(Opcode.Trunc, result));
    }

    /// <summary>FCOMI/FUCOMI ST(0), ST(i) (and the P forms) of normal numbers and zeros inline: the
    /// EFLAGS bits (ZF, CF; PF only for unordered, which is the slow path's) as an I64.</summary>
    private static int InlineCompareToEflags(LiftContext cx, X87InlinePath p, ulong desc, int i, int pops)
    {
        IrBuilder b = cx.B;
        p.RequireDefaultControl();
        var (a, c) = p.ReadFiniteOperands(i);
        int ea = b.And(a.SignExp, 0x7FFFu), ec = b.And(c.SignExp, 0x7FFFu);
        int sa = b.ShrImm(a.SignExp, 15), sc = b.ShrImm(c.SignExp, 15);
        int magLess = b.Or(b.ULt(ea, ec), b.And(b.Eq(ea, ec), b.ULt(a.Sig, c.Sig)));
        int magEqual = b.And(b.Eq(ea, ec), b.Eq(a.Sig, c.Sig));
        int magGreater = SoftFloatIr.Not01(b, b.Or(magLess, magEqual));
        int sameSign = b.Eq(sa, sc);
        // Different signs: the negative one is less (for normal numbers, which are never zero).
        int less = b.Select(sameSign, b.Select(sa, magGreater, magLess), sa);
        int equal = b.And(sameSign, magEqual);
        // Zeros: +0 = -0; against a normal number the normal one's sign decides.
        int za = SoftFloatIr.IsZero(b, a.Sig, a.SignExp), zc = SoftFloatIr.IsZero(b, c.Sig, c.SignExp);
        int anyZero = b.Or(za, zc);
        equal = b.Select(anyZero, b.And(za, zc), equal);
        less = b.Select(za, b.And(SoftFloatIr.Not01(b, zc), SoftFloatIr.Not01(b, sc)), b.Select(zc, sa, less));
        if (pops != 0) p.SetTags(p.WithEmpty(p.Tags, 0));
        p.Commit(pops, desc);
        return b.Unary(Opcode.ZextTo64, b.Or(b.ShlImm(equal, 6), less));
    }

    // ------------------------------------------------------------------ loads

    private static void Load(LiftContext cx)
    {
        IrBuilder b = cx.B;
        Mnemonic m = cx.Insn.Mnemonic;
        int fop = X87Common.Fop(cx);
        X87Common.Begin(cx, waiting: true);
        int eip = b.Const(cx.Eip);
        int kind = m switch
        {
            Mnemonic.Fld1 => LoadKind.One,
            Mnemonic.Fldl2t => LoadKind.L2T,
            Mnemonic.Fldl2e => LoadKind.L2E,
            Mnemonic.Fldpi => LoadKind.Pi,
            Mnemonic.Fldlg2 => LoadKind.Lg2,
            Mnemonic.Fldln2 => LoadKind.Ln2,
            Mnemonic.Fldz => LoadKind.Zero,
            _ => -1,
        };
        if (kind >= 0)
        {
            b.CallHelper(X87Common.Helpers.Load, b.Const64(Make(kind, fop: fop)), b.Const64(0), eip, b.Const(0));
            return;
        }
        if (!HasMemory(cx))
        {
            int st = X87Common.St(cx, 0);
            ulong d = Make(LoadKind.StI, st: st, fop: fop);
            if (X87InlinePath.Begin(cx) is { } p)
            {
                // FLD ST(i): a copy, no exception whatever the value (Intel SDM Vol. 2A FLD).
                p.RequireFull(st);
                p.RequireEmpty(-1);
                var v = p.Read(st);
                p.Write(-1, v.Sig, v.SignExp, p.KnownFinite(st));
                p.SetTags(p.WithFull(p.Tags, -1));
                p.Commit(-1, d);
                return;
            }
            b.CallHelper(X87Common.Helpers.Load, b.Const64(d), b.Const64(0), eip, b.Const(0));
            return;
        }
        (int ea, int linear) = X87Common.Memory(cx);
        int seg = X87Common.SegmentIndex(cx);
        MemorySize size = cx.Insn.MemorySize;
        if (size is MemorySize.Float80 or MemorySize.Bcd)
        {
            int sig = X87Common.Read64(cx, linear);
            int high = cx.ReadMemory(2, b.Add(linear, b.Const(8)));
            int k80 = size == MemorySize.Bcd ? LoadKind.Bcd : LoadKind.M80Fp;
            // The high 16 bits travel in the descriptor's bits 32..47.
            int desc80 = b.Or(b.Const64(Make(k80, fop: fop, mem: true, seg: seg)),
                              b.Shl(b.Unary(Opcode.ZextTo64, high), b.Const(HighShift)));
            b.CallHelper(X87Common.Helpers.Load, desc80, sig, eip, ea);
            return;
        }
        int lk = size switch
        {
            MemorySize.Float32 => LoadKind.M32Fp,
            MemorySize.Float64 => LoadKind.M64Fp,
            MemorySize.Int16 => LoadKind.M16Int,
            MemorySize.Int32 => LoadKind.M32Int,
            MemorySize.Int64 => LoadKind.M64Int,
            _ => throw new UnsupportedInstructionException($"x87 load of {size}"),
        };
        int value = lk switch
        {
            LoadKind.M64Fp or LoadKind.M64Int => X87Common.Read64(cx, linear),
            LoadKind.M16Int => b.Unary(Opcode.ZextTo64, cx.ReadMemory(2, linear)),
            _ => b.Unary(Opcode.ZextTo64, cx.ReadMemory(4, linear)),
        };
        ulong desc = Make(lk, fop: fop, mem: true, seg: seg);
        if (lk is LoadKind.M64Fp or LoadKind.M32Fp && X87InlinePath.Begin(cx) is { } q)
        {
            // A denormal raises DE and a signaling NaN IE (and is quieted): masked under 037F.
            q.RequireDefaultControl();
            q.RequireEmpty(-1);
            var operand = (value, b.Const(0));
            var r = q.Arith(lk == LoadKind.M64Fp ? ExtOp.FromDouble : ExtOp.FromSingle, operand, operand);
            q.Write(-1, r.Sig, r.SignExp, finite: false);
            q.SetTags(q.WithFull(q.Tags, -1));
            q.Commit(-1, desc, ea);
            return;
        }
        b.CallHelper(X87Common.Helpers.Load, b.Const64(desc), value, eip, ea);
    }

    // ------------------------------------------------------------------ stores

    private static void Store(LiftContext cx)
    {
        IrBuilder b = cx.B;
        Mnemonic m = cx.Insn.Mnemonic;
        bool pop = m is Mnemonic.Fstp or Mnemonic.Fstpnce or Mnemonic.Fistp or Mnemonic.Fbstp;
        int fop = X87Common.Fop(cx);
        X87Common.Begin(cx, waiting: true);
        if (!HasMemory(cx))
        {
            // FSTPNCE (D9 D8+i, the reserved alias of FSTP ST(i)): form 1, no stack-underflow check.
            int st = X87Common.St(cx, 0);
            ulong d = Make(StoreKind.StI, st: st, form: m == Mnemonic.Fstpnce ? 1 : 0, pops: pop ? 1 : 0, fop: fop);
            if (X87InlinePath.Begin(cx) is { } r)
            {
                r.RequireFull(0);
                var v = r.Read(0);
                r.Write(st, v.Sig, v.SignExp, r.KnownFinite(0));
                int tags = r.WithFull(r.Tags, st);
                if (pop) tags = r.WithEmpty(tags, 0);
                r.SetTags(tags);
                r.Commit(pop ? 1 : 0, d);
                return;
            }
            b.CallHelper(X87Common.Helpers.StoreReg, b.Const64(d), b.Const(cx.Eip));
            return;
        }
        MemorySize size = cx.Insn.MemorySize;
        int kind = size switch
        {
            MemorySize.Float32 => StoreKind.M32Fp,
            MemorySize.Float64 => StoreKind.M64Fp,
            MemorySize.Float80 => StoreKind.M80Fp,
            MemorySize.Int16 => StoreKind.M16Int,
            MemorySize.Int32 => StoreKind.M32Int,
            MemorySize.Int64 => StoreKind.M64Int,
            MemorySize.Bcd => StoreKind.Bcd,
            _ => throw new UnsupportedInstructionException($"x87 store of {size}"),
        };
        (int ea, int linear) = X87Common.Memory(cx);
        ulong desc = Make(kind, pops: pop ? 1 : 0, fop: fop, mem: true, seg: X87Common.SegmentIndex(cx));
        int bytes = kind switch
        {
            StoreKind.M16Int => 2,
            StoreKind.M32Fp or StoreKind.M32Int => 4,
            StoreKind.M64Fp or StoreKind.M64Int => 8,
            _ => 10,
        };
        if (kind is StoreKind.M64Fp or StoreKind.M32Fp && X87InlinePath.Begin(cx) is { } p)
        {
            p.RequireDefaultControl();
            p.RequireFull(0);
            var v = p.Read(0);
            // A store that faults raises nothing, and the conversion's flags are raised where it
            // is computed (Opcode.ExtRaise): so the page is probed for the write first, by writing
            // the operand's first byte back. An operand that crosses into the next page takes
            // the slow path (which checks both pages); within one page the probe faults or nothing.
            p.FailUnless(b.ULe(b.And(linear, 0xFFFu), b.Const((uint)(0x1000 - bytes))));
            p.Check();
            X87Common.ProbeWrite(cx, linear);
            var r = p.Arith(kind == StoreKind.M64Fp ? ExtOp.ToDouble : ExtOp.ToSingle, v, v);
            if (kind == StoreKind.M64Fp) X87Common.Write64(cx, linear, r.Sig);
            else cx.WriteMemory(4, linear, b.Unary(Opcode.Trunc, r.Sig));
            if (pop) p.SetTags(p.WithEmpty(p.Tags, 0));
            p.Commit(pop ? 1 : 0, desc, ea);
            return;
        }
        X87Helpers helpers = X87Common.Helpers;
        int descTemp = b.Const64(desc);
        int value = b.CallHelper(helpers.StorePrepare, descTemp);
        int skip = b.LoadState(FpuState.OffStoreSkip);
        int done = b.NewLabel();
        int skipped = b.NewLabel();
        b.BranchIf(skip, skipped);
        WriteStoreValue(cx, kind, bytes, linear, value);
        b.Jump(done);
        // An unmasked exception stops the store, but the destination is still checked first: a
        // page fault comes before the #MF (host). Its first and last bytes are written back
        // unchanged (the operand spans at most two pages).
        cx.MarkLabel(skipped);
        X87Common.ProbeWrite(cx, linear);
        int lastByte = b.Add(linear, b.Const((uint)(bytes - 1)));
        X87Common.ProbeWrite(cx, lastByte);
        cx.MarkLabel(done);
        b.CallHelper(helpers.StoreCommit, descTemp, b.Const(cx.Eip), ea);
    }

    /// <summary>Writes a store's value (for 80-bit formats the high part is in
    /// FpuState.OffStoreHigh). Stored in pieces: an operand that crosses into a page that
    /// faults must not be partly written first (the fault is precise and hardware writes
    /// nothing). Writing the last byte back unchanged checks that page; the first piece checks
    /// the other.</summary>
    private static void WriteStoreValue(LiftContext cx, int kind, int bytes, int linear, int value)
    {
        IrBuilder b = cx.B;
        if (bytes > 4)
        {
            int inPage = b.NewLabel();
            b.BranchIf(b.ULe(b.And(linear, 0xFFFu), b.Const((uint)(0x1000 - bytes))), inPage);
            int last = b.Add(linear, b.Const((uint)(bytes - 1)));
            X87Common.ProbeWrite(cx, last);
            cx.MarkLabel(inPage);
        }
        switch (kind)
        {
            case StoreKind.M32Fp or StoreKind.M32Int:
                cx.WriteMemory(4, linear, b.Unary(Opcode.Trunc, value));
                break;
            case StoreKind.M16Int:
                cx.WriteMemory(2, linear, b.Unary(Opcode.Trunc, value));
                break;
            case StoreKind.M64Fp or StoreKind.M64Int:
                X87Common.Write64(cx, linear, value);
                break;
            default:
                int high = b.LoadState(FpuState.OffStoreHigh);
                X87Common.Write64(cx, linear, value);
                cx.WriteMemory(2, b.Add(linear, b.Const(8)), high);
                break;
        }
    }

    // ------------------------------------------------------------------ everything else

    private static void Misc(LiftContext cx)
    {
        IrBuilder b = cx.B;
        Mnemonic m = cx.Insn.Mnemonic;
        int op = m switch
        {
            Mnemonic.Fchs => MiscOp.Fchs,
            Mnemonic.Fabs => MiscOp.Fabs,
            Mnemonic.Fxam => MiscOp.Fxam,
            Mnemonic.Fsqrt => MiscOp.Fsqrt,
            Mnemonic.Frndint => MiscOp.Frndint,
            Mnemonic.Fscale => MiscOp.Fscale,
            Mnemonic.Fxtract => MiscOp.Fxtract,
            Mnemonic.Fprem => MiscOp.Fprem,
            Mnemonic.Fprem1 => MiscOp.Fprem1,
            Mnemonic.Fsin => MiscOp.Fsin,
            Mnemonic.Fcos => MiscOp.Fcos,
            Mnemonic.Fsincos => MiscOp.Fsincos,
            Mnemonic.Fptan => MiscOp.Fptan,
            Mnemonic.Fpatan => MiscOp.Fpatan,
            Mnemonic.F2xm1 => MiscOp.F2xm1,
            Mnemonic.Fyl2x => MiscOp.Fyl2x,
            Mnemonic.Fyl2xp1 => MiscOp.Fyl2xp1,
            Mnemonic.Fxch => MiscOp.Fxch,
            Mnemonic.Ffree => MiscOp.Ffree,
            Mnemonic.Ffreep => MiscOp.Ffreep,
            Mnemonic.Fincstp => MiscOp.Fincstp,
            Mnemonic.Fdecstp => MiscOp.Fdecstp,
            _ => MiscOp.Fnop,
        };
        int i = 0;
        for (int k = 0; k < cx.Insn.OpCount; k++)
            if (cx.Insn.GetOpKind(k) == OpKind.Register && cx.Insn.GetOpRegister(k) is > Register.ST0 and <= Register.ST7)
                i = X87Common.St(cx, k);
        if (m == Mnemonic.Fxch && cx.Insn.OpCount == 0) i = 1;
        int fop = X87Common.Fop(cx);
        X87Common.Begin(cx, waiting: true);
        ulong desc = Make(op, st: i, fop: fop);
        if (op == MiscOp.Fsqrt && X87InlinePath.Begin(cx) is { } q)
        {
            q.RequireDefaultControl();
            q.RequireFull(0);
            var v = q.Read(0);
            var r = q.Arith(ExtOp.Sqrt, v, v);
            q.Write(0, r.Sig, r.SignExp, finite: false);
            q.Commit(0, desc);
            return;
        }
        if (op is MiscOp.Fxch or MiscOp.Fchs or MiscOp.Fabs && X87InlinePath.Begin(cx) is { } p)
        {
            // Copies and sign changes: no exception for any value (Intel SDM Vol. 2A FXCH, FCHS, FABS).
            p.RequireFull(0);
            var st0 = p.Read(0);
            if (op == MiscOp.Fxch)
            {
                p.RequireFull(i);
                var sti = p.Read(i);
                bool finite0 = p.KnownFinite(0), finiteI = p.KnownFinite(i);
                p.Write(0, sti.Sig, sti.SignExp, finiteI);
                p.Write(i, st0.Sig, st0.SignExp, finite0);
            }
            else p.WriteSignExp(0, op == MiscOp.Fchs ? b.Xor(st0.SignExp, b.Const(0x8000)) : b.And(st0.SignExp, 0x7FFFu));
            p.Commit(0, desc);
            return;
        }
        b.CallHelper(X87Common.Helpers.Misc, b.Const64(desc), b.Const64(0), b.Const(cx.Eip));
    }

    private static void Fcmov(LiftContext cx)
    {
        IrBuilder b = cx.B;
        ConditionCode cc = cx.Insn.Mnemonic switch
        {
            Mnemonic.Fcmovb => ConditionCode.b,
            Mnemonic.Fcmove => ConditionCode.e,
            Mnemonic.Fcmovbe => ConditionCode.be,
            Mnemonic.Fcmovu => ConditionCode.p,
            Mnemonic.Fcmovnb => ConditionCode.ae,
            Mnemonic.Fcmovne => ConditionCode.ne,
            Mnemonic.Fcmovnbe => ConditionCode.a,
            _ => ConditionCode.np,
        };
        int fop = X87Common.Fop(cx);
        X87Common.Begin(cx, waiting: true);
        int cond = cx.Condition(cc);
        ulong desc = Make(MiscOp.Fcmov, st: X87Common.St(cx, 1), fop: fop);
        b.CallHelper(X87Common.Helpers.Misc, b.Const64(desc), b.Unary(Opcode.ZextTo64, cond), b.Const(cx.Eip));
    }
}
