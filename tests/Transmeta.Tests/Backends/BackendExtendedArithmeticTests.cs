using Transmeta.Frontend.Fpu;
using Transmeta.IR;
using Transmeta.Tests.Support;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>
/// <see cref="Opcode.ExtArith"/> on every backend against the general soft-float
/// (<see cref="SoftFloat"/>, bit-exact with the hardware by the differential tester): the
/// interpreter and IL through <see cref="ExtendedArithmetic"/>, LLVM on the host's x87 with the
/// status derived from the values. Wherever a backend handles a case, its value and status
/// (inexact = PE, rounded up = C1, at the same bits) are the soft-float's; every case that raises anything else
/// (underflow, overflow, a zero divisor, an invalid operation) is unhandled on every backend;
/// and the unhandled cases are rare. One unit also feeds a sum into a product, which LLVM takes
/// as the host value it computed (the sign/exponent read through a 16-bit mask, as the lifter does).
/// </summary>
public sealed unsafe class BackendExtendedArithmeticTests
{
    private const uint PE = FpuBits.PE, C1 = FpuBits.C1;
    private static readonly ExtOp[] Ops = [ExtOp.Add, ExtOp.Sub, ExtOp.Mul, ExtOp.Div, ExtOp.Sqrt];

    /// <summary>Operands in Q(0):R(0) and Q(1):R(1); operation k's parts in Q(2+k), R(2+2k),
    /// R(3+2k); (a + b) × b in Q(7), R(12), R(13).</summary>
    private static IrBlock Unit()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x4000, 0);
        int aSig = ir.LoadState(Q(0), IrType.I64), aSe = ir.LoadState(R(0));
        int bSig = ir.LoadState(Q(1), IrType.I64), bSe = ir.LoadState(R(1));
        (int Sig, int SignExp) sum = default;
        for (int k = 0; k < Ops.Length; k++)
        {
            var parts = Store(ir, Ops[k], aSig, aSe, Ops[k] == ExtOp.Sqrt ? aSig : bSig, Ops[k] == ExtOp.Sqrt ? aSe : bSe, k);
            if (k == 0) sum = parts;
        }
        Store(ir, ExtOp.Mul, sum.Sig, ir.And(sum.SignExp, ir.Const(0xFFFF)), bSig, bSe, 5);
        ir.Exit(BlockExit.Jump, 1);
        return ir.Finish(0x4000);
    }

    /// <summary>Stores the three parts of a op b; <paramref name="onlyHandled"/>: zeros for the
    /// value when unhandled (then unspecified, and backends differ).</summary>
    private static (int Sig, int SignExp) Store(IrBuilder ir, ExtOp op, int aSig, int aSe, int bSig, int bSe, int slot, bool onlyHandled = false)
    {
        int sig = ir.ExtArith(op, ExtPart.Significand, aSig, aSe, bSig, bSe);
        int se = ir.ExtArith(op, ExtPart.SignExp, aSig, aSe, bSig, bSe);
        int status = ir.ExtArith(op, ExtPart.Status, aSig, aSe, bSig, bSe);
        int unhandled = ir.And(status, ir.Const(ExtendedArithmetic.Unhandled));
        ir.StoreState(Q(2 + slot), onlyHandled ? ir.Select(unhandled, ir.Const64(0), sig) : sig);
        ir.StoreState(R(2 + 2 * slot), onlyHandled ? ir.Select(unhandled, ir.Const(0), se) : se);
        ir.StoreState(R(3 + 2 * slot), status);
        return (sig, se);
    }

    private static (Float80 Value, uint Flags) Reference(ExtOp op, Float80 a, Float80 b)
    {
        var env = new FpEnv(FpEnv.RoundNearest, 64);
        Float80 r = op switch
        {
            ExtOp.Add => SoftFloat.Add(ref env, a, b),
            ExtOp.Sub => SoftFloat.Sub(ref env, a, b),
            ExtOp.Mul => SoftFloat.Mul(ref env, a, b),
            ExtOp.Div => SoftFloat.Div(ref env, a, b),
            _ => SoftFloat.Sqrt(ref env, a),
        };
        return (r, env.Flags);
    }

    [Theory]
    [InlineData("interp")]
    [InlineData("il")]
    [InlineData("llvm")]
    public void MatchesSoftFloatWhereHandled(string backend)
    {
        IBlockCompiler compiler = backend switch
        {
            "interp" => BackendRunner.Interpreter,
            "il" => BackendRunner.Il,
            _ => BackendRunner.Llvm,
        };
        IrBlock unit = Unit();
        IrVerifier.Verify(unit);
        CompiledBlock code = compiler.Compile(unit);
        using var m = new BackendTestMachine();
        var rng = new Random(20261127);
        var handled = new int[Ops.Length + 1];
        int samples = 60_000;
        for (int i = 0; i < samples; i++)
        {
            // Every tenth pair spans the whole exponent range: overflows and underflows.
            Float80 a = RandomExtended.Operand(rng, new Float80(Float80.IntegerBit, 0x3FFF), 0x3FFF, i % 10 == 0 ? 16000 : 40);
            Float80 b = RandomExtended.Operand(rng, a, 0x3FFF, i % 10 == 0 ? 16000 : 40);
            if (i % 3 == 0) a = a.Abs(); // square roots of positive numbers
            m.Set64(Q(0), a.Sig);
            m.Set32(R(0), a.SignExp);
            m.Set64(Q(1), b.Sig);
            m.Set32(R(1), b.SignExp);
            Assert.Equal(BlockExit.Jump, code.Execute(m.Ctx));
            for (int k = 0; k <= Ops.Length; k++)
            {
                ExtOp op = k < Ops.Length ? Ops[k] : ExtOp.Mul;
                Float80 left = a;
                if (k == Ops.Length)
                {
                    if ((m.Get32(R(3)) & ExtendedArithmetic.Unhandled) != 0) continue; // the sum itself was not computed
                    left = new Float80(m.Get64(Q(2)), (ushort)m.Get32(R(2)));
                }
                var (expected, flags) = Reference(op, left, b);
                uint status = m.Get32(R(3 + 2 * k));
                string what = $"{backend}: {op} {left}, {b}";
                bool common = (flags & ~(PE | C1)) == 0;
                if ((status & ExtendedArithmetic.Unhandled) != 0) continue;
                Assert.True(common, $"{what}: handled, but the soft-float raises {flags:x}");
                handled[k]++;
                var actual = new Float80(m.Get64(Q(2 + k)), (ushort)m.Get32(R(2 + 2 * k)));
                // The status has PE and C1 at their places in the status word.
                Assert.True(actual.Equals(expected) && status == (flags & (PE | C1)),
                    $"{what}: {actual} status {status}, soft-float {expected} flags {flags:x}");
            }
        }
        // The general path is for the rare cases (and for what only it can do: about one pair
        // in ten spans the whole exponent range, where results overflow or underflow, and
        // about half the square roots are of negative numbers).
        for (int k = 0; k < Ops.Length; k++)
            Assert.True(handled[k] > samples * (Ops[k] == ExtOp.Sqrt ? 60 : 85) / 100, $"{backend}: {Ops[k]} handled {handled[k]} of {samples}");
    }

    [Theory]
    [InlineData(ExtOp.Add, 0x8000_0000_0000_0000ul, 0x3FFF, 0x8000_0000_0000_0000ul, 0xBFFF)] // 1 - 1 = +0
    [InlineData(ExtOp.Add, 0ul, 0x8000, 0ul, 0x8000)]                                          // -0 + -0 = -0
    [InlineData(ExtOp.Mul, 0ul, 0x8000, 0xC000_0000_0000_0000ul, 0x4000)]                      // -0 × 3 = -0
    [InlineData(ExtOp.Div, 0ul, 0x0000, 0xC000_0000_0000_0000ul, 0xC000)]                      // 0 / -3 = -0
    [InlineData(ExtOp.Sqrt, 0ul, 0x8000, 0ul, 0x8000)]                                         // √-0 = -0
    [InlineData(ExtOp.Mul, 0x8000_0000_0000_0000ul, 0x0001, 0x8000_0000_0000_0000ul, 0x3FFE)]  // underflow to a denormal
    [InlineData(ExtOp.Mul, 0xFFFF_FFFF_FFFF_FFFFul, 0x7FFE, 0xFFFF_FFFF_FFFF_FFFFul, 0x3FFF)]  // overflow
    [InlineData(ExtOp.Div, 0x8000_0000_0000_0000ul, 0x3FFF, 0ul, 0x0000)]                      // division by zero
    [InlineData(ExtOp.Sqrt, 0x8000_0000_0000_0000ul, 0xBFFF, 0ul, 0)]                          // √-1
    [InlineData(ExtOp.Add, 0x8000_0000_0000_0000ul, 0x7FFF, 0x8000_0000_0000_0000ul, 0x3FFF)]  // an infinite operand
    public void EdgeCasesAgreeOnEveryBackend(ExtOp op, ulong aSig, uint aSe, ulong bSig, uint bSe)
    {
        var expected = ExtendedArithmetic.Evaluate(op, aSig, aSe, bSig, bSe);
        var reference = Reference(op, new Float80(aSig, (ushort)aSe), new Float80(bSig, (ushort)bSe));
        // The reference semantics handle exactly the cases that raise nothing but PE and C1 here.
        Assert.Equal((reference.Flags & ~(PE | C1)) == 0 && (uint)((reference.Value.SignExp & 0x7FFF) - 1) < 0x7FFE | reference.Value.Sig == 0,
            !expected.Failed);
        IrBuilder ir = BackendRunner.NewBuilder();
        int a = ir.LoadState(Q(0), IrType.I64), ae = ir.LoadState(R(0)), b = ir.LoadState(Q(1), IrType.I64), be = ir.LoadState(R(1));
        Store(ir, op, a, ae, b, be, 0, onlyHandled: true);
        ir.Exit(BlockExit.Jump, 0);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x4100), s =>
        {
            s.Set64(Q(0), aSig);
            s.Set32(R(0), aSe);
            s.Set64(Q(1), bSig);
            s.Set32(R(1), bSe);
        }, out _);
        uint status = m.Get32(R(3));
        Assert.Equal(expected.Status, status);
        if (!expected.Failed)
        {
            Assert.Equal(expected.Sig, m.Get64(Q(2)));
            Assert.Equal(expected.SignExp, m.Get32(R(2)));
        }
    }
}
