using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>
/// Every value opcode on edge values, run on the interpreter, the IL backend and the LLVM backend
/// with exact expected results. Each binary case runs with operands from guest state (IL locals,
/// LLVM allocas that mem2reg promotes), as constants (IL literals, LLVM immediates it folds) and
/// mixed, since the backends emit those differently.
/// </summary>
public sealed class BackendArithmeticTests
{
    private const uint Sentinel = 0xA5A5A5A5;

    /// <summary>mode bit 0: A is a constant; bit 1: B is a constant.</summary>
    public static readonly int[] Modes = [0, 1, 2, 3];

    [Theory]
    // Add / Sub / Mul wrap modulo 2^32.
    [InlineData(Opcode.Add, 0xFFFFFFFFu, 1u, 0u)]
    [InlineData(Opcode.Add, 0x7FFFFFFFu, 1u, 0x80000000u)]
    [InlineData(Opcode.Add, 0x12345678u, 0x9ABCDEF0u, 0xACF13568u)]
    [InlineData(Opcode.Sub, 0u, 1u, 0xFFFFFFFFu)]
    [InlineData(Opcode.Sub, 0x80000000u, 1u, 0x7FFFFFFFu)]
    [InlineData(Opcode.Mul, 0x10000u, 0x10000u, 0u)]
    [InlineData(Opcode.Mul, 0xFFFFFFFFu, 0xFFFFFFFFu, 1u)]
    [InlineData(Opcode.Mul, 3u, 0x55555556u, 2u)]
    [InlineData(Opcode.Mul, 0x12345678u, 0x10u, 0x23456780u)]
    [InlineData(Opcode.And, 0xF0F0F0F0u, 0xFF00FF00u, 0xF000F000u)]
    [InlineData(Opcode.Or, 0xF0F0F0F0u, 0x0F0F0F0Fu, 0xFFFFFFFFu)]
    [InlineData(Opcode.Xor, 0xFFFF0000u, 0xFF00FF00u, 0x00FFFF00u)]
    // Shifts by 0 and by width - 1.
    [InlineData(Opcode.Shl, 0x80000001u, 0u, 0x80000001u)]
    [InlineData(Opcode.Shl, 0x80000001u, 1u, 2u)]
    [InlineData(Opcode.Shl, 1u, 31u, 0x80000000u)]
    [InlineData(Opcode.Shl, 0xFFFFFFFFu, 31u, 0x80000000u)]
    [InlineData(Opcode.Shr, 0x80000000u, 31u, 1u)]
    [InlineData(Opcode.Shr, 0x80000000u, 0u, 0x80000000u)]
    [InlineData(Opcode.Shr, 0xFFFFFFFFu, 4u, 0x0FFFFFFFu)]
    [InlineData(Opcode.Sar, 0x80000000u, 31u, 0xFFFFFFFFu)]
    [InlineData(Opcode.Sar, 0x80000000u, 4u, 0xF8000000u)]
    [InlineData(Opcode.Sar, 0x80000000u, 0u, 0x80000000u)]
    [InlineData(Opcode.Sar, 0x7FFFFFFFu, 31u, 0u)]
    // Division: unsigned, signed with negative operands, MIN / -1 wraps.
    [InlineData(Opcode.UDiv, 0xFFFFFFFFu, 2u, 0x7FFFFFFFu)]
    [InlineData(Opcode.UDiv, 7u, 0xFFFFFFFFu, 0u)]
    [InlineData(Opcode.UDiv, 0xFFFFFFFFu, 0xFFFFFFFFu, 1u)]
    [InlineData(Opcode.URem, 0xFFFFFFFFu, 10u, 5u)]
    [InlineData(Opcode.URem, 7u, 0xFFFFFFFFu, 7u)]
    [InlineData(Opcode.SDiv, 0x80000000u, 0xFFFFFFFFu, 0x80000000u)]
    [InlineData(Opcode.SDiv, 0xFFFFFFF9u, 2u, 0xFFFFFFFDu)]          // -7 / 2 = -3
    [InlineData(Opcode.SDiv, 7u, 0xFFFFFFFEu, 0xFFFFFFFDu)]          // 7 / -2 = -3
    [InlineData(Opcode.SDiv, 0xFFFFFFF9u, 0xFFFFFFFEu, 3u)]          // -7 / -2 = 3
    [InlineData(Opcode.SDiv, 0xFFFFFFF9u, 0xFFFFFFFFu, 7u)]          // -7 / -1 = 7
    [InlineData(Opcode.SDiv, 0u, 0xFFFFFFFFu, 0u)]
    [InlineData(Opcode.SDiv, 100u, 7u, 14u)]
    [InlineData(Opcode.SDiv, 0x80000000u, 1u, 0x80000000u)]
    [InlineData(Opcode.SRem, 0x80000000u, 0xFFFFFFFFu, 0u)]
    [InlineData(Opcode.SRem, 0xFFFFFFF9u, 2u, 0xFFFFFFFFu)]          // -7 % 2 = -1
    [InlineData(Opcode.SRem, 7u, 0xFFFFFFFEu, 1u)]                   // 7 % -2 = 1
    [InlineData(Opcode.SRem, 0xFFFFFFF9u, 0xFFFFFFFEu, 0xFFFFFFFFu)] // -7 % -2 = -1
    [InlineData(Opcode.SRem, 5u, 0xFFFFFFFFu, 0u)]
    [InlineData(Opcode.SRem, 0x80000000u, 3u, 0xFFFFFFFEu)]          // MIN % 3 = -2
    // Comparisons (I32 operands): unsigned vs signed views of the same bits.
    [InlineData(Opcode.Eq, 5u, 5u, 1u)]
    [InlineData(Opcode.Eq, 5u, 6u, 0u)]
    [InlineData(Opcode.Eq, 0xFFFFFFFFu, 0xFFFFFFFFu, 1u)]
    [InlineData(Opcode.Ne, 5u, 5u, 0u)]
    [InlineData(Opcode.Ne, 0u, 0x80000000u, 1u)]
    [InlineData(Opcode.ULt, 1u, 0xFFFFFFFFu, 1u)]
    [InlineData(Opcode.ULt, 0xFFFFFFFFu, 1u, 0u)]
    [InlineData(Opcode.ULt, 3u, 3u, 0u)]
    [InlineData(Opcode.ULe, 3u, 3u, 1u)]
    [InlineData(Opcode.ULe, 0x80000000u, 0x7FFFFFFFu, 0u)]
    [InlineData(Opcode.ULe, 0u, 0u, 1u)]
    [InlineData(Opcode.SLt, 0xFFFFFFFFu, 1u, 1u)]                    // -1 < 1
    [InlineData(Opcode.SLt, 1u, 0xFFFFFFFFu, 0u)]
    [InlineData(Opcode.SLt, 0x80000000u, 0x7FFFFFFFu, 1u)]
    [InlineData(Opcode.SLt, 3u, 3u, 0u)]
    [InlineData(Opcode.SLe, 3u, 3u, 1u)]
    [InlineData(Opcode.SLe, 0x7FFFFFFFu, 0x80000000u, 0u)]
    [InlineData(Opcode.SLe, 0xFFFFFFFFu, 0u, 1u)]
    [InlineData(Opcode.SLe, 0x80000000u, 0x7FFFFFFFu, 1u)]
    public void Binary32(Opcode op, uint a, uint b, uint expected)
    {
        foreach (int mode in Modes)
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            ir.InsnStart(0x1000, 0);
            int ta = (mode & 1) != 0 ? ir.Const(a) : ir.LoadState(R(0));
            int tb = (mode & 2) != 0 ? ir.Const(b) : ir.LoadState(R(1));
            ir.StoreState(R(2), ir.Binary(op, ta, tb));
            ir.Exit(BlockExit.Jump, 1);
            IrBlock block = ir.Finish(0x1000);

            using BackendTestMachine m = BackendRunner.RunAll(block, s =>
            {
                s.Set32(R(0), a);
                s.Set32(R(1), b);
                s.Set32(R(2), Sentinel);
                s.Set32(R(3), Sentinel);
            }, out int exit);
            Assert.Equal(BlockExit.Jump, exit);
            Assert.True(expected == m.Get32(R(2)), $"{op} {a:x8}, {b:x8} (mode {mode}): expected {expected:x8}, got {m.Get32(R(2)):x8}");
            Assert.Equal(Sentinel, m.Get32(R(3)));
            Assert.Equal(1ul, m.Retired);
        }
    }

    [Theory]
    [InlineData(Opcode.Add, ulong.MaxValue, 1ul, 0ul)]
    [InlineData(Opcode.Add, 0xFFFFFFFFul, 1ul, 0x1_0000_0000ul)]
    [InlineData(Opcode.Sub, 0ul, 1ul, ulong.MaxValue)]
    [InlineData(Opcode.Sub, 0x1_0000_0000ul, 1ul, 0xFFFFFFFFul)]
    [InlineData(Opcode.Mul, 0xFFFFFFFFul, 0xFFFFFFFFul, 0xFFFFFFFE_00000001ul)]
    [InlineData(Opcode.Mul, 0x80000000_00000000ul, 2ul, 0ul)]
    [InlineData(Opcode.Mul, ulong.MaxValue, ulong.MaxValue, 1ul)]
    [InlineData(Opcode.And, 0xFFFF0000_0000FFFFul, 0x0FF00000_00000FF0ul, 0x0FF00000_00000FF0ul)]
    [InlineData(Opcode.Or, 0xF0000000_00000000ul, 0x0000000F_00000001ul, 0xF000000F_00000001ul)]
    [InlineData(Opcode.Xor, 0xFFFFFFFF_00000000ul, 0xFFFF0000_FFFF0000ul, 0x0000FFFF_FFFF0000ul)]
    [InlineData(Opcode.Shl, 1ul, 63ul, 0x80000000_00000000ul)]
    [InlineData(Opcode.Shl, 1ul, 32ul, 0x1_0000_0000ul)]
    [InlineData(Opcode.Shl, 0x12345678_9ABCDEF0ul, 0ul, 0x12345678_9ABCDEF0ul)]
    [InlineData(Opcode.Shr, 0x80000000_00000000ul, 63ul, 1ul)]
    [InlineData(Opcode.Shr, 0xFFFFFFFF_00000000ul, 32ul, 0xFFFFFFFFul)]
    [InlineData(Opcode.Shr, 0x80000000_00000000ul, 0ul, 0x80000000_00000000ul)]
    [InlineData(Opcode.Sar, 0x80000000_00000000ul, 63ul, ulong.MaxValue)]
    [InlineData(Opcode.Sar, 0x80000000_00000000ul, 32ul, 0xFFFFFFFF_80000000ul)]
    [InlineData(Opcode.Sar, 0x7FFFFFFF_FFFFFFFFul, 63ul, 0ul)]
    [InlineData(Opcode.UDiv, ulong.MaxValue, 0x1_0000_0000ul, 0xFFFFFFFFul)]
    [InlineData(Opcode.UDiv, 0x80000000_00000000ul, ulong.MaxValue, 0ul)]
    [InlineData(Opcode.URem, ulong.MaxValue, 0x1_0000_0000ul, 0xFFFFFFFFul)]
    [InlineData(Opcode.URem, 0xFFFFFFFFul, 0x1_0000_0000ul, 0xFFFFFFFFul)]
    [InlineData(Opcode.SDiv, 0x80000000_00000000ul, ulong.MaxValue, 0x80000000_00000000ul)] // MIN / -1
    [InlineData(Opcode.SDiv, 0xFFFFFFFF_FFFFFFF9ul, 2ul, 0xFFFFFFFF_FFFFFFFDul)]             // -7 / 2
    [InlineData(Opcode.SDiv, 0xFFFFFF00_00000000ul, 0x100000ul, 0xFFFFFFFF_FFF00000ul)]      // -2^40 / 2^20
    [InlineData(Opcode.SDiv, 0xFFFFFFFF_FFFFFFF9ul, ulong.MaxValue, 7ul)]
    [InlineData(Opcode.SDiv, 0x80000000ul, 0xFFFFFFFF_FFFFFFFEul, 0xFFFFFFFF_C0000000ul)]    // 2^31 / -2
    [InlineData(Opcode.SRem, 0x80000000_00000000ul, ulong.MaxValue, 0ul)]
    [InlineData(Opcode.SRem, 0xFFFFFFFF_FFFFFFF9ul, 2ul, ulong.MaxValue)]                   // -7 % 2 = -1
    [InlineData(Opcode.SRem, 7ul, 0xFFFFFFFF_FFFFFFFEul, 1ul)]
    [InlineData(Opcode.Eq, 0x1_0000_0000ul, 0ul, 0ul)]               // differs only in the high half
    [InlineData(Opcode.Eq, ulong.MaxValue, ulong.MaxValue, 1ul)]
    [InlineData(Opcode.Ne, 0x1_0000_0000ul, 0ul, 1ul)]
    [InlineData(Opcode.Ne, 7ul, 7ul, 0ul)]
    [InlineData(Opcode.ULt, 0xFFFFFFFFul, 0x1_0000_0000ul, 1ul)]
    [InlineData(Opcode.ULt, ulong.MaxValue, 1ul, 0ul)]
    [InlineData(Opcode.ULe, 0x1_0000_0000ul, 0x1_0000_0000ul, 1ul)]
    [InlineData(Opcode.ULe, 0x1_0000_0001ul, 0x1_0000_0000ul, 0ul)]
    [InlineData(Opcode.SLt, ulong.MaxValue, 1ul, 1ul)]               // -1 < 1
    [InlineData(Opcode.SLt, 0x80000000ul, 1ul, 0ul)]                 // positive as I64 (negative as I32)
    [InlineData(Opcode.SLt, 0x80000000_00000000ul, 0x7FFFFFFF_FFFFFFFFul, 1ul)]
    [InlineData(Opcode.SLe, 0x80000000ul, 0x7FFFFFFFul, 0ul)]        // as I32 this is 1
    [InlineData(Opcode.SLe, ulong.MaxValue, ulong.MaxValue, 1ul)]
    public void Binary64(Opcode op, ulong a, ulong b, ulong expected)
    {
        bool shift = op is Opcode.Shl or Opcode.Shr or Opcode.Sar;
        bool compare = IrBuilder.IsComparison(op);
        foreach (int mode in Modes)
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            ir.InsnStart(0x2000, 0);
            int ta = (mode & 1) != 0 ? ir.Const64(a) : ir.LoadState(Q(0), IrType.I64);
            int tb = shift
                ? ((mode & 2) != 0 ? ir.Const((uint)b) : ir.LoadState(R(1)))
                : ((mode & 2) != 0 ? ir.Const64(b) : ir.LoadState(Q(1), IrType.I64));
            ir.StoreState(Q(2), ir.Binary(op, ta, tb));
            ir.Exit(BlockExit.Jump, 1);
            IrBlock block = ir.Finish(0x2000);

            using BackendTestMachine m = BackendRunner.RunAll(block, s =>
            {
                s.Set64(Q(0), a);
                s.Set64(Q(1), b);
                s.Set32(R(1), (uint)b);
                s.Set64(Q(2), 0xA5A5A5A5_A5A5A5A5);
            }, out _);
            ulong actual = compare ? m.Get32(Q(2)) : m.Get64(Q(2));
            Assert.True(expected == actual, $"{op}.i64 {a:x16}, {b:x16} (mode {mode}): expected {expected:x16}, got {actual:x16}");
            if (compare) Assert.Equal(Sentinel, m.Get32(Q(2) + 4)); // an I32 result stores 4 bytes
        }
    }

    [Theory]
    [InlineData(Opcode.Not, 0u, 0xFFFFFFFFu)]
    [InlineData(Opcode.Not, 0x12345678u, 0xEDCBA987u)]
    [InlineData(Opcode.Neg, 1u, 0xFFFFFFFFu)]
    [InlineData(Opcode.Neg, 0x80000000u, 0x80000000u)]
    [InlineData(Opcode.Neg, 0u, 0u)]
    [InlineData(Opcode.Sext8, 0x80u, 0xFFFFFF80u)]
    [InlineData(Opcode.Sext8, 0x7Fu, 0x7Fu)]
    [InlineData(Opcode.Sext8, 0x12345680u, 0xFFFFFF80u)]
    [InlineData(Opcode.Sext8, 0xFFFFFF01u, 1u)]
    [InlineData(Opcode.Sext16, 0x8000u, 0xFFFF8000u)]
    [InlineData(Opcode.Sext16, 0x7FFFu, 0x7FFFu)]
    [InlineData(Opcode.Sext16, 0xABCD1234u, 0x1234u)]
    [InlineData(Opcode.Popcnt, 0u, 0u)]
    [InlineData(Opcode.Popcnt, 0xFFFFFFFFu, 32u)]
    [InlineData(Opcode.Popcnt, 0x80000001u, 2u)]
    [InlineData(Opcode.Popcnt, 0x12345678u, 13u)]
    [InlineData(Opcode.Ctz, 1u, 0u)]
    [InlineData(Opcode.Ctz, 0x80000000u, 31u)]
    [InlineData(Opcode.Ctz, 0x00010000u, 16u)]
    [InlineData(Opcode.Clz, 1u, 31u)]
    [InlineData(Opcode.Clz, 0x80000000u, 0u)]
    [InlineData(Opcode.Clz, 0x0000FFFFu, 16u)]
    [InlineData(Opcode.Bswap, 0x12345678u, 0x78563412u)]
    [InlineData(Opcode.Bswap, 0xFF000080u, 0x800000FFu)]
    public void Unary32(Opcode op, uint a, uint expected)
    {
        foreach (bool constant in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            int ta = constant ? ir.Const(a) : ir.LoadState(R(0));
            ir.StoreState(R(2), ir.Unary(op, ta));
            ir.Exit(BlockExit.Jump, 0);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x3000), s =>
            {
                s.Set32(R(0), a);
                s.Set32(R(3), Sentinel);
            }, out _);
            Assert.True(expected == m.Get32(R(2)), $"{op} {a:x8} (const {constant}): expected {expected:x8}, got {m.Get32(R(2)):x8}");
            Assert.Equal(Sentinel, m.Get32(R(3)));
        }
    }

    [Theory]
    [InlineData(Opcode.Not, 0ul, ulong.MaxValue)]
    [InlineData(Opcode.Not, 0x00000000_FFFFFFFFul, 0xFFFFFFFF_00000000ul)]
    [InlineData(Opcode.Neg, 1ul, ulong.MaxValue)]
    [InlineData(Opcode.Neg, 0x80000000_00000000ul, 0x80000000_00000000ul)]
    [InlineData(Opcode.Neg, 0xFFFFFFFFul, 0xFFFFFFFF_00000001ul)]
    public void Unary64(Opcode op, ulong a, ulong expected)
    {
        foreach (bool constant in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            int ta = constant ? ir.Const64(a) : ir.LoadState(Q(0), IrType.I64);
            ir.StoreState(Q(2), ir.Unary(op, ta));
            ir.Exit(BlockExit.Jump, 0);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x3000), s => s.Set64(Q(0), a), out _);
            Assert.Equal(expected, m.Get64(Q(2)));
        }
    }

    [Theory]
    [InlineData(0x80000000u, 0x0000000080000000ul, 0xFFFFFFFF80000000ul)]
    [InlineData(0x7FFFFFFFu, 0x000000007FFFFFFFul, 0x000000007FFFFFFFul)]
    [InlineData(0xFFFFFFFFu, 0x00000000FFFFFFFFul, 0xFFFFFFFFFFFFFFFFul)]
    [InlineData(0u, 0ul, 0ul)]
    public void ZextSextTo64(uint a, ulong zext, ulong sext)
    {
        foreach (bool constant in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            int ta = constant ? ir.Const(a) : ir.LoadState(R(0));
            ir.StoreState(Q(1), ir.Unary(Opcode.ZextTo64, ta));
            ir.StoreState(Q(2), ir.Unary(Opcode.SextTo64, ta));
            ir.Exit(BlockExit.Jump, 0);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x3000), s =>
            {
                s.Set32(R(0), a);
                s.Set64(Q(1), ulong.MaxValue);
            }, out _);
            Assert.Equal(zext, m.Get64(Q(1)));
            Assert.Equal(sext, m.Get64(Q(2)));
        }
    }

    [Theory]
    [InlineData(0x12345678_9ABCDEF0ul, 0x9ABCDEF0u)]
    [InlineData(0xFFFFFFFF_00000000ul, 0u)]
    [InlineData(0x00000000_FFFFFFFFul, 0xFFFFFFFFu)]
    public void Trunc(ulong a, uint expected)
    {
        foreach (bool constant in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            int ta = constant ? ir.Const64(a) : ir.LoadState(Q(0), IrType.I64);
            int t = ir.Unary(Opcode.Trunc, ta);
            ir.StoreState(R(2), t);
            // The truncated value must behave as a 32-bit value afterwards (no stray high half).
            ir.StoreState(Q(3), ir.Unary(Opcode.ZextTo64, ir.Add(t, ir.Const(1))));
            ir.Exit(BlockExit.Jump, 0);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x3000), s => s.Set64(Q(0), a), out _);
            Assert.Equal(expected, m.Get32(R(2)));
            Assert.Equal((ulong)(uint)(expected + 1), m.Get64(Q(3)));
        }
    }

    [Theory]
    [InlineData(0u, 0x2222u)]
    [InlineData(1u, 0x1111u)]
    [InlineData(0x80000000u, 0x1111u)]
    [InlineData(0xFFFFFFFFu, 0x1111u)]
    public void Select(uint cond, uint expected32)
    {
        ulong expected64 = expected32 == 0x1111 ? 0x11111111_00000001ul : 0x22222222_00000002ul;
        foreach (bool constant in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            int c = constant ? ir.Const(cond) : ir.LoadState(R(0));
            ir.StoreState(R(1), ir.Select(c, ir.Const(0x1111), ir.LoadState(R(2))));
            ir.StoreState(Q(1), ir.Select(c, ir.LoadState(Q(2), IrType.I64), ir.Const64(0x22222222_00000002)));
            ir.Exit(BlockExit.Jump, 0);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x3000), s =>
            {
                s.Set32(R(0), cond);
                s.Set32(R(2), 0x2222);
                s.Set64(Q(2), 0x11111111_00000001);
            }, out _);
            Assert.Equal(expected32, m.Get32(R(1)));
            Assert.Equal(expected64, m.Get64(Q(1)));
        }
    }

    [Fact]
    public void LoadStateAndStoreStateUseTheRightWidth()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        int a = ir.LoadState(R(0));
        int q = ir.LoadState(Q(0), IrType.I64);
        ir.StoreState(R(5), a);
        ir.StoreState(Q(5), q);
        ir.StoreState(R(10), ir.Const(0xCAFEBABE));
        ir.StoreState(Q(10), ir.Const64(0x01234567_89ABCDEF));
        ir.Exit(BlockExit.Jump, 0);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x3000), s =>
        {
            s.Set64(R(0), 0x77777777_12345678); // R(0) and R(1)
            s.Set64(Q(0), 0xFEDCBA98_76543210);
            s.Set32(R(6), Sentinel);
            s.Set32(R(11), Sentinel);
        }, out _);
        Assert.Equal(0x12345678u, m.Get32(R(5)));
        Assert.Equal(Sentinel, m.Get32(R(6)));
        Assert.Equal(0xFEDCBA98_76543210ul, m.Get64(Q(5)));
        Assert.Equal(0xCAFEBABEu, m.Get32(R(10)));
        Assert.Equal(Sentinel, m.Get32(R(11)));
        Assert.Equal(0x01234567_89ABCDEFul, m.Get64(Q(10)));
    }
}
