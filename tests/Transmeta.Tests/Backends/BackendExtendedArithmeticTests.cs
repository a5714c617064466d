using Transmeta.Frontend.Fpu;
using Transmeta.IR;
using Transmeta.Tests.Support;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>
/// <see cref="Opcode.ExtArith"/>, <see cref="Opcode.ExtRaise"/> and
/// <see cref="Opcode.ExtSetRoundedUp"/> on every backend against the general soft-float
/// (<see cref="SoftFloat"/> under the control word 037F, bit-exact with the hardware by the
/// differential tester), for operands of every class: normal numbers, zeros, denormals,
/// pseudo-denormals, unnormals, infinities, quiet and signaling NaNs, and exponents across the
/// whole range (overflows and underflows). The interpreter and IL compute them with
/// <see cref="ExtendedOperation"/>; LLVM on the host's x87, with the flags from the host's
/// sticky flags and the rounding direction derived afterwards. Each must give the soft-float's
/// value, exception flags and C1, bit for bit.
/// </summary>
public sealed unsafe class BackendExtendedArithmeticTests
{
    private const uint C1 = FpuBits.C1;
    /// <summary>What the C1 field holds before: every bit but C1 must survive ExtSetRoundedUp.</summary>
    private const uint C1FieldBefore = 0x5A5A_A5A5;

    /// <summary>One unit per operation: operands Q(0):R(0) and Q(1):R(1); the value parts in
    /// Q(2):R(2), the flags raised into R(3), the rounding direction into R(4). The Add unit
    /// also feeds the sum into a product by b (Q(3):R(5)), which LLVM takes as the host value it
    /// computed: its flags add to R(3), and its C1 replaces the sum's in R(4).</summary>
    private static IrBlock Unit(ExtOp op)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x4000, 0);
        // Stored by the block, the C1 field is one LLVM keeps in a register, with the rounding
        // direction computed only where the field is written back (as the status word).
        ir.StoreState(R(4), ir.LoadState(R(4)));
        int aSig = ir.LoadState(Q(0), IrType.I64), aSe = ir.LoadState(R(0));
        bool unary = op is ExtOp.Sqrt or ExtOp.FromDouble or ExtOp.FromSingle or ExtOp.ToDouble or ExtOp.ToSingle;
        int bSig = unary ? aSig : ir.LoadState(Q(1), IrType.I64), bSe = unary ? aSe : ir.LoadState(R(1));
        int sig = ir.ExtArith(op, ExtPart.Significand, aSig, aSe, bSig, bSe);
        int se = ir.ExtArith(op, ExtPart.SignExp, aSig, aSe, bSig, bSe);
        ir.ExtRaise(op, R(3), aSig, aSe, bSig, bSe);
        ir.StoreState(Q(2), sig);
        ir.StoreState(R(2), se);
        ir.ExtSetRoundedUp(op, R(4), aSig, aSe, bSig, bSe);
        if (op == ExtOp.Add)
        {
            int seLow = ir.And(se, ir.Const(0xFFFF));
            int pSig = ir.ExtArith(ExtOp.Mul, ExtPart.Significand, sig, seLow, bSig, bSe);
            int pSe = ir.ExtArith(ExtOp.Mul, ExtPart.SignExp, sig, seLow, bSig, bSe);
            ir.ExtRaise(ExtOp.Mul, R(3), sig, seLow, bSig, bSe);
            ir.StoreState(Q(3), pSig);
            ir.StoreState(R(5), pSe);
            ir.ExtSetRoundedUp(ExtOp.Mul, R(4), sig, seLow, bSig, bSe);
        }
        ir.Exit(BlockExit.Jump, 1);
        return ir.Finish(0x4000);
    }

    /// <summary>The soft-float's result (a binary64/binary32 result in Sig, SignExp 0) and flags
    /// (exceptions and C1).</summary>
    private static (ulong Sig, uint SignExp, uint Flags) Reference(ExtOp op, ulong aSig, uint aSe, ulong bSig, uint bSe)
    {
        var env = FpEnv.FromControlWord(FpuState.DefaultControlWord);
        Float80 a = new(aSig, (ushort)aSe), b = new(bSig, (ushort)bSe);
        Float80 r;
        switch (op)
        {
            case ExtOp.Add: r = SoftFloat.Add(ref env, a, b); break;
            case ExtOp.Sub: r = SoftFloat.Sub(ref env, a, b); break;
            case ExtOp.Mul: r = SoftFloat.Mul(ref env, a, b); break;
            case ExtOp.Div: r = SoftFloat.Div(ref env, a, b); break;
            case ExtOp.Sqrt: r = SoftFloat.Sqrt(ref env, a); break;
            case ExtOp.FromDouble: r = SoftFloat.FromFloat64(ref env, aSig); break;
            case ExtOp.FromSingle: r = SoftFloat.FromFloat32(ref env, (uint)aSig); break;
            case ExtOp.ToDouble: return (SoftFloat.ToFloat64(ref env, a), 0, env.Flags);
            default: return (SoftFloat.ToFloat32(ref env, a), 0, env.Flags);
        }
        return (r.Sig, r.SignExp, env.Flags);
    }

    public static TheoryData<string, ExtOp> BackendsAndOperations()
    {
        var data = new TheoryData<string, ExtOp>();
        foreach (string backend in new[] { "interp", "il", "llvm" })
            foreach (ExtOp op in Enum.GetValues<ExtOp>())
                data.Add(backend, op);
        return data;
    }

    [Theory]
    [MemberData(nameof(BackendsAndOperations))]
    public void MatchesSoftFloat(string backend, ExtOp op)
    {
        IBlockCompiler compiler = backend switch
        {
            "interp" => BackendRunner.Interpreter,
            "il" => BackendRunner.Il,
            _ => BackendRunner.Llvm,
        };
        IrBlock unit = Unit(op);
        IrVerifier.Verify(unit);
        CompiledBlock code = compiler.Compile(unit);
        using var m = new BackendTestMachine();
        var rng = new Random(20261127 + (int)op);
        var seenFlags = 0u;
        for (int i = 0; i < 12_000; i++)
        {
            (ulong aSig, uint aSe, ulong bSig, uint bSe) = Operands(rng, op, i);
            m.Set64(Q(0), aSig);
            m.Set32(R(0), aSe);
            m.Set64(Q(1), bSig);
            m.Set32(R(1), bSe);
            m.Set32(R(3), 0);
            m.Set32(R(4), C1FieldBefore);
            Assert.Equal(BlockExit.Jump, code.Execute(m.Ctx));

            var expected = Reference(op, aSig, aSe, bSig, bSe);
            uint flags = expected.Flags;
            string what = $"{backend}: {op} {new Float80(aSig, (ushort)aSe)}, {new Float80(bSig, (ushort)bSe)} (#{i})";
            Assert.True(expected.Sig == m.Get64(Q(2)) && expected.SignExp == m.Get32(R(2)),
                $"{what}: {m.Get64(Q(2)):x16}:{m.Get32(R(2)):x4}, soft-float {expected.Sig:x16}:{expected.SignExp:x4}");
            if (op == ExtOp.Add)
            {
                var product = Reference(ExtOp.Mul, expected.Sig, expected.SignExp, bSig, bSe);
                Assert.True(product.Sig == m.Get64(Q(3)) && product.SignExp == m.Get32(R(5)), $"{what}: then × b");
                flags = (flags & FpuBits.Exceptions) | product.Flags;
            }
            Assert.True((flags & FpuBits.Exceptions) == m.Get32(R(3)), $"{what}: flags {m.Get32(R(3)):x}, soft-float {flags:x}");
            Assert.True(((C1FieldBefore & ~C1) | (flags & C1)) == m.Get32(R(4)),
                $"{what}: C1 field {m.Get32(R(4)):x8}, soft-float flags {flags:x}");
            seenFlags |= flags;
        }
        // The operands reach every exception the operation can raise, and both directions.
        uint reachable = op switch
        {
            ExtOp.FromDouble or ExtOp.FromSingle => FpuBits.IE | FpuBits.DE,
            ExtOp.Sqrt => FpuBits.IE | FpuBits.DE | FpuBits.PE | C1,
            ExtOp.ToDouble or ExtOp.ToSingle => FpuBits.IE | FpuBits.OE | FpuBits.UE | FpuBits.PE | C1,
            ExtOp.Div => FpuBits.Exceptions | C1,
            ExtOp.Sub => FpuBits.IE | FpuBits.DE | FpuBits.PE | C1, // overflow and underflow: Add's path, rarely reached here
            _ => FpuBits.IE | FpuBits.DE | FpuBits.OE | FpuBits.UE | FpuBits.PE | C1,
        };
        Assert.True((seenFlags & reachable) == reachable, $"{backend} {op}: operands raised only {seenFlags:x}");
    }

    /// <summary>Operands for <paramref name="op"/>: binary64/binary32 bit patterns of every class
    /// for the loads; extended values of every class otherwise, with exponents near the
    /// binary64/binary32 range ends for the stores, and (every tenth) across the whole range.</summary>
    private static (ulong, uint, ulong, uint) Operands(Random rng, ExtOp op, int i)
    {
        if (op is ExtOp.FromDouble or ExtOp.FromSingle)
        {
            bool isDouble = op == ExtOp.FromDouble;
            ulong bits = (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63);
            if (!isDouble) bits = (uint)bits;
            ulong expMask = isDouble ? 0x7FF0_0000_0000_0000UL : 0x7F80_0000;
            switch (i % 8)
            {
                case 0: bits &= ~expMask; break;                      // zeros and denormals
                case 1: bits |= expMask; break;                       // infinities and NaNs
                case 2: bits &= isDouble ? 0xFFF0_0000_0000_0000UL : 0xFF80_0000; break; // zeros
            }
            return (bits, 0, bits, 0);
        }
        Float80 center = new(Float80.IntegerBit, 0x3FFF);
        int centerExp = op switch { ExtOp.ToDouble => 0x3FFF + 1023 * (rng.Next(2) * 2 - 1), ExtOp.ToSingle => 0x3FFF + 127 * (rng.Next(2) * 2 - 1), _ => 0x3FFF };
        int spread = i % 10 == 0 ? 16000 : op is ExtOp.ToDouble or ExtOp.ToSingle ? 60 : 40;
        Float80 a = RandomExtended.AnyOperand(rng, center, centerExp, spread);
        Float80 b = RandomExtended.AnyOperand(rng, a, centerExp, spread);
        if (op == ExtOp.Sqrt && i % 3 != 0) a = a.Abs();
        return (a.Sig, a.SignExp, b.Sig, b.SignExp);
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
    [InlineData(ExtOp.Sqrt, 0x8000_0000_0000_0000ul, 0xBFFF, 0ul, 0)]                          // √-1: the default NaN
    [InlineData(ExtOp.Add, 0x8000_0000_0000_0000ul, 0x7FFF, 0x8000_0000_0000_0000ul, 0xFFFF)]  // ∞ - ∞
    [InlineData(ExtOp.Add, 0x8000_0000_0000_0001ul, 0x7FFF, 0xC000_0000_0000_0002ul, 0x7FFF)]  // SNaN + QNaN
    [InlineData(ExtOp.Mul, 0x4000_0000_0000_0000ul, 0x3FFF, 0x8000_0000_0000_0000ul, 0x3FFF)]  // an unnormal
    [InlineData(ExtOp.Add, 0x8000_0000_0000_0000ul, 0x0000, 0x8000_0000_0000_0000ul, 0x3FFF)]  // a pseudo-denormal
    [InlineData(ExtOp.FromDouble, 0x7FF0_0000_0000_0001ul, 0, 0x7FF0_0000_0000_0001ul, 0)]      // a signaling NaN, quieted
    [InlineData(ExtOp.ToDouble, 0xFFFF_FFFF_FFFF_FFFFul, 0x43FE, 0ul, 0)]                      // rounds up to ∞ in binary64
    [InlineData(ExtOp.ToSingle, 0x8000_0000_0000_0001ul, 0x3F6A, 0ul, 0)]                      // a binary32 denormal, inexact
    [InlineData(ExtOp.ToSingle, 0xFFFF_FFFF_8000_0000ul, 0x3F80, 0ul, 0)]                      // rounds up to the smallest normal: no underflow
    public void EdgeCasesAgreeOnEveryBackend(ExtOp op, ulong aSig, uint aSe, ulong bSig, uint bSe)
    {
        var expected = Reference(op, aSig, aSe, bSig, bSe);
        using BackendTestMachine m = BackendRunner.RunAll(Unit(op), s =>
        {
            s.Set64(Q(0), aSig);
            s.Set32(R(0), aSe);
            s.Set64(Q(1), bSig);
            s.Set32(R(1), bSe);
            s.Set32(R(4), C1FieldBefore);
        }, out _);
        Assert.Equal(expected.Sig, m.Get64(Q(2)));
        Assert.Equal(expected.SignExp, m.Get32(R(2)));
        if (op != ExtOp.Add)
        {
            Assert.Equal(expected.Flags & FpuBits.Exceptions, m.Get32(R(3)));
            Assert.Equal((C1FieldBefore & ~C1) | (expected.Flags & C1), m.Get32(R(4)));
        }
    }
}
