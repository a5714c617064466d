using Transmeta.IR;

namespace Transmeta.Tests.Support;

/// <summary>The backends every instruction-level and guest-image test runs on, by name.</summary>
public static class TestBackends
{
    /// <summary>interp, il and llvm; llvm only where libLLVM 19 loads (scripts/setup.sh installs it,
    /// and says so when it cannot: then the LLVM runs are left out).</summary>
    public static IEnumerable<object[]> Names => LlvmAvailable
        ? new[] { new object[] { "interp" }, new object[] { "il" }, new object[] { "llvm" } }
        : new[] { new object[] { "interp" }, new object[] { "il" } };

    public static bool LlvmAvailable { get; } = Transmeta.Backend.LLVM.Interop.LlvmRuntime.IsAvailable(out _);

    /// <summary>One LLVM compiler (one JIT) for all tests: it is thread-safe, and a JIT per test
    /// would cost a target machine and a code allocator each.</summary>
    private static readonly Lazy<Transmeta.Backend.LLVM.LlvmCompiler> Llvm = new(() => new Transmeta.Backend.LLVM.LlvmCompiler());

    public static IBlockCompiler Create(string name) => name switch
    {
        "interp" => new Transmeta.Backend.Interp.IrInterpreter(),
        "il" => new Transmeta.Backend.Il.IlCompiler(),
        "llvm" => Llvm.Value,
        _ => throw new ArgumentException(name),
    };
}
