using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

public class ConstantFoldingTests
{
    private static string Fold(IrBuilder b)
    {
        IrBlock block = b.Finish(0x1000);
        ConstantFolding.Run(block);
        IrVerifier.Verify(block);
        return Ops(block);
    }

    [Fact]
    public void FoldsI32ArithmeticWithWrapping()
    {
        var b = Builder();
        int x = b.Const(3), y = b.Const(5);              // t0 t1
        b.StoreState(16, b.Sub(x, y));                   // t2 = 0xfffffffe
        int big = b.Const(0x10000);                      // t3
        b.StoreState(20, b.Mul(big, big));               // t4 = 0
        b.StoreState(24, b.Sar(b.Const(0x80000000u), b.Const(4))); // t5 t6 t7 = 0xf8000000
        b.StoreState(28, b.Shl(y, b.Const(30)));         // t8 t9 = 0x40000000
        b.StoreState(32, b.Not(x));                      // t10 = 0xfffffffc
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i32 0x3
            t1 = const.i32 0x5
            t2 = const.i32 0xfffffffe
            st.i32 state+16, t2
            t3 = const.i32 0x10000
            t4 = const.i32 0x0
            st.i32 state+20, t4
            t5 = const.i32 0x80000000
            t6 = const.i32 0x4
            t7 = const.i32 0xf8000000
            st.i32 state+24, t7
            t8 = const.i32 0x1e
            t9 = const.i32 0x40000000
            st.i32 state+28, t9
            t10 = const.i32 0xfffffffc
            st.i32 state+32, t10
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void SignedDivisionOfMinByMinusOneWrapsAndDivisionByZeroIsNotFolded()
    {
        var b = Builder();
        int min = b.Const(0x80000000u), m1 = b.Const(-1), zero = b.Const(0);    // t0 t1 t2
        b.StoreState(16, b.Binary(Opcode.SDiv, min, m1));                      // t3
        b.StoreState(20, b.Binary(Opcode.SRem, min, m1));                      // t4
        b.StoreState(24, b.Binary(Opcode.UDiv, min, zero));                    // t5 stays
        b.StoreState(28, b.Binary(Opcode.SRem, b.Const(-7), b.Const(2)));      // t6 t7 t8 = -1
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i32 0x80000000
            t1 = const.i32 0xffffffff
            t2 = const.i32 0x0
            t3 = const.i32 0x80000000
            st.i32 state+16, t3
            t4 = const.i32 0x0
            st.i32 state+20, t4
            t5 = udiv.i32 t0, t2
            st.i32 state+24, t5
            t6 = const.i32 0xfffffff9
            t7 = const.i32 0x2
            t8 = const.i32 0xffffffff
            st.i32 state+28, t8
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void FoldsI64Arithmetic()
    {
        var b = Builder();
        int a = b.Const64(0xFFFF_FFFF_FFFF_FFFFul), one = b.Const64(1);  // t0 t1
        b.StoreState(16, b.Add(a, one));                                  // t2 = 0
        b.StoreState(24, b.Sar(b.Const64(0x8000_0000_0000_0000ul), b.Const(63))); // t3 t4 t5 = -1
        b.StoreState(32, b.Unary(Opcode.SextTo64, b.Const(0x80000000u)));  // t6 t7
        b.StoreState(40, b.Unary(Opcode.ZextTo64, b.Const(0x80000000u)));  // t8 t9
        b.StoreState(48, b.Unary(Opcode.Trunc, a));                        // t10
        b.StoreState(52, b.SLt(a, one));                                   // t11 = 1 (i32)
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i64 0xffffffffffffffff
            t1 = const.i64 0x1
            t2 = const.i64 0x0
            st.i64 state+16, t2
            t3 = const.i64 0x8000000000000000
            t4 = const.i32 0x3f
            t5 = const.i64 0xffffffffffffffff
            st.i64 state+24, t5
            t6 = const.i32 0x80000000
            t7 = const.i64 0xffffffff80000000
            st.i64 state+32, t7
            t8 = const.i32 0x80000000
            t9 = const.i64 0x80000000
            st.i64 state+40, t9
            t10 = const.i32 0xffffffff
            st.i32 state+48, t10
            t11 = const.i32 0x1
            st.i32 state+52, t11
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void IdentitiesReplaceTheValueByItsOperand()
    {
        var b = Builder();
        int x = b.LoadState(16);                       // t0
        int zero = b.Const(0), one = b.Const(1), ones = b.Const(-1);   // t1 t2 t3
        b.StoreState(20, b.Add(x, zero));              // t4
        b.StoreState(20, b.Add(zero, x));              // t5
        b.StoreState(20, b.Sub(x, zero));              // t6
        b.StoreState(20, b.Or(x, zero));               // t7
        b.StoreState(20, b.Xor(zero, x));              // t8
        b.StoreState(20, b.And(x, ones));              // t9
        b.StoreState(20, b.Mul(one, x));               // t10
        b.StoreState(20, b.Shl(x, zero));              // t11
        b.StoreState(20, b.Sar(x, zero));              // t12
        b.StoreState(20, b.Binary(Opcode.UDiv, x, one)); // t13
        b.StoreState(20, b.And(x, x));                 // t14
        int chained = b.Add(b.Or(x, zero), zero);      // t15 t16: the rename of t15 reaches t16
        b.StoreState(24, chained);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = const.i32 0x0
            t2 = const.i32 0x1
            t3 = const.i32 0xffffffff
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+20, t0
            st.i32 state+24, t0
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void IdentitiesThatGiveConstants()
    {
        var b = Builder();
        int x = b.LoadState(16);                    // t0
        int zero = b.Const(0);                      // t1
        b.StoreState(20, b.And(x, zero));           // t2 = 0
        b.StoreState(20, b.Mul(zero, x));           // t3 = 0
        b.StoreState(20, b.Xor(x, x));              // t4 = 0
        b.StoreState(20, b.Sub(x, x));              // t5 = 0
        b.StoreState(20, b.Eq(x, x));               // t6 = 1
        b.StoreState(20, b.Ne(x, x));               // t7 = 0
        b.StoreState(20, b.SLe(x, x));              // t8 = 1
        b.StoreState(20, b.ULt(x, x));              // t9 = 0
        int y = b.LoadState(24, IrType.I64);        // t10
        b.StoreState(24, b.Xor(y, y));              // t11 = 0 (i64)
        b.StoreState(32, b.Eq(y, y));               // t12 = 1 (i32)
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = const.i32 0x0
            t2 = const.i32 0x0
            st.i32 state+20, t2
            t3 = const.i32 0x0
            st.i32 state+20, t3
            t4 = const.i32 0x0
            st.i32 state+20, t4
            t5 = const.i32 0x0
            st.i32 state+20, t5
            t6 = const.i32 0x1
            st.i32 state+20, t6
            t7 = const.i32 0x0
            st.i32 state+20, t7
            t8 = const.i32 0x1
            st.i32 state+20, t8
            t9 = const.i32 0x0
            st.i32 state+20, t9
            t10 = ld.i64 state+24
            t11 = const.i64 0x0
            st.i64 state+24, t11
            t12 = const.i32 0x1
            st.i32 state+32, t12
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void SelectTruncAndDoubleNegation()
    {
        var b = Builder();
        int x = b.LoadState(16), y = b.LoadState(20), c = b.LoadState(24);  // t0 t1 t2
        b.StoreState(28, b.Select(b.Const(1), x, y));      // t3 t4 → x
        b.StoreState(28, b.Select(b.Const(0), x, y));      // t5 t6 → y
        b.StoreState(28, b.Select(c, y, y));               // t7 → y
        b.StoreState(28, b.Select(c, x, y));               // t8 stays
        b.StoreState(28, b.Unary(Opcode.Trunc, b.Unary(Opcode.ZextTo64, x)));  // t9 t10 → x
        b.StoreState(28, b.Unary(Opcode.Trunc, b.Unary(Opcode.SextTo64, y)));  // t11 t12 → y
        b.StoreState(28, b.Not(b.Not(x)));                 // t13 t14 → x
        b.StoreState(28, b.Neg(b.Neg(y)));                 // t15 t16 → y
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = ld.i32 state+20
            t2 = ld.i32 state+24
            t3 = const.i32 0x1
            st.i32 state+28, t0
            t5 = const.i32 0x0
            st.i32 state+28, t1
            st.i32 state+28, t1
            t8 = select t2 ? t0 : t1
            st.i32 state+28, t8
            t9 = zextto64.i64 t0
            st.i32 state+28, t0
            t11 = sextto64.i64 t1
            st.i32 state+28, t1
            t13 = not.i32 t0
            st.i32 state+28, t0
            t15 = neg.i32 t1
            st.i32 state+28, t1
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void AndOfAndBecomesOneAnd()
    {
        var b = Builder();
        int x = b.LoadState(16);                              // t0
        int inner = b.And(x, 0xFF00u);                        // t1 t2
        b.StoreState(20, b.And(inner, 0x0FF0u));              // t3 t4: and t0, new const t15 = 0xf00
        b.StoreState(20, b.And(b.Const(0xFFFF), inner));      // t5 t6: the mask keeps all of inner: t2
        b.StoreState(20, b.And(inner, 0xF000_0F00u));         // t7 t8: and t0, new const t16 = 0xf00
        b.StoreState(20, b.And(inner, 0x00FFu));              // t9 t10: 0
        b.StoreState(20, b.And(b.And(x, 0x0F00u), 0xFF00u));  // t11 t12 t13 t14: the inner and t12
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = const.i32 0xff00
            t2 = and.i32 t0, t1
            t3 = const.i32 0xff0
            t15 = const.i32 0xf00
            t4 = and.i32 t0, t15
            st.i32 state+20, t4
            t5 = const.i32 0xffff
            st.i32 state+20, t2
            t7 = const.i32 0xf0000f00
            t16 = const.i32 0xf00
            t8 = and.i32 t0, t16
            st.i32 state+20, t8
            t9 = const.i32 0xff
            t10 = const.i32 0x0
            st.i32 state+20, t10
            t11 = const.i32 0xf00
            t12 = and.i32 t0, t11
            t13 = const.i32 0xff00
            st.i32 state+20, t12
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void BranchOnConstantBecomesJumpOrDisappears()
    {
        var b = Builder();
        int taken = b.NewLabel(), notTaken = b.NewLabel();
        b.BranchIf(b.Const(0), notTaken);     // t0: never taken, removed
        b.BranchIf(b.Const(5), taken);        // t1: always taken
        b.StoreState(16, b.Const(1));         // t2
        b.MarkLabel(notTaken);
        b.MarkLabel(taken);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i32 0x0
            t1 = const.i32 0x5
            jump L0
            t2 = const.i32 0x1
            st.i32 state+16, t2
            L1:
            L0:
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void OnlyPureHelpersWithConstantArgumentsAreFolded()
    {
        var b = Builder();
        int two = b.Const(2), three = b.Const(3);          // t0 t1
        int x = b.LoadState(16);                           // t2
        b.StoreState(24, b.CallHelper(HPure, two, three)); // t3 = 2*31 + (3^0x5555) = 62 + 0x5556 = 0x5594
        b.StoreState(24, b.CallHelper(HPure, two, x));     // t4 stays (argument unknown)
        b.StoreState(24, b.CallHelper(HPlain, two, three)); // t5 stays (not pure)
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i32 0x2
            t1 = const.i32 0x3
            t2 = ld.i32 state+16
            t3 = const.i64 0x5594
            st.i64 state+24, t3
            t4 = call pure_mix(t0, t2, _, _)
            st.i64 state+24, t4
            t5 = call plain(t0, t1, _, _)
            st.i64 state+24, t5
            exit 0 (retired +1)
            """), Fold(b));
    }

    [Fact]
    public void NothingToFoldLeavesTheBlockAlone()
    {
        var b = Builder();
        int x = b.LoadState(16);
        b.StoreState(20, b.Add(x, x));
        b.Exit(0, 1);
        IrBlock block = b.Finish(0x1000);
        IrInstruction[] before = block.Instructions;
        Assert.False(ConstantFolding.Run(block, null));
        Assert.Same(before, block.Instructions);
    }

    [Fact]
    public void EvaluatorMatchesTheInterpreterOnRandomOperands()
    {
        var rng = new Random(1234);
        Opcode[] binary = [Opcode.Add, Opcode.Sub, Opcode.Mul, Opcode.And, Opcode.Or, Opcode.Xor, Opcode.Shl, Opcode.Shr,
            Opcode.Sar, Opcode.UDiv, Opcode.SDiv, Opcode.URem, Opcode.SRem, Opcode.Eq, Opcode.Ne, Opcode.ULt, Opcode.ULe,
            Opcode.SLt, Opcode.SLe];
        Opcode[] unary = [Opcode.Not, Opcode.Neg, Opcode.Sext8, Opcode.Sext16, Opcode.ZextTo64, Opcode.SextTo64,
            Opcode.Trunc, Opcode.Popcnt, Opcode.Ctz, Opcode.Clz, Opcode.Bswap];
        ulong[] interesting = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
            0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue];
        ulong Pick(IrType t)
        {
            ulong v = rng.Next(3) == 0 ? interesting[rng.Next(interesting.Length)] : (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
            return t == IrType.I32 ? (uint)v : v;
        }
        for (int iter = 0; iter < 3000; iter++)
        {
            // Each block computes one op on constants and stores it; the interpreter runs the
            // unfolded block, the folded block must hold the same constant.
            var b = Builder();
            bool isUnary = rng.Next(3) == 0;
            Opcode op = isUnary ? unary[rng.Next(unary.Length)] : binary[rng.Next(binary.Length)];
            IrType ty = rng.Next(2) == 0 ? IrType.I32 : IrType.I64;
            if (op is Opcode.ZextTo64 or Opcode.SextTo64 or Opcode.Sext8 or Opcode.Sext16 or Opcode.Popcnt or Opcode.Ctz
                or Opcode.Clz or Opcode.Bswap) ty = IrType.I32;
            if (op == Opcode.Trunc) ty = IrType.I64;
            int C(IrType t, ulong v) => t == IrType.I32 ? b.Const((uint)v) : b.Const64(v);
            int a = C(ty, Pick(ty));
            int r;
            if (isUnary)
            {
                if (op is Opcode.Ctz or Opcode.Clz && b.TypeOf(a) == IrType.I32) a = b.Or(a, b.Const(0x100));
                r = b.Unary(op, a);
            }
            else
            {
                int bb;
                if (op is Opcode.Shl or Opcode.Shr or Opcode.Sar)
                    bb = b.Const(rng.Next(ty == IrType.I32 ? 32 : 64));
                else
                {
                    ulong v = Pick(ty);
                    if (op is Opcode.UDiv or Opcode.SDiv or Opcode.URem or Opcode.SRem)
                    {
                        if (rng.Next(4) == 0) v = ConstantEvaluatorAllOnes(ty);
                        if (v == 0) v = 3;
                    }
                    bb = C(ty, v);
                }
                r = b.Binary(op, a, bb);
            }
            b.StoreState(16, r);
            b.Exit(0, 1);
            IrBlock original = b.Finish(0x1000);
            IrBlock folded = Clone(original);
            ConstantFolding.Run(folded);
            IrVerifier.Verify(folded);
            IrInstruction last = folded.Instructions[folded.Count - 3];
            Assert.Equal(Opcode.Const, last.Op);
            var init = new byte[StateSize];
            var mem = new byte[MemorySize];
            RunResult expect = Run(original, init, mem), got = Run(folded, init, mem);
            expect.AssertSame(got, $"{op}.{ty}\n{IrPrinter.Print(original)}\n{IrPrinter.Print(folded)}");
        }
    }

    private static ulong ConstantEvaluatorAllOnes(IrType t) => ConstantEvaluator.AllOnes(t);
}
