using Transmeta.IR;

namespace Transmeta.Runner;

/// <summary>The translation backends the runner can select by name.</summary>
public static class BackendFactory
{
    public static readonly string[] Names = ["interp", "il", "llvm", "tiered"];

    /// <summary>The compilers tiered execution climbs through, fastest to start first.</summary>
    public static readonly string[] TierOrder = ["interp", "il"];

    /// <summary>Default promotion thresholds: guest instructions a block retires before the next
    /// tier compiles it.</summary>
    public static readonly long[] DefaultTierThresholds = [0, 2_000, 200_000];

    public static Transmeta.Vmm.Execution.TieredCompilation CreateTiered(IReadOnlyList<long>? thresholds = null, ulong quantum = 200_000)
    {
        thresholds ??= DefaultTierThresholds;
        var tiers = new List<Transmeta.Vmm.Execution.Tier>();
        for (int i = 0; i < TierOrder.Length; i++)
            tiers.Add(new Transmeta.Vmm.Execution.Tier(Create(TierOrder[i]), i == 0 ? 0 : thresholds[Math.Min(i, thresholds.Count - 1)]));
        return new Transmeta.Vmm.Execution.TieredCompilation(tiers) { Quantum = quantum };
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
