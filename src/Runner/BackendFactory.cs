using Transmeta.IR;
using Transmeta.Vmm.Execution;

namespace Transmeta.Runner;

/// <summary>The translation backends the runner can select by name.</summary>
public static class BackendFactory
{
    public static readonly string[] Names = ["interp", "il", "llvm", "tiered"];

    /// <summary>The compilers tiered execution climbs through, fastest to start first: the
    /// interpreter (no compile cost), IL (a fraction of a millisecond per block), LLVM (tens of
    /// milliseconds per unit, the fastest code).</summary>
    public static readonly string[] TierOrder = ["interp", "il", "llvm"];

    /// <summary>Default promotion thresholds, per tier of <see cref="TierOrder"/>: guest
    /// instructions a unit retires before that tier compiles it. IL (about a millisecond per unit,
    /// mostly the .NET JIT) pays for itself after a few thousand. An LLVM compile costs 20-100 ms
    /// of CPU and saves a fraction of a nanosecond per guest instruction over IL, so it pays only
    /// on units that will run tens of millions more; 1,000,000 retired is where a unit's past
    /// starts to predict that. Measured on the CPU-bound suite (tiered, whole process, loaded
    /// 2-core machine): 200,000 compiled 20-30% more LLVM units for no gain in execution time
    /// (lz 5.5 → 4.9 s, qsort 3.9 → 3.4 s, sha256 4.1 → 3.6 s with 1,000,000).</summary>
    public static readonly long[] DefaultTierThresholds = [0, 2_000, 1_000_000];

    /// <summary>
    /// Tiered execution over <paramref name="tiers"/> (default <see cref="TierOrder"/>) with the
    /// given thresholds. A tier whose compiler cannot be created (LLVM without libLLVM) is left
    /// out and <see cref="TieredCompilation.Note"/> says why, so the run goes on with the others.
    /// </summary>
    public static TieredCompilation CreateTiered(IReadOnlyList<long>? thresholds = null, ulong quantum = 200_000,
        IReadOnlyList<string>? tiers = null)
    {
        thresholds ??= DefaultTierThresholds;
        tiers ??= TierOrder;
        if (tiers.Count == 0) throw new ArgumentException("tiered execution needs at least one tier");
        var chosen = new List<Tier>();
        string? note = null;
        for (int i = 0; i < tiers.Count; i++)
        {
            if (tiers[i] == "tiered") throw new ArgumentException("a tier cannot itself be tiered");
            long threshold = i == 0 ? 0 : thresholds[Math.Min(i, thresholds.Count - 1)];
            try
            {
                IBlockCompiler compiler = tiers[i] == "llvm" && i > 0 ? CreateDeferredLlvm() : Create(tiers[i]);
                chosen.Add(new Tier(compiler, threshold));
            }
            catch (Transmeta.Backend.LLVM.Interop.LlvmUnavailableException e) when (i > 0)
            {
                note = $"the {tiers[i]} tier is off: {e.Message}";
            }
        }
        return new TieredCompilation(chosen) { Quantum = quantum, Note = note };
    }

    /// <summary>Checks that libLLVM loads (throws <see cref="Transmeta.Backend.LLVM.Interop.LlvmUnavailableException"/>
    /// if not), and defers the JIT to the first unit the tier compiles.</summary>
    private static DeferredLlvmTier CreateDeferredLlvm()
    {
        Transmeta.Backend.LLVM.Interop.LlvmRuntime.EnsureInitialized();
        return new DeferredLlvmTier();
    }

    public static IBlockCompiler Create(string name) => name switch
    {
        "interp" => new Transmeta.Backend.Interp.IrInterpreter(),
        "il" => new Transmeta.Backend.Il.IlCompiler(),
        "llvm" => new Transmeta.Backend.LLVM.LlvmCompiler(), // throws LlvmUnavailableException without libLLVM
        "tiered" => throw new ArgumentException("tiered is a combination of backends: use CreateTiered"),
        _ => throw new ArgumentException($"unknown backend '{name}' (choose from {string.Join(", ", Names)})"),
    };
}
