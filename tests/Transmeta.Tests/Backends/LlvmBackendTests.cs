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
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Add(ir.LoadState(R(0)), ir.Const(1)));
        ir.Exit(BlockExit.Jump, 1);
        IrBlock block = ir.Finish(0x00101234);
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

    [Fact]
    public unsafe void CompiledBlockRunsRepeatedly()
    {
        IrBuilder ir = BackendRunner.NewBuilder();
        ir.StoreState(R(0), ir.Add(ir.LoadState(R(0)), ir.Const(3)));
        ir.Exit(BlockExit.Jump, 2);
        CompiledBlock compiled = LlvmRunner.Llvm.Compile(ir.Finish(0x1000));
        using var m = new BackendTestMachine();
        for (int i = 0; i < 1000; i++) Assert.Equal(BlockExit.Jump, compiled.Execute(m.Ctx));
        Assert.Equal(3000u, m.Get32(R(0)));
        Assert.Equal(2000ul, m.Retired);
    }
}
