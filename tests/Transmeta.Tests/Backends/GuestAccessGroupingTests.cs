using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>
/// <see cref="GuestAccessGrouping"/>: which accesses share a probe, and that a grouped block does
/// on every backend exactly what the ungrouped one does (values, stores, slow-path traffic), or,
/// when the probe is refused, leaves before the instruction with nothing changed.
/// </summary>
public sealed class GuestAccessGroupingTests
{
    private const uint Pc0 = 0x8000, Pc1 = 0x8004, Pc2 = 0x8008;

    /// <summary>Three instructions on [R0 + ...]: load 4 at +4; load 2 at +10 and store 4 at +0
    /// (the sum); load 8 at +12 into Q0. R1 = first load, R2 = second.</summary>
    private static IrBlock StructureBlock()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(Pc0, 0);
        int b = ir.LoadState(R(0));
        int x = ir.Load(4, ir.Add(b, ir.Const(4)));
        ir.StoreState(R(1), x);
        ir.InsnStart(Pc1, 1);
        int y = ir.Load(2, ir.Add(ir.Add(b, ir.Const(8)), ir.Const(2)));
        ir.StoreState(R(2), y);
        ir.Store(4, b, ir.Add(x, y));
        ir.InsnStart(Pc2, 2);
        ir.StoreState(Q(0), ir.Load(8, ir.Sub(ir.Add(b, ir.Const(20)), ir.Const(8))));
        ir.Exit(BlockExit.Jump, 3);
        return ir.Finish(Pc0);
    }

    private static List<IrInstruction> Ops(IrBlock block, Opcode op) => block.Span.ToArray().Where(i => i.Op == op).ToList();

    [Fact]
    public void AccessesOffOneBaseShareOneProbeOverTheirRange()
    {
        IrBlock block = StructureBlock();
        Assert.Equal(4, GuestAccessGrouping.Run(block));
        IrVerifier.Verify(block);
        IrInstruction probe = Assert.Single(Ops(block, Opcode.MemProbe));
        Assert.Equal(20, probe.Imm); // bytes 0..19: the 8-byte load at +12 ends the range
        Assert.Equal((int)(ProbeRights.Read | ProbeRights.Write), probe.Aux);
        Assert.Equal(new long[] { 4, 10, 12 }, Ops(block, Opcode.HostLoad).Select(i => i.Imm));
        Assert.Equal(0, Assert.Single(Ops(block, Opcode.HostStore)).Imm);
        Assert.Empty(Ops(block, Opcode.Load));
        Assert.Empty(Ops(block, Opcode.Store));
    }

    [Theory]
    [InlineData(RamBase + 0x100, 0)]            // in a page both TLBs map: no slow path at all
    [InlineData(RamBase + 0xFF0, 1)]            // over two mapped pages: the probe's slow path grants it
    [InlineData(SlowPage + 0x40, 1)]            // a page outside the TLB, granted by the slow path
    public void GroupedBlockComputesWhatTheUngroupedOneDoes(uint address, int probeSlowCalls)
    {
        void Setup(BackendTestMachine m) => m.Set32(R(0), address);
        using BackendTestMachine plain = BackendRunner.RunAll(StructureBlock(), Setup, out int plainExit);
        IrBlock grouped = StructureBlock();
        GuestAccessGrouping.Run(grouped);
        using BackendTestMachine m = BackendRunner.RunAll(grouped, Setup, out int exit);
        Assert.Equal(BlockExit.Jump, plainExit);
        Assert.Equal(BlockExit.Jump, exit);
        Assert.Equal(plain.Get32(R(1)), m.Get32(R(1)));
        Assert.Equal(plain.Get32(R(2)), m.Get32(R(2)));
        Assert.Equal(plain.Get64(Q(0)), m.Get64(Q(0)));
        Assert.Equal(plain.RamWord(address), m.RamWord(address));
        Assert.Equal(unchecked(plain.Get32(R(1)) + plain.Get32(R(2))), m.RamWord(address));
        Assert.Equal(3ul, m.Retired);
        Assert.Equal(0, m.ReadSlowCalls + m.WriteSlowCalls);
        Assert.Equal(probeSlowCalls, m.ProbeSlowCalls);
    }

    [Theory]
    [InlineData(CodePage + 0x20)]               // the store would write a page holding code
    [InlineData(RamBase + RamSize - 8)]         // the range runs past RAM
    [InlineData(Unmapped)]
    public void RefusedProbeLeavesBeforeTheFirstAccessWithNothingChanged(uint address)
    {
        IrBlock grouped = StructureBlock();
        GuestAccessGrouping.Run(grouped);
        using BackendTestMachine m = BackendRunner.RunAll(grouped, s => s.Set32(R(0), address), out int exit);
        Assert.Equal(BlockExit.Slow, exit);
        Assert.Equal(Pc0, m.Pc);
        Assert.Equal(0ul, m.Retired);
        Assert.Equal(0u, m.Get32(R(1)));
        Assert.Equal(0u, m.Get32(R(2)));
        Assert.Equal(RuntimeContext.StatusOk, m.Status);
        Assert.Equal(1, m.ProbeSlowCalls);
        Assert.Equal(0, m.ReadSlowCalls + m.WriteSlowCalls);
    }

    [Fact]
    public void AProbeWaitsForAnInstructionThatHasChangedNothingYet()
    {
        // Instruction 0 stores state before its loads: leaving there would not be leaving before
        // it, so its loads stay ordinary; instruction 1's two loads share a probe placed there,
        // and a refusal leaves with PC and retired count of instruction 1.
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(Pc0, 0);
        int b = ir.LoadState(R(0));
        ir.StoreState(R(3), ir.Const(7));
        ir.StoreState(R(1), ir.Add(ir.Load(4, b), ir.Load(4, ir.Add(b, ir.Const(4)))));
        ir.InsnStart(Pc1, 1);
        ir.StoreState(R(2), ir.Add(ir.Load(4, ir.Add(b, ir.Const(8))), ir.Load(4, ir.Add(b, ir.Const(12)))));
        ir.Exit(BlockExit.Jump, 2);
        IrBlock block = ir.Finish(Pc0);
        Assert.Equal(2, GuestAccessGrouping.Run(block));
        IrVerifier.Verify(block);
        Assert.Equal(2, Ops(block, Opcode.Load).Count);
        Assert.Equal(8, Assert.Single(Ops(block, Opcode.MemProbe)).Imm);

        // Instruction 0 reads the last 8 bytes of RAM; instruction 1's range lies past it.
        using BackendTestMachine m = BackendRunner.RunAll(block, s => s.Set32(R(0), RamBase + RamSize - 8), out int exit);
        Assert.Equal(BlockExit.Slow, exit);
        Assert.Equal(Pc1, m.Pc);
        Assert.Equal(1ul, m.Retired);
        Assert.Equal(7u, m.Get32(R(3)));
    }

    public enum Between { Nothing, Label, HelperCall }

    /// <summary>Two instructions, one load each, from R0 + <paramref name="first"/> and R0 +
    /// <paramref name="second"/>, with <paramref name="between"/> between them.</summary>
    private static IrBlock TwoLoads(int first, int second, Between between)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(Pc0, 0);
        int b = ir.LoadState(R(0));
        ir.StoreState(R(1), ir.Load(4, ir.Add(b, ir.Const(first))));
        if (between == Between.HelperCall) ir.CallHelper(0, b, b, b, b);
        if (between == Between.Label) ir.MarkLabel(ir.NewLabel());
        ir.InsnStart(Pc1, 1);
        ir.StoreState(R(2), ir.Load(4, ir.Add(b, ir.Const(second))));
        ir.Exit(BlockExit.Jump, 2);
        return ir.Finish(Pc0);
    }

    [Theory]
    [InlineData(0, 8, Between.Nothing, 2)]
    [InlineData(0, GuestAccessGrouping.MaxSpan - 4, Between.Nothing, 2)] // exactly MaxSpan bytes
    [InlineData(0, GuestAccessGrouping.MaxSpan, Between.Nothing, 0)]
    [InlineData(GuestAccessGrouping.MaxSpan, 0, Between.Nothing, 0)]
    [InlineData(0, 8, Between.Label, 0)]      // control may arrive at the label from elsewhere
    [InlineData(0, 8, Between.HelperCall, 0)]
    public void GroupsEndAtLabelsHelperCallsAndTheSpanLimit(int first, int second, Between between, int grouped)
    {
        IrBlock block = TwoLoads(first, second, between);
        Assert.Equal(grouped, GuestAccessGrouping.Run(block));
        IrVerifier.Verify(block);
        Assert.Equal(grouped, Ops(block, Opcode.HostLoad).Count);
    }

    [Fact]
    public void AWriteCheckTheProbeCoversIsDropped()
    {
        // A lifter's "will this store fault" check: read a byte and write it back, then store.
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(Pc0, 0);
        int a = ir.LoadState(R(0));
        ir.Store(1, a, ir.Load(1, a));
        ir.Store(8, a, ir.LoadState(Q(1), IrType.I64));
        ir.Exit(BlockExit.Jump, 1);
        IrBlock block = ir.Finish(Pc0);
        GuestAccessGrouping.Run(block);
        IrVerifier.Verify(block);
        Assert.Empty(Ops(block, Opcode.HostLoad));
        Assert.Equal(8, Assert.Single(Ops(block, Opcode.HostStore)).Size);
        Assert.Equal(8, Assert.Single(Ops(block, Opcode.MemProbe)).Imm);

        using BackendTestMachine m = BackendRunner.RunAll(block, s =>
        {
            s.Set32(R(0), RamBase + 0x204);
            s.Set64(Q(1), 0x1122_3344_5566_7788);
        }, out int exit);
        Assert.Equal(BlockExit.Jump, exit);
        Assert.Equal(0x5566_7788u, m.RamWord(RamBase + 0x204));
        Assert.Equal(0x1122_3344u, m.RamWord(RamBase + 0x208));
    }

    [Fact]
    public void VerifierRejectsAHostAccessOutsideItsProbe()
    {
        IrBlock block = StructureBlock();
        GuestAccessGrouping.Run(block);
        int i = Array.FindIndex(block.Instructions, 0, block.Count, x => x.Op == Opcode.HostLoad && x.Size == 8);
        block.Instructions[i].Imm = 13; // 13 + 8 > 20
        Assert.Throws<IrVerificationException>(() => IrVerifier.Verify(block));
    }
}
