using Transmeta.Backend.LLVM;
using Transmeta.IR;
using Transmeta.Vmm.Execution;

namespace Transmeta.Runner.Commands;

/// <summary>What <c>transmeta run</c> does for the LLVM backend: the one-line message when
/// libLLVM is missing, <c>--dump-llvm DIR</c>, and the LLVM lines of <c>--stats</c>.</summary>
public static class LlvmRunOptions
{
    /// <summary>The LLVM compilers among the backends of a run (the backend, or tiers).</summary>
    public static IEnumerable<LlvmCompiler> Compilers(IBlockCompiler backend, TieredCompilation? tiering) =>
        (tiering is null ? [backend] : tiering.Tiers.Select(t => t.Compiler))
            .Select(c => c is DeferredLlvmTier d ? d.CompilerIfCreated : c).OfType<LlvmCompiler>();

    /// <summary>--dump-llvm DIR: each unit's LLVM IR as generated (NAME.ll) and after the passes (NAME.opt.ll).</summary>
    public static void DumpTo(DirectoryInfo dir, IBlockCompiler backend, TieredCompilation? tiering)
    {
        dir.Create();
        Action<LlvmUnit> write = unit =>
        {
            File.WriteAllText(Path.Combine(dir.FullName, unit.Symbol + ".ll"), unit.GeneratedIr);
            File.WriteAllText(Path.Combine(dir.FullName, unit.Symbol + ".opt.ll"), unit.OptimizedIr);
        };
        foreach (IBlockCompiler c in tiering is null ? [backend] : tiering.Tiers.Select(t => t.Compiler))
        {
            if (c is LlvmCompiler llvm) llvm.UnitCompiled = write;
            else if (c is DeferredLlvmTier deferred) deferred.UnitCompiled = write;
        }
    }

    private static double Median(double[] sorted) => Medians.Of(sorted);

    public static void WriteStats(IEnumerable<LlvmCompiler> compilers, TextWriter w)
    {
        foreach (LlvmCompiler llvm in compilers)
        {
            if (llvm.BlocksCompiled == 0) continue;
            var blocks = llvm.BlockCompileTimes;
            double[] wall = blocks.Select(t => t.Wall.TotalMilliseconds).Order().ToArray();
            double[] cpu = blocks.Select(t => t.Cpu.TotalMilliseconds).Order().ToArray();
            w.WriteLine($"llvm blocks compiled  {llvm.BlocksCompiled:N0} for {llvm.HostCpu}, median {Median(wall):F2} ms/block " +
                        $"({Median(cpu):F2} ms CPU), max {wall[^1]:F1} ms");
            w.WriteLine($"llvm compile time     {llvm.CompileTime.TotalMilliseconds:F1} ms, {llvm.CompileCpuTime.TotalMilliseconds:F1} ms CPU (IR {llvm.EmitTime.TotalMilliseconds:F1}, " +
                        $"passes {llvm.PassTime.TotalMilliseconds:F1}, codegen {llvm.CodeGenTime.TotalMilliseconds:F1}, link {llvm.LinkTime.TotalMilliseconds:F1})");
            double perInsn = llvm.GuestInstructions > 0 ? (double)llvm.NativeCodeBytes / llvm.GuestInstructions : 0;
            w.WriteLine($"llvm native code      {llvm.NativeCodeBytes:N0} bytes, {perInsn:F1} bytes/guest instruction");
        }
    }
}
