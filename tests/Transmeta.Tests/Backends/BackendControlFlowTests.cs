using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>Labels, jumps, conditional branches (fused with their comparison or not), loops
/// with back edges, exit codes and retired-instruction counts.</summary>
public sealed class BackendControlFlowTests
{
    /// <summary>sum = 0; do { sum += i; i--; } while (i != 0); loop-carried values live in state.</summary>
    private static IrBlock CountdownLoop(bool fuseCompare)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        int loop = ir.NewLabel();
        ir.InsnStart(0x4000, 0);
        ir.MarkLabel(loop);
        ir.InsnStart(0x4002, 1);
        int i = ir.LoadState(R(0));
        int s = ir.LoadState(R(1));
        ir.StoreState(R(1), ir.Add(s, i));
        int next = ir.Sub(i, ir.Const(1));
        ir.StoreState(R(0), next);
        int more = ir.Ne(next, ir.Const(0));
        if (!fuseCompare) ir.StoreState(R(2), more); // a second use keeps the flag materialized
        ir.BranchIf(more, loop);
        ir.InsnStart(0x4006, 2);
        ir.Exit(BlockExit.Jump, 3);
        return ir.Finish(0x4000);
    }

    [Theory]
    [InlineData(true, 100u, 5050u)]
    [InlineData(false, 100u, 5050u)]
    [InlineData(true, 100000u, 705082704u)]   // 5000050000 mod 2^32
    [InlineData(false, 1u, 1u)]
    public void LoopWithBackEdge(bool fuse, uint n, uint expectedSum)
    {
        using BackendTestMachine m = BackendRunner.RunAll(CountdownLoop(fuse), s =>
        {
            s.Set32(R(0), n);
            s.Set64(RetiredOffset, 1000);
        }, out int exit);
        Assert.Equal(BlockExit.Jump, exit);
        Assert.Equal(expectedSum, m.Get32(R(1)));
        Assert.Equal(0u, m.Get32(R(0)));
        Assert.Equal(1003ul, m.Retired); // Exit's Aux only: the IR counts retired instructions itself
    }

    [Theory]
    [InlineData(Opcode.Eq, 5u, 5u, true)]
    [InlineData(Opcode.Eq, 5u, 6u, false)]
    [InlineData(Opcode.Ne, 5u, 6u, true)]
    [InlineData(Opcode.Ne, 0u, 0u, false)]
    [InlineData(Opcode.ULt, 1u, 0x80000000u, true)]
    [InlineData(Opcode.ULt, 0x80000000u, 1u, false)]
    [InlineData(Opcode.ULe, 7u, 7u, true)]
    [InlineData(Opcode.ULe, 0xFFFFFFFFu, 7u, false)]
    [InlineData(Opcode.SLt, 0x80000000u, 1u, true)]
    [InlineData(Opcode.SLt, 1u, 0x80000000u, false)]
    [InlineData(Opcode.SLe, 0xFFFFFFFFu, 0xFFFFFFFFu, true)]
    [InlineData(Opcode.SLe, 0u, 0xFFFFFFFFu, false)]
    public void BranchOnEachComparison(Opcode op, uint a, uint b, bool taken)
    {
        foreach (bool fuse in new[] { true, false })
            foreach (bool wide in new[] { false, true })
            {
                IrBuilder ir = BackendRunner.NewBuilder();
                int target = ir.NewLabel();
                int ta = wide ? ir.Unary(Opcode.SextTo64, ir.LoadState(R(0))) : ir.LoadState(R(0));
                int tb = wide ? ir.Unary(Opcode.SextTo64, ir.LoadState(R(1))) : ir.LoadState(R(1));
                int cond = ir.Binary(op, ta, tb);
                if (!fuse) ir.StoreState(R(3), cond);
                ir.BranchIf(cond, target);
                ir.StoreState(R(2), ir.Const(0xF));
                ir.Exit(BlockExit.Jump, 1);
                ir.MarkLabel(target);
                ir.StoreState(R(2), ir.Const(0x7));
                ir.Exit(BlockExit.Hypercall, 2);
                using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x5000), s =>
                {
                    s.Set32(R(0), a);
                    s.Set32(R(1), b);
                }, out int exit);
                // Sign-extended to 64 bits the signed and unsigned orders of these values agree
                // with their 32-bit ones, so the expectation is the same for both widths.
                Assert.Equal(taken ? BlockExit.Hypercall : BlockExit.Jump, exit);
                Assert.Equal(taken ? 7u : 0xFu, m.Get32(R(2)));
                Assert.Equal(taken ? 2ul : 1ul, m.Retired);
                if (!fuse) Assert.Equal(taken ? 1u : 0u, m.Get32(R(3)));
            }
    }

    [Theory]
    [InlineData(0u, 0x20u, BlockExit.Jump, 4ul)]
    [InlineData(1u, 0x10u, BlockExit.Interrupted, 7ul)]
    public void DiamondWithForwardJumps(uint cond, uint expected, int expectedExit, ulong expectedRetired)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        int then = ir.NewLabel(), join = ir.NewLabel(), other = ir.NewLabel();
        ir.InsnStart(0x6000, 0);
        int c = ir.LoadState(R(0));
        ir.BranchIf(c, then);
        ir.StoreState(R(1), ir.Const(0x20));
        ir.Jump(join);
        ir.MarkLabel(then);
        ir.StoreState(R(1), ir.Const(0x10));
        ir.Jump(other);
        ir.MarkLabel(join);
        ir.Exit(BlockExit.Jump, 4);
        ir.MarkLabel(other);
        ir.Exit(BlockExit.Interrupted, 7);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x6000), s => s.Set32(R(0), cond), out int exit);
        Assert.Equal(expectedExit, exit);
        Assert.Equal(expected, m.Get32(R(1)));
        Assert.Equal(expectedRetired, m.Retired);
    }

    [Fact]
    public void NestedLoopsAndExitCodes()
    {
        // for (i = 0; i < 10; i++) for (j = 0; j < i; j++) acc += i * j;  acc = 870
        IrBuilder ir = BackendRunner.NewBuilder();
        int outer = ir.NewLabel(), inner = ir.NewLabel(), innerDone = ir.NewLabel(), done = ir.NewLabel();
        ir.InsnStart(0x7000, 0);
        ir.StoreState(R(0), ir.Const(0));
        ir.MarkLabel(outer);
        ir.StoreState(R(1), ir.Const(0));
        ir.MarkLabel(inner);
        int j = ir.LoadState(R(1));
        int i = ir.LoadState(R(0));
        ir.BranchIf(ir.Binary(Opcode.ULe, i, j), innerDone);
        ir.StoreState(R(2), ir.Add(ir.LoadState(R(2)), ir.Mul(i, j)));
        ir.StoreState(R(1), ir.Add(j, ir.Const(1)));
        ir.Jump(inner);
        ir.MarkLabel(innerDone);
        int i2 = ir.Add(ir.LoadState(R(0)), ir.Const(1));
        ir.StoreState(R(0), i2);
        ir.BranchIf(ir.Eq(i2, ir.Const(10)), done);
        ir.Jump(outer);
        ir.MarkLabel(done);
        ir.Exit(42, 9);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x7000), null, out int exit);
        Assert.Equal(42, exit);
        Assert.Equal(870u, m.Get32(R(2)));
        Assert.Equal(10u, m.Get32(R(0)));
        Assert.Equal(9ul, m.Retired);
    }

    [Fact]
    public void ValuesLiveAcrossALoop()
    {
        // t = state R0 * 3 before the loop, used on every iteration and after it.
        IrBuilder ir = BackendRunner.NewBuilder();
        int loop = ir.NewLabel();
        int t = ir.Mul(ir.LoadState(R(0)), ir.Const(3));
        ir.MarkLabel(loop);
        int acc = ir.Add(ir.LoadState(R(1)), t);
        ir.StoreState(R(1), acc);
        int n = ir.Sub(ir.LoadState(R(2)), ir.Const(1));
        ir.StoreState(R(2), n);
        ir.BranchIf(ir.Ne(n, ir.Const(0)), loop);
        ir.StoreState(R(3), ir.Xor(t, acc));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x7100), s =>
        {
            s.Set32(R(0), 5);
            s.Set32(R(2), 4);
        }, out _);
        Assert.Equal(60u, m.Get32(R(1)));
        Assert.Equal(15u ^ 60u, m.Get32(R(3)));
    }
}
