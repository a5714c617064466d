using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>Guest loads and stores: the inline soft-TLB hit path, the slow path on misses,
/// misalignment and page crossings, faults and the code-modified protocol.</summary>
public sealed class BackendMemoryTests
{
    private static byte Pattern(uint address) => (byte)((address - RamBase) * 7 + 3);

    private static uint PatternValue(uint address, int size)
    {
        uint v = 0;
        for (int i = 0; i < size; i++) v |= (uint)Pattern(address + (uint)i) << (8 * i);
        return v;
    }

    private static IrBlock LoadBlock(int size, uint address, bool constAddress)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x8000, 0);
        int a = constAddress ? ir.Const(address) : ir.LoadState(R(0));
        ir.StoreState(R(1), ir.Load(size, a));
        ir.Exit(BlockExit.Jump, 1);
        return ir.Finish(0x8000);
    }

    [Theory]
    // Aligned, in pages the read TLB maps: the hit path, no slow-path call.
    [InlineData(1, RamBase + 0x10, 0)]
    [InlineData(2, RamBase + 0x10, 0)]
    [InlineData(4, RamBase + 0x10, 0)]
    [InlineData(1, RamBase + 0x3FFF, 0)]
    [InlineData(4, RamBase + 0x3FFC, 0)]
    [InlineData(4, CodePage + 8, 0)]
    // Misaligned inside a page: the hit test includes the alignment bits, so the slow path.
    [InlineData(2, RamBase + 0x11, 1)]
    [InlineData(4, RamBase + 0x12, 1)]
    [InlineData(4, RamBase + 0x1001, 1)]
    // Crossing into the next page.
    [InlineData(4, RamBase + 0xFFE, 1)]
    [InlineData(2, RamBase + 0x1FFF, 1)]
    [InlineData(4, CodePage - 1, 1)]
    // A page not in the TLB.
    [InlineData(4, SlowPage + 0x20, 1)]
    [InlineData(1, SlowPage + 0x21, 1)]
    public void LoadValuesAndSlowPathCalls(int size, uint address, int slowCalls)
    {
        foreach (bool constAddress in new[] { false, true })
        {
            using BackendTestMachine m = BackendRunner.RunAll(LoadBlock(size, address, constAddress),
                s => s.Set32(R(0), address), out int exit);
            Assert.Equal(BlockExit.Jump, exit);
            Assert.Equal(PatternValue(address, size), m.Get32(R(1)));
            Assert.Equal(slowCalls, m.ReadSlowCalls);
        }
    }

    private static ulong PatternValue64(uint address) =>
        PatternValue(address, 4) | (ulong)PatternValue(address + 4, 4) << 32;

    [Theory]
    // 4-byte aligned within a page: one access on the hit path.
    [InlineData(RamBase + 0x10, 0)]
    [InlineData(RamBase + 0x14, 0)]
    [InlineData(RamBase + 0x3FF8, 0)]
    // Not 4-byte aligned, or crossing into the next page (also when the first word is the
    // page's last): two 4-byte reads through the slow path, the low one first.
    [InlineData(RamBase + 0x12, 2)]
    [InlineData(RamBase + 0xFFC, 2)]
    [InlineData(RamBase + 0x1FFE, 2)]
    [InlineData(SlowPage + 0x20, 2)]
    public void EightByteLoads(uint address, int slowCalls)
    {
        foreach (bool constAddress in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            ir.InsnStart(0x8000, 0);
            int a = constAddress ? ir.Const(address) : ir.LoadState(R(0));
            ir.StoreState(Q(0), ir.Load(8, a));
            ir.Exit(BlockExit.Jump, 1);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x8000), s => s.Set32(R(0), address), out int exit);
            Assert.Equal(BlockExit.Jump, exit);
            Assert.Equal(PatternValue64(address), m.Get64(Q(0)));
            Assert.Equal(slowCalls, m.ReadSlowCalls);
        }
    }

    [Theory]
    [InlineData(RamBase + 0x200, 0)]
    [InlineData(RamBase + 0x3FF8, 0)]
    [InlineData(RamBase + 0x202, 2)]   // misaligned
    [InlineData(RamBase + 0x1FFC, 2)]  // crosses a page
    [InlineData(SlowPage + 0x40, 2)]   // not in the write TLB
    public void EightByteStores(uint address, int slowCalls)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x9000, 0);
        ir.Store(8, ir.LoadState(R(0)), ir.LoadState(Q(0), IrType.I64));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x9000), s =>
        {
            s.Set32(R(0), address);
            s.Set64(Q(0), 0x1122_3344_5566_7788);
        }, out int exit);
        Assert.Equal(BlockExit.Jump, exit);
        Assert.Equal(slowCalls, m.WriteSlowCalls);
        Assert.Equal(Pattern(address - 1), m.RamByte(address - 1));
        for (int i = 0; i < 8; i++)
            Assert.Equal((byte)(0x1122_3344_5566_7788UL >> (8 * i)), m.RamByte(address + (uint)i));
        Assert.Equal(Pattern(address + 8), m.RamByte(address + 8));
    }

    [Fact]
    public void EightByteLoadFaultsOnItsSecondPage()
    {
        // The low word is RAM's last; the high one is past it (unmapped).
        uint address = RamBase + RamSize - 4;
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00401000, 0);
        ir.StoreState(Q(0), ir.Load(8, ir.LoadState(R(0))));
        ir.StoreState(PcOffset, ir.Const(0x00401003));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00401000), s =>
        {
            s.Set32(R(0), address);
            s.Set64(Q(0), 0xAAAA);
        }, out int exit);
        Assert.Equal(BlockExit.Fault, exit);
        Assert.Equal(0x00401000u, m.Pc);
        Assert.Equal(0xAAAAul, m.Get64(Q(0)));
        Assert.Equal(RamBase + RamSize, m.Get32(FaultAddressOffset));
        Assert.Equal(2, m.ReadSlowCalls); // the low word was read first
    }

    [Fact]
    public void LoadsZeroExtend()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        int a = ir.LoadState(R(0));
        ir.StoreState(R(1), ir.Load(1, a));
        ir.StoreState(R(2), ir.Load(2, a));
        ir.StoreState(R(3), ir.Load(4, a));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x8000), s =>
        {
            s.Set32(R(0), RamBase + 0x100);
            s.SetRamWord(RamBase + 0x100, 0xFEDC_BA98);
        }, out _);
        Assert.Equal(0x98u, m.Get32(R(1)));
        Assert.Equal(0xBA98u, m.Get32(R(2)));
        Assert.Equal(0xFEDCBA98u, m.Get32(R(3)));
        Assert.Equal(0, m.ReadSlowCalls);
    }

    [Theory]
    [InlineData(1, RamBase + 0x200, 0)]
    [InlineData(2, RamBase + 0x200, 0)]
    [InlineData(4, RamBase + 0x200, 0)]
    [InlineData(4, RamBase + 0x3FFC, 0)]
    [InlineData(2, RamBase + 0x201, 1)]   // misaligned
    [InlineData(4, RamBase + 0x1FFD, 1)]  // crosses a page
    [InlineData(4, SlowPage + 0x40, 1)]   // not in the write TLB
    public void StoresWriteExactlyTheirBytes(int size, uint address, int slowCalls)
    {
        foreach (bool constAddress in new[] { false, true })
        {
            IrBuilder ir = BackendRunner.NewBuilder();
            ir.InsnStart(0x9000, 0);
            int a = constAddress ? ir.Const(address) : ir.LoadState(R(0));
            ir.Store(size, a, ir.LoadState(R(1)));
            ir.Exit(BlockExit.Jump, 1);
            using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x9000), s =>
            {
                s.Set32(R(0), address);
                s.Set32(R(1), 0x8899AABB);
            }, out int exit);
            Assert.Equal(BlockExit.Jump, exit);
            Assert.Equal(slowCalls, m.WriteSlowCalls);
            Assert.Equal(Pattern(address - 1), m.RamByte(address - 1));
            for (int i = 0; i < size; i++)
                Assert.Equal((byte)(0x8899AABB >> (8 * i)), m.RamByte(address + (uint)i));
            Assert.Equal(Pattern(address + (uint)size), m.RamByte(address + (uint)size));
        }
    }

    [Fact]
    public void StoreThenLoadRoundTrips()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        int a = ir.LoadState(R(0));
        ir.Store(4, a, ir.Const(0x11223344));
        ir.Store(1, a, ir.Const(0xFFFFFFEE)); // only the low byte
        ir.Store(2, ir.Add(a, ir.Const(2)), ir.Const(0x5566));
        ir.StoreState(R(1), ir.Load(4, a));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x9000), s => s.Set32(R(0), RamBase + 0x3000), out _);
        Assert.Equal(0x556633EEu, m.Get32(R(1)));
        Assert.Equal(0, m.ReadSlowCalls + m.WriteSlowCalls);
    }

    /// <summary>insn 0 writes state, insn 1 loads from an unmapped address, insn 2 writes state.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadFaultLeavesAtTheFaultingInstruction(bool constAddress)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00401000, 0);
        ir.StoreState(R(0), ir.Const(0x11));
        ir.InsnStart(0x00401003, 1);
        int a = constAddress ? ir.Const(Unmapped) : ir.LoadState(R(5));
        int v = ir.Load(4, a);
        ir.StoreState(R(1), v);
        ir.InsnStart(0x00401007, 2);
        ir.StoreState(R(2), ir.Const(0x33));
        ir.StoreState(PcOffset, ir.Const(0x0040100A));
        ir.Exit(BlockExit.Jump, 3);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00401000), s =>
        {
            s.Set32(R(5), Unmapped);
            s.Set32(R(1), 0xAAAA);
            s.Set64(RetiredOffset, 100);
        }, out int exit);
        Assert.Equal(BlockExit.Fault, exit);
        Assert.Equal(0x00401003u, m.Pc);
        Assert.Equal(101ul, m.Retired);
        Assert.Equal(0x11u, m.Get32(R(0)));       // stores before the fault are visible
        Assert.Equal(0xAAAAu, m.Get32(R(1)));     // nothing after it ran
        Assert.Equal(0u, m.Get32(R(2)));
        Assert.Equal(Unmapped, m.Get32(FaultAddressOffset));
        Assert.Equal(RuntimeContext.StatusOk, m.Status);
        Assert.Equal(1, m.ReadSlowCalls);
    }

    [Fact]
    public void StoreFaultKeepsEarlierMemoryWrites()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00402000, 0);
        ir.Store(4, ir.Const(RamBase + 0x40), ir.Const(0xDEADBEEF));
        ir.InsnStart(0x00402006, 1);
        ir.Store(2, ir.Const(RamBase + 0x44), ir.Const(0x1234));
        ir.InsnStart(0x0040200C, 2);
        ir.Store(1, ir.LoadState(R(0)), ir.Const(0x99));
        ir.Store(4, ir.Const(RamBase + 0x48), ir.Const(0x55555555));
        ir.InsnStart(0x00402010, 3);
        ir.Exit(BlockExit.Jump, 4);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00402000), s =>
        {
            s.Set32(R(0), Unmapped + 3);
            s.Set64(RetiredOffset, 7);
        }, out int exit);
        Assert.Equal(BlockExit.Fault, exit);
        Assert.Equal(0x0040200Cu, m.Pc);
        Assert.Equal(9ul, m.Retired);
        Assert.Equal(0xDEADBEEFu, m.RamWord(RamBase + 0x40));
        Assert.Equal(0x1234u, m.RamWord(RamBase + 0x44) & 0xFFFF);
        Assert.Equal(PatternValue(RamBase + 0x48, 4), m.RamWord(RamBase + 0x48));
        Assert.Equal(Unmapped + 3, m.Get32(FaultAddressOffset));
        Assert.Equal(RuntimeContext.StatusOk, m.Status);
    }

    [Fact]
    public void FaultBeforeAnyInsnStartReportsPcZero()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(1), ir.Load(4, ir.Const(Unmapped)));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x9100), s =>
        {
            s.Set32(PcOffset, 0x1234);
            s.Set64(RetiredOffset, 5);
        }, out int exit);
        Assert.Equal(BlockExit.Fault, exit);
        Assert.Equal(0u, m.Pc);
        Assert.Equal(5ul, m.Retired);
    }

    /// <summary>The faulting load is reached from two guest instructions (a loop whose body
    /// starts mid-instruction): the exit must name the one that ran last.</summary>
    [Theory]
    [InlineData(SlowPage + 0x1000, 0x00403004u, 1ul, 2)]  // two good iterations, then a fault
    [InlineData(Unmapped, 0x00403000u, 0ul, 0)]          // the very first access faults
    public void FaultInsideALoopReportsTheLastInsnStart(uint start, uint expectedPc, ulong expectedRetired, int goodLoads)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        int loop = ir.NewLabel();
        ir.InsnStart(0x00403000, 0);
        ir.MarkLabel(loop);
        int a = ir.LoadState(R(0));
        int x = ir.Load(1, a);
        ir.StoreState(R(2), ir.Add(ir.LoadState(R(2)), ir.Const(1)));
        ir.StoreState(R(3), x);
        ir.InsnStart(0x00403004, 1);
        ir.StoreState(R(0), ir.Add(a, ir.Const(SoftTlbLayout.PageSize)));
        ir.Jump(loop);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00403000), s => s.Set32(R(0), start), out int exit);
        Assert.Equal(BlockExit.Fault, exit);
        Assert.Equal(expectedPc, m.Pc);
        Assert.Equal(expectedRetired, m.Retired);
        Assert.Equal((uint)goodLoads, m.Get32(R(2)));
    }

    /// <summary>A store that hits translated code (the slow path reports StatusCodeModified)
    /// finishes its instruction, then the block leaves before the next one.</summary>
    [Fact]
    public void CodeModifyingStoreExitsAtTheNextInstruction()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00404000, 0);
        ir.StoreState(R(0), ir.Const(1));
        ir.InsnStart(0x00404002, 1);
        ir.Store(4, ir.Const(CodePage + 0x10), ir.Const(0x90909090));
        ir.StoreState(R(1), ir.Const(2));          // same instruction: still runs
        ir.InsnStart(0x00404008, 2);
        ir.StoreState(R(2), ir.Const(3));          // next instruction: must not run
        ir.Exit(BlockExit.Jump, 3);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00404000), s => s.Set64(RetiredOffset, 50), out int exit);
        Assert.Equal(BlockExit.CodeModified, exit);
        Assert.Equal(0x00404008u, m.Pc);
        Assert.Equal(52ul, m.Retired);
        Assert.Equal(1u, m.Get32(R(0)));
        Assert.Equal(2u, m.Get32(R(1)));
        Assert.Equal(0u, m.Get32(R(2)));
        Assert.Equal(0x90909090u, m.RamWord(CodePage + 0x10));
        Assert.Equal(RuntimeContext.StatusOk, m.Status);
        Assert.Equal(1, m.WriteSlowCalls);
    }

    [Fact]
    public void CodeModifyingStoreInTheLastInstructionExitsNormally()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00405000, 0);
        ir.Store(1, ir.LoadState(R(0)), ir.Const(0xCC));
        ir.StoreState(PcOffset, ir.Const(0x00405003));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00405000), s => s.Set32(R(0), CodePage), out int exit);
        Assert.Equal(BlockExit.Jump, exit);
        Assert.Equal(0x00405003u, m.Pc);
        Assert.Equal(1ul, m.Retired);
        Assert.Equal(0xCC, m.RamByte(CodePage));
        Assert.Equal(RuntimeContext.StatusOk, m.Status); // Exit clears the pending status
    }

    [Fact]
    public void CodeModifyingStoreInsideALoopExitsAtTheLoopHead()
    {
        // Each iteration is one guest instruction (a REP-like loop); the pointer walks from a
        // data page into the code page; the first store there ends the block at the next InsnStart.
        IrBuilder ir = BackendRunner.NewBuilder();
        int loop = ir.NewLabel();
        ir.MarkLabel(loop);
        ir.InsnStart(0x00406000, 0);
        int p = ir.LoadState(R(0));
        ir.Store(4, p, ir.Const(0x01020304));
        ir.StoreState(R(0), ir.Add(p, ir.Const(0x800)));
        ir.StoreState(R(1), ir.Add(ir.LoadState(R(1)), ir.Const(1)));
        ir.Jump(loop);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00406000), s => s.Set32(R(0), CodePage - 0x1000), out int exit);
        Assert.Equal(BlockExit.CodeModified, exit);
        Assert.Equal(0x00406000u, m.Pc);
        Assert.Equal(3u, m.Get32(R(1)));                 // stores at -0x1000, -0x800, +0
        Assert.Equal(0x01020304u, m.RamWord(CodePage));
        Assert.Equal(CodePage + 0x800, m.Get32(R(0)));
        Assert.Equal(1, m.WriteSlowCalls);
    }
}
