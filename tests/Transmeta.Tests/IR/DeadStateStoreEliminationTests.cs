using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

public class DeadStateStoreEliminationTests
{
    private static string Dse(IrBuilder b)
    {
        IrBlock block = b.Finish(0x1000);
        DeadStateStoreElimination.Run(block);
        IrVerifier.Verify(block);
        return Ops(block);
    }

    [Fact]
    public void StoresSeparatedOnlyByInsnStartAreEliminated()
    {
        var b = Builder();
        b.InsnStart(0x1000, 0);
        int x = b.LoadState(16);        // t0
        b.StoreState(40, x);            // dead
        b.StoreState(44, x);            // dead
        b.InsnStart(0x1002, 1);
        int y = b.Add(x, x);            // t1
        b.StoreState(40, y);
        b.StoreState(44, y);
        b.Exit(0, 2);
        Assert.Equal(Lines("""
            -- 00001000 (#0)
            t0 = ld.i32 state+16
            -- 00001002 (#1)
            t1 = add.i32 t0, t0
            st.i32 state+40, t1
            st.i32 state+44, t1
            exit 0 (retired +2)
            """), Dse(b));
    }

    [Fact]
    public void AStoreBeforeAMemoryAccessStays()
    {
        var b = Builder();
        int x = b.LoadState(16);        // t0
        b.StoreState(40, x);            // stays: the load may fault
        int m = b.Load(4, x);           // t1
        b.StoreState(40, m);            // stays: the store may fault
        b.Store(4, x, m);
        b.StoreState(40, x);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            st.i32 state+40, t0
            t1 = load.4 [t0]
            st.i32 state+40, t1
            store.4 [t0], t1
            st.i32 state+40, t0
            exit 0 (retired +1)
            """), Dse(b));
    }

    [Fact]
    public void AStoreBeforeAnExitOrABranchStays()
    {
        var b = Builder();
        int other = b.NewLabel();
        int x = b.LoadState(16);        // t0
        b.StoreState(40, x);            // stays: the branch may leave
        b.BranchIf(x, other);
        b.StoreState(40, x);            // stays: the exit sees it
        b.Exit(0, 1);
        b.MarkLabel(other);
        b.StoreState(40, x);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            st.i32 state+40, t0
            if t0 jump L0
            st.i32 state+40, t0
            exit 0 (retired +1)
            L0:
            st.i32 state+40, t0
            exit 0 (retired +1)
            """), Dse(b));
    }

    [Fact]
    public void AStoreBeforeALabelStays()
    {
        var b = Builder();
        int top = b.NewLabel();
        int x = b.LoadState(16);        // t0
        b.StoreState(40, x);
        b.MarkLabel(top);
        b.StoreState(40, x);
        b.BranchIf(x, top);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            st.i32 state+40, t0
            L0:
            st.i32 state+40, t0
            if t0 jump L0
            exit 0 (retired +1)
            """), Dse(b));
    }

    [Fact]
    public void AStateLoadOfAnyOverlappingByteKeepsTheStore()
    {
        var b = Builder();
        int x = b.LoadState(16);             // t0
        b.StoreState(40, x);                 // stays: read by the i64 load below
        b.StoreState(48, x);                 // dead
        int w = b.LoadState(36, IrType.I64); // t1 (bytes 36..43)
        b.StoreState(40, x);
        b.StoreState(48, x);
        b.StoreState(56, w);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            st.i32 state+40, t0
            t1 = ld.i64 state+36
            st.i32 state+40, t0
            st.i32 state+48, t0
            st.i64 state+56, t1
            exit 0 (retired +1)
            """), Dse(b));
    }

    [Fact]
    public void I64StoresDieOnlyWhenAllTheirBytesAreOverwritten()
    {
        var b = Builder();
        int w = b.LoadState(16, IrType.I64);  // t0
        int x = b.LoadState(24);              // t1
        b.StoreState(40, w);                  // stays: only bytes 40..43 overwritten
        b.StoreState(48, w);                  // dead: both halves overwritten
        b.StoreState(56, x);                  // dead: covered by the i64 store at 56
        b.StoreState(40, x);
        b.StoreState(48, x);
        b.StoreState(52, x);
        b.StoreState(56, w);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i64 state+16
            t1 = ld.i32 state+24
            st.i64 state+40, t0
            st.i32 state+40, t1
            st.i32 state+48, t1
            st.i32 state+52, t1
            st.i64 state+56, t0
            exit 0 (retired +1)
            """), Dse(b));
    }

    [Fact]
    public void HelpersThatMayFaultOrTouchStateAreBarriersOthersAreNot()
    {
        var b = Builder();
        int x = b.LoadState(16);         // t0
        b.StoreState(40, x);             // stays (check may fault)
        b.CallHelper(HFault, x);         // t1
        b.StoreState(40, x);             // stays (touch reads state)
        b.CallHelper(HTouch, x);         // t2
        b.StoreState(40, x);             // dead (plain and pure_mix see no state)
        b.CallHelper(HPlain, x);         // t3
        b.CallHelper(HPure, x);          // t4
        b.StoreState(40, x);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            st.i32 state+40, t0
            t1 = call check(t0, _, _, _)
            st.i32 state+40, t0
            t2 = call touch(t0, _, _, _)
            t3 = call plain(t0, _, _, _)
            t4 = call pure_mix(t0, _, _, _)
            st.i32 state+40, t0
            exit 0 (retired +1)
            """), Dse(b));
    }

    [Fact]
    public void TheInsnStartAfterAMemoryWriteIsABarrier()
    {
        // A write to translated code stops the block at the next InsnStart, where the state of
        // the finished instruction must be complete: the flags stored after the memory write stay.
        var b = Builder();
        b.InsnStart(0x1000, 0);
        int addr = b.Const(CodeStart);             // t0
        b.Store(4, addr, addr);
        b.StoreState(40, addr);                    // stays
        b.InsnStart(0x1003, 1);
        int v = b.Const(9);                        // t1
        b.StoreState(44, v);                       // dead
        b.InsnStart(0x1005, 2);
        b.StoreState(40, v);
        b.StoreState(44, v);
        b.StoreState(0, b.Const(0x1007));          // t2
        b.Exit(0, 3);
        IrBlock block = b.Finish(0x1000);
        IrBlock original = Clone(block);
        DeadStateStoreElimination.Run(block);
        IrVerifier.Verify(block);
        Assert.Equal(Lines("""
            -- 00001000 (#0)
            t0 = const.i32 0xe00
            store.4 [t0], t0
            st.i32 state+40, t0
            -- 00001003 (#1)
            t1 = const.i32 0x9
            -- 00001005 (#2)
            st.i32 state+40, t1
            st.i32 state+44, t1
            t2 = const.i32 0x1007
            st.i32 state+0, t2
            exit 0 (retired +3)
            """), Ops(block));

        var init = new byte[StateSize];
        var mem = new byte[MemorySize];
        RunResult expect = Run(original, init, mem), got = Run(block, init, mem);
        Assert.Equal(BlockExit.CodeModified, expect.Exit);
        Assert.Equal(0x1003u, BitConverter.ToUInt32(got.State, 0));
        Assert.Equal((uint)CodeStart, BitConverter.ToUInt32(got.State, 40));
        expect.AssertSame(got, Ops(block));
    }

    [Fact]
    public void TheInsnStartAfterALabelIsABarrierWhenTheBlockWritesMemory()
    {
        var b = Builder();
        int top = b.NewLabel();
        int x = b.LoadState(16);         // t0
        b.MarkLabel(top);
        b.StoreState(40, x);             // stays: the back edge may come from after the store
        b.InsnStart(0x1000, 0);
        b.StoreState(40, x);
        b.Store(4, x, x);
        b.BranchIf(x, top);
        b.Exit(0, 1);
        Assert.Equal(Lines("""
            t0 = ld.i32 state+16
            L0:
            st.i32 state+40, t0
            -- 00001000 (#0)
            st.i32 state+40, t0
            store.4 [t0], t0
            if t0 jump L0
            exit 0 (retired +1)
            """), Dse(b));
    }
}
