using Transmeta.Backend.Il;
using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

public sealed class BackendHelperTests
{
    [Fact]
    public void CallHelperPassesArgumentsAndReturnsI64()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x1000, 0);
        int a = ir.LoadState(R(0));                    // I32 0x80000000: zero-extended, not sign-extended
        int b = ir.LoadState(Q(0), IrType.I64);
        int d = ir.Const(7);
        int r = ir.CallHelper(TestHelpers.Mix, a, b, -1, d);
        ir.StoreState(Q(1), r);
        ir.StoreState(R(4), ir.Unary(Opcode.Trunc, r));
        int r2 = ir.CallHelper(TestHelpers.Mix);       // no arguments at all
        ir.StoreState(Q(2), r2);
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x1000), s =>
        {
            s.Set32(R(0), 0x80000000);
            s.Set64(Q(0), 0xFFFFFFFF_00000001);
        }, out int exit);
        Assert.Equal(BlockExit.Jump, exit);
        Assert.Equal(("mix", 0x80000000ul, 0xFFFFFFFF_00000001ul, 0ul, 7ul), m.HelperCalls[0]);
        Assert.Equal(("mix", 0ul, 0ul, 0ul, 0ul), m.HelperCalls[1]);
        ulong expected = unchecked(0x80000000ul + 2 * 0xFFFFFFFF_00000001ul + 8 * 7);
        Assert.Equal(expected, m.Get64(Q(1)));
        Assert.Equal((uint)expected, m.Get32(R(4)));
        Assert.Equal(0ul, m.Get64(Q(2)));
    }

    [Fact]
    public void HelperSeesStateWrittenBeforeTheCall()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Const(1000));
        ir.StoreState(Q(1), ir.CallHelper(TestHelpers.ReadsState, ir.Const(5)));
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x1000), null, out _);
        Assert.Equal(1005ul, m.Get64(Q(1)));
    }

    [Theory]
    [InlineData(4u, BlockExit.Jump, 12u, 0x00501009u, 13ul)]
    [InlineData(0u, BlockExit.Fault, 0xEEEEu, 0x00501004u, 11ul)]
    public void FaultingHelperLeavesAtItsInstruction(uint arg, int expectedExit, uint expectedR1, uint expectedPc, ulong expectedRetired)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00501000, 0);
        ir.StoreState(R(0), ir.Const(0x77));
        ir.InsnStart(0x00501004, 1);
        int r = ir.CallHelper(TestHelpers.FaultIfZero, ir.LoadState(R(5)));
        ir.StoreState(R(1), ir.Unary(Opcode.Trunc, r));
        ir.InsnStart(0x00501007, 2);
        ir.StoreState(PcOffset, ir.Const(0x00501009));
        ir.Exit(BlockExit.Jump, 3);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00501000), s =>
        {
            s.Set32(R(5), arg);
            s.Set32(R(1), 0xEEEE);
            s.Set64(RetiredOffset, 10);
        }, out int exit);
        Assert.Equal(expectedExit, exit);
        Assert.Equal(expectedR1, m.Get32(R(1)));
        Assert.Equal(0x77u, m.Get32(R(0)));
        Assert.Equal(expectedPc, m.Pc);
        Assert.Equal(expectedRetired, m.Retired);
        Assert.Equal(RuntimeContext.StatusOk, m.Status);
    }

    /// <summary>A helper that leaves StatusCodeModified, followed by a store in the same
    /// instruction: the interpreter treats that store as the code-modifying one.</summary>
    [Theory]
    [InlineData(true, BlockExit.CodeModified, 0u, 1ul)]
    [InlineData(false, BlockExit.Jump, 5u, 2ul)]
    public void HelperThatModifiesCode(bool storeAfter, int expectedExit, uint expectedR2, ulong expectedRetired)
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.InsnStart(0x00502000, 0);
        ir.CallHelper(TestHelpers.ModifiesCode);
        if (storeAfter) ir.Store(4, ir.Const(RamBase + 0x80), ir.Const(0xABCD));
        ir.InsnStart(0x00502004, 1);
        ir.StoreState(R(2), ir.Const(5));
        ir.Exit(BlockExit.Jump, 2);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x00502000), null, out int exit);
        Assert.Equal(expectedExit, exit);
        Assert.Equal(expectedR2, m.Get32(R(2)));
        Assert.Equal(expectedRetired, m.Retired);
        Assert.Equal(RuntimeContext.StatusOk, m.Status);
    }
}

public sealed class IlCompileTests
{
    [Fact]
    public void CompiledBlockDescribesItself()
    {
        IrBlock block = BackendRunner.IncrementR0Block(0x00101234);
        var compiler = new IlCompiler();
        Assert.Equal("il", compiler.Name);
        CompiledBlock compiled = compiler.Compile(block);
        var il = Assert.IsType<IlCompiledBlock>(compiled);
        Assert.Equal("il", il.Tier);
        Assert.Equal("blk_00101234", il.Method.Name);
        Assert.Same(block, il.Source);
        Assert.InRange(il.IlBytes, 10, 200);
        Assert.Equal(0, il.NativeCodeBytes);
    }

    [Fact]
    public unsafe void CompiledBlockRunsRepeatedly()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Add(ir.LoadState(R(0)), ir.Const(3)));
        ir.Exit(BlockExit.Jump, 2);
        CompiledBlock compiled = new IlCompiler().Compile(ir.Finish(0x1000));
        using var m = new BackendTestMachine();
        for (int i = 0; i < 1000; i++) Assert.Equal(BlockExit.Jump, compiled.Execute(m.Ctx));
        Assert.Equal(3000u, m.Get32(R(0)));
        Assert.Equal(2000ul, m.Retired);
    }

    [Fact]
    public void LongDependencyChainSharesLocals()
    {
        // 3000 temporaries, each used once by the next: a handful of locals suffices.
        IrBuilder ir = BackendRunner.NewBuilder();
        int t = ir.LoadState(R(0));
        int k = ir.LoadState(R(1));
        for (int i = 0; i < 1000; i++)
        {
            t = ir.Add(t, k);
            t = ir.Xor(t, ir.Const((uint)i));
            t = ir.Mul(t, ir.Const(3));
        }
        ir.StoreState(R(2), t);
        ir.Exit(BlockExit.Jump, 1);
        IrBlock block = ir.Finish(0x1000);
        uint expected = 1;
        for (uint i = 0; i < 1000; i++) expected = ((expected + 5) ^ i) * 3;
        using (BackendTestMachine m = BackendRunner.RunAll(block, s =>
        {
            s.Set32(R(0), 1);
            s.Set32(R(1), 5);
        }, out _))
            Assert.Equal(expected, m.Get32(R(2)));
        var compiled = new IlCompiler().CompileBlock(block);
        Assert.InRange(compiled.IlLocals, 1, 4);
    }

    [Fact]
    public void ManyLiveValuesGetDistinctLocals()
    {
        // 200 values all live at once, summed at the end.
        IrBuilder ir = BackendRunner.NewBuilder();
        var values = new List<int>();
        int x = ir.LoadState(R(0));
        for (int i = 0; i < 200; i++) values.Add(ir.Mul(x, ir.Const((uint)i + 1)));
        int sum = ir.Const(0);
        foreach (int v in values) sum = ir.Add(sum, v);
        ir.StoreState(R(1), sum);
        ir.Exit(BlockExit.Jump, 1);
        using BackendTestMachine m = BackendRunner.RunAll(ir.Finish(0x1000), s => s.Set32(R(0), 0x01000001), out _);
        Assert.Equal(unchecked(0x01000001u * 20100u), m.Get32(R(1)));
    }
}
