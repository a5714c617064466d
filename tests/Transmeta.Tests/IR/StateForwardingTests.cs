using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

public class StateForwardingTests
{
    private static string Forward(IrBuilder b)
    {
        IrBlock block = b.Finish(0x1000);
        StateForwarding.Run(block);
        IrVerifier.Verify(block);
        return Ops(block);
    }

    [Fact]
    public void LoadAfterStoreAndLoadAfterLoadAreForwarded()
    {
        var b = Builder();
        int x = b.LoadState(16);             // t0
        int y = b.LoadState(16);             // t1 → t0
        b.StoreState(20, b.Add(x, y));       // t2 = add t0, t0
        int z = b.LoadState(20);             // t3 → t2
        b.StoreState(24, z);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t2 = add.i32 t0, t0
            st.i32 state+20, t2
            st.i32 state+24, t2
            exit 0 (retired +1)
            """), Forward(b));
    }

    [Fact]
    public void I64SlotsAreForwardedAndOverlappingStoresOfAnotherWidthKillThem()
    {
        var b = Builder();
        int w = b.LoadState(40, IrType.I64);     // t0
        b.StoreState(48, w);
        int w2 = b.LoadState(48, IrType.I64);    // t1 → t0
        b.StoreState(56, w2);
        b.StoreState(52, b.Const(7));            // t2: i32 into the high half of the slot at 48
        int w3 = b.LoadState(48, IrType.I64);    // t3 stays
        int lo = b.LoadState(40);                // t4 stays: same offset, other type
        int hi = b.LoadState(44);                // t5 stays
        b.StoreState(64, w3);
        b.StoreState(72, b.Add(lo, hi));         // t6
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i64 state+40
            st.i64 state+48, t0
            st.i64 state+56, t0
            t2 = const.i32 0x7
            st.i32 state+52, t2
            t3 = ld.i64 state+48
            t4 = ld.i32 state+40
            t5 = ld.i32 state+44
            st.i64 state+64, t3
            t6 = add.i32 t4, t5
            st.i32 state+72, t6
            exit 0 (retired +1)
            """), Forward(b));
    }

    [Fact]
    public void ANarrowStoreInsideAWideSlotKillsItButNotItsNeighbours()
    {
        var b = Builder();
        b.StoreState(16, b.Const(1));            // t0
        b.StoreState(20, b.Const(2));            // t1
        b.StoreState(24, b.Const64(3));          // t2 (bytes 24..31)
        b.StoreState(28, b.Const(4));            // t3 kills the i64 slot at 24 only
        int a = b.LoadState(16), c = b.LoadState(20), d = b.LoadState(24, IrType.I64), e = b.LoadState(28); // t4..t7
        b.StoreState(32, a);
        b.StoreState(36, c);
        b.StoreState(40, d);
        b.StoreState(48, e);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i32 0x1
            st.i32 state+16, t0
            t1 = const.i32 0x2
            st.i32 state+20, t1
            t2 = const.i64 0x3
            st.i64 state+24, t2
            t3 = const.i32 0x4
            st.i32 state+28, t3
            t6 = ld.i64 state+24
            st.i32 state+32, t0
            st.i32 state+36, t1
            st.i64 state+40, t6
            st.i32 state+48, t3
            exit 0 (retired +1)
            """), Forward(b));
    }

    [Fact]
    public void ForwardingDoesNotCrossALabel()
    {
        // A loop: the load at the top of the body must not take the value stored before the loop,
        // because the back edge brings another one.
        var b = Builder();
        int top = b.NewLabel();
        b.StoreState(16, b.Const(0));            // t0
        b.MarkLabel(top);
        int i = b.LoadState(16);                 // t1 stays
        int next = b.Add(i, b.Const(1));         // t2 t3
        b.StoreState(16, next);
        int again = b.LoadState(16);             // t4 → t3
        b.BranchIf(b.ULt(again, b.Const(10)), top); // t5 t6
        int after = b.LoadState(16);             // t7 → t3 (fall-through keeps the knowledge)
        b.StoreState(20, after);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = const.i32 0x0
            st.i32 state+16, t0
            L0:
            t1 = ld.i32 state+16
            t2 = const.i32 0x1
            t3 = add.i32 t1, t2
            st.i32 state+16, t3
            t5 = const.i32 0xa
            t6 = ult.i32 t3, t5
            if t6 jump L0
            st.i32 state+20, t3
            exit 0 (retired +1)
            """), Forward(b));
    }

    [Fact]
    public void HelpersThatTouchStateForgetButMemoryAccessesAndFaultingHelpersDoNot()
    {
        var b = Builder();
        int x = b.LoadState(16);                   // t0
        int m = b.Load(4, x);                      // t1
        b.Store(4, x, m);
        b.CallHelper(HFault, m);                   // t2
        b.CallHelper(HPlain, m);                   // t3
        int y = b.LoadState(16);                   // t4 → t0
        b.CallHelper(HTouch, y);                   // t5
        int z = b.LoadState(16);                   // t6 stays
        b.StoreState(20, b.Add(y, z));             // t7
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = load.4 [t0]
            store.4 [t0], t1
            t2 = call check(t1, _, _, _)
            t3 = call plain(t1, _, _, _)
            t5 = call touch(t0, _, _, _)
            t6 = ld.i32 state+16
            t7 = add.i32 t0, t6
            st.i32 state+20, t7
            exit 0 (retired +1)
            """), Forward(b));
    }

    [Fact]
    public void StoringTheValueTheSlotHoldsIsDropped()
    {
        var b = Builder();
        int x = b.LoadState(16);            // t0
        b.StoreState(16, x);                // dropped: the slot holds t0
        int y = b.LoadState(20);            // t1
        b.StoreState(20, b.Const(5));       // t2
        b.StoreState(20, y);                // kept: the slot holds t2 now
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            t1 = ld.i32 state+20
            t2 = const.i32 0x5
            st.i32 state+20, t2
            st.i32 state+20, t1
            exit 0 (retired +1)
            """), Forward(b));
    }
}
