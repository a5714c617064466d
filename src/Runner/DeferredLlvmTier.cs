using Transmeta.Backend.LLVM;
using Transmeta.IR;

namespace Transmeta.Runner;

/// <summary>
/// The LLVM tier of tiered execution, created when the first unit gets hot enough for it: an
/// LLVM JIT (target machine, code allocator) costs tens of milliseconds to set up, which a short
/// run that never promotes a unit to LLVM should not pay (tiered must start like the
/// interpreter). libLLVM itself is loaded up front, so a missing library is still reported at
/// start.
/// </summary>
public sealed class DeferredLlvmTier : ISelectiveBlockCompiler
{
    private readonly Lazy<LlvmCompiler> _compiler;

    public DeferredLlvmTier() =>
        _compiler = new(() => new LlvmCompiler { UnitCompiled = UnitCompiled }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Passed on to the compiler when it is created (--dump-llvm).</summary>
    public Action<LlvmUnit>? UnitCompiled { get; set; }

    public string Name => "llvm";

    /// <summary>The compiler, if the tier has been used.</summary>
    public LlvmCompiler? CompilerIfCreated => _compiler.IsValueCreated ? _compiler.Value : null;

    public CompiledBlock Compile(IrBlock block) => _compiler.Value.Compile(block);

    /// <summary>Answered without creating the JIT, so that happens on the tier's thread.</summary>
    public bool WorthCompiling(IrBlock block, out string reason) =>
        LlvmCompiler.IsWorthCompiling(block, LlvmCompiler.DefaultMaxHelperCallsPerInstruction, out reason);
}
