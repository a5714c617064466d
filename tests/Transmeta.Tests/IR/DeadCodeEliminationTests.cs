using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

public class DeadCodeEliminationTests
{
    private static string Dce(IrBuilder b)
    {
        IrBlock block = b.Finish(0x1000);
        DeadCodeElimination.Run(block);
        IrVerifier.Verify(block);
        return Ops(block);
    }

    [Fact]
    public void UnusedValuesAreRemovedTransitively()
    {
        var b = Builder();
        int x = b.LoadState(16);                   // t0
        int y = b.LoadState(20);                   // t1 unused at the end
        int s = b.Add(x, y);                       // t2 unused
        b.Mul(s, b.Const(3));                      // t3 t4 unused
        b.StoreState(24, b.Sub(x, b.Const(1)));    // t5 t6
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t5 = const.i32 0x1
            t6 = sub.i32 t0, t5
            st.i32 state+24, t6
            exit 0 (retired +1)
            """), Dce(b));
    }

    [Fact]
    public void SideEffectsStayAndPureHelpersGo()
    {
        var b = Builder();
        int x = b.LoadState(16);                   // t0
        b.Load(4, x);                              // t1: may fault, stays
        b.CallHelper(HPure, x);                    // t2: removed
        b.CallHelper(HPlain, x);                   // t3: not pure, stays
        b.CallHelper(HFault, x);                   // t4: stays
        b.InsnStart(0x1002, 1);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = load.4 [t0]
            t3 = call plain(t0, _, _, _)
            t4 = call check(t0, _, _, _)
            -- 00001002 (#1)
            exit 0 (retired +1)
            """), Dce(b));
    }

    [Fact]
    public void UnreachableCodeAndUnusedLabelsAreRemoved()
    {
        var b = Builder();
        int target = b.NewLabel(), unused = b.NewLabel(), dead = b.NewLabel();
        int x = b.LoadState(16);                   // t0
        b.BranchIf(x, target);
        b.StoreState(20, x);
        b.Jump(target);
        b.StoreState(24, x);                       // unreachable
        b.Exit(1, 1);                              // unreachable
        b.MarkLabel(dead);                         // only an unreachable jump goes here
        b.StoreState(28, x);
        b.MarkLabel(unused);                       // nothing jumps here
        b.MarkLabel(target);
        b.Exit(0, 1);
        // Everything between the jump and L0 is unreachable (L1 and L2 too: no reachable jump
        // names them); then the jump lands right before its label and goes as well.
        IrBlock block = b.Finish(0x1000);
        var stats = new PassStatistics();
        Assert.True(DeadCodeElimination.Run(block, stats));
        IrVerifier.Verify(block);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            if t0 jump L0
            st.i32 state+20, t0
            L0:
            exit 0 (retired +1)
            """), Ops(block));
        Assert.Equal(5, stats.UnreachableRemoved);   // st+24, exit, L2, st+28, L1
        Assert.Equal(1, stats.ControlRemoved);       // jump L0 (to the next label)
    }

    [Fact]
    public void ALoopStaysAndAJumpOverDeadCodeGoes()
    {
        var b = Builder();
        int top = b.NewLabel(), skip = b.NewLabel();
        b.MarkLabel(top);
        int i = b.LoadState(16);                   // t0
        int n = b.Add(i, b.Const(1));              // t1 t2
        b.StoreState(16, n);
        b.BranchIf(b.ULt(n, b.Const(10)), top);    // t3 t4
        b.Jump(skip);
        b.StoreState(20, n);
        b.MarkLabel(skip);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            L0:
            t0 = ld.i32 state+16
            t1 = const.i32 0x1
            t2 = add.i32 t0, t1
            st.i32 state+16, t2
            t3 = const.i32 0xa
            t4 = ult.i32 t2, t3
            if t4 jump L0
            exit 0 (retired +1)
            """), Dce(b));
    }

    [Fact]
    public void AValueUsedAfterALabelIsKeptEvenInUnreachableCode()
    {
        // Not something a frontend should produce (t1 is undefined on the path through L0),
        // but the pass must not turn it into a block that fails verification.
        var b = Builder();
        int l = b.NewLabel();
        int x = b.LoadState(16);                   // t0
        b.Jump(l);
        int y = b.Add(x, x);                       // t1: unreachable, still named below
        b.StoreState(24, x);                       // unreachable, removed
        b.MarkLabel(l);
        b.StoreState(20, y);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            jump L0
            t1 = add.i32 t0, t0
            L0:
            st.i32 state+20, t1
            exit 0 (retired +1)
            """), Dce(b));
    }

    [Fact]
    public void TheBlockKeepsEndingWithATerminator()
    {
        var b = Builder();
        int l = b.NewLabel();
        b.Exit(0, 0);
        b.MarkLabel(l);
        b.Jump(l);
        IrBlock block = b.Finish(0x1000);
        DeadCodeElimination.Run(block);
        IrVerifier.Verify(block);
        Assert.Equal("exit 0 (retired +0)", Ops(block));
    }
}
