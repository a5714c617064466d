using System.Runtime.CompilerServices;
using Transmeta.Backend.LLVM;
using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>LLVM-specific behaviour: what a compiled block reports, repeated runs, many blocks
/// per JIT, the IR dump hook.</summary>
public sealed class LlvmBackendTests
{
    [Fact]
    public void CompiledBlockDescribesItself()
    {
        IrBlock block = BackendRunner.IncrementR0Block(0x00101234);
        var compiler = new LlvmCompiler();
        Assert.Equal("llvm", compiler.Name);
        CompiledBlock compiled = compiler.Compile(block);
        var native = Assert.IsType<LlvmCompiledBlock>(compiled);
        Assert.Equal("llvm", native.Tier);
        Assert.Equal("blk_00101234", native.Symbol);
        Assert.Same(block, native.Source);
        Assert.InRange(native.NativeCodeBytes, 8, 200);
        Assert.NotEqual(0, native.NativeAddress);
        // The same address again gets a distinct symbol in the same JIT.
        var again = compiler.CompileBlock(block);
        Assert.Equal("blk_00101234_v2", again.Symbol);
        Assert.Equal(2, compiler.BlocksCompiled);
    }

    private static IrBlock AddBlock(uint address, uint amount)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Add(ir.LoadState(R(0)), ir.Const(amount)));
        ir.Exit(BlockExit.Jump, 1);
        return ir.Finish(address);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CompileAndDrop(LlvmCompiler compiler, int count)
    {
        for (int i = 0; i < count; i++) compiler.Compile(AddBlock(0x3000 + (uint)i * 16, 1));
    }

    [Fact]
    public unsafe void CodeOfCollectedBlocksIsReleasedWhileLiveBlocksKeepRunning()
    {
        var compiler = new LlvmCompiler();
        CompiledBlock keep = compiler.Compile(AddBlock(0x1000, 3));
        CompileAndDrop(compiler, 50);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        CompiledBlock later = compiler.Compile(AddBlock(0x2000, 5)); // returns the dropped units' code first
        Assert.Equal(50, compiler.UnitsReleased);
        using var m = new BackendTestMachine();
        Assert.Equal(BlockExit.Jump, keep.Execute(m.Ctx));
        Assert.Equal(BlockExit.Jump, later.Execute(m.Ctx));
        Assert.Equal(8u, m.Get32(R(0)));
        GC.KeepAlive(keep);
    }

    [Fact]
    public unsafe void CompiledBlockRunsRepeatedly()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Add(ir.LoadState(R(0)), ir.Const(3)));
        ir.Exit(BlockExit.Jump, 2);
        CompiledBlock compiled = BackendRunner.Llvm.Compile(ir.Finish(0x1000));
        using var m = new BackendTestMachine();
        for (int i = 0; i < 1000; i++) Assert.Equal(BlockExit.Jump, compiled.Execute(m.Ctx));
        Assert.Equal(3000u, m.Get32(R(0)));
        Assert.Equal(2000ul, m.Retired);
    }
}

/// <summary>Guest state kept in host registers (shadowed fields) must leave memory exactly as
/// the interpreter does at every way out of a block.</summary>
public sealed class LlvmStateShadowTests
{
    [Theory]
    [InlineData(0u, (int)BlockExit.Fault, Unmapped)]      // the load faults: the slow path's record stays
    [InlineData(1u, (int)BlockExit.Fault, 0xBEEFu)]       // the block raises its own fault, storing the record
    public void FaultRecordWrittenBySlowPathIsKept(uint raise, int expectedExit, uint expectedRecord)
    {
        // Like a lifted DIV with a memory divisor: one path stores the fault record itself and
        // leaves, the other faults in the slow path, which writes the same field.
        IrBuilder ir = BackendRunner.NewBuilder();
        int own = ir.NewLabel();
        ir.InsnStart(0x7000, 0);
        ir.StoreState(R(0), ir.Add(ir.LoadState(R(0)), ir.Const(1)));
        ir.BranchIf(ir.LoadState(R(1)), own);
        ir.StoreState(R(2), ir.Load(4, ir.Const(Unmapped)));
        ir.Exit(BlockExit.Jump, 1);
        ir.MarkLabel(own);
        ir.StoreState(FaultAddressOffset, ir.Const(0xBEEF));
        ir.Exit(BlockExit.Fault, 0);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x7000), s =>
        {
            s.Set32(R(0), 41);
            s.Set32(R(1), raise);
        }, out int exit);
        Assert.Equal(expectedExit, exit);
        Assert.Equal(expectedRecord, m.Get32(FaultAddressOffset));
        Assert.Equal(42u, m.Get32(R(0)));   // stored before the fault: written back
    }

    [Fact]
    public void StateHelperSeesShadowedState()
    {
        // reads_state returns R(0) + a: R(0) must be in memory at the call.
        IrBuilder ir = BackendRunner.NewBuilder();
        int top = ir.NewLabel();
        ir.InsnStart(0x7100, 0);
        ir.MarkLabel(top);
        int r0 = ir.Add(ir.LoadState(R(0)), ir.Const(5));
        ir.StoreState(R(0), r0);
        int got = ir.Unary(Opcode.Trunc, ir.CallHelper(TestHelpers.ReadsState, ir.Unary(Opcode.ZextTo64, ir.Const(1))));
        ir.StoreState(R(1), ir.Add(ir.LoadState(R(1)), got));
        int n = ir.Sub(ir.LoadState(R(2)), ir.Const(1));
        ir.StoreState(R(2), n);
        ir.BranchIf(ir.Ne(n, ir.Const(0)), top);
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x7100), s => s.Set32(R(2), 10), out _);
        Assert.Equal(50u, m.Get32(R(0)));
        Assert.Equal(5u + 10 + 15 + 20 + 25 + 30 + 35 + 40 + 45 + 50 + 10, m.Get32(R(1)));
    }

    [Fact]
    public void OverlappingAccessesStayInMemory()
    {
        // An I64 access overlapping two I32 fields: none of them is shadowed, all stay exact.
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Const(0x11111111));
        ir.StoreState(R(1), ir.Const(0x22222222));
        ir.StoreState(Q(0), ir.LoadState(R(0), IrType.I64));
        ir.StoreState(R(0), ir.Const(0x33333333));
        ir.Exit(BlockExit.Jump, 0);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x7200), null, out _);
        Assert.Equal(0x22222222_11111111ul, m.Get64(Q(0)));
        Assert.Equal(0x33333333u, m.Get32(R(0)));
    }
}
