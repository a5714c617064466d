using System.Diagnostics;
using Transmeta.Frontend;

namespace Transmeta.Vmm.Execution;

/// <summary>Counters of one run, printed by <c>--stats</c>.</summary>
public sealed class ExecutionStats
{
    public long BlocksTranslated { get; set; }
    public long BlocksExecuted { get; set; }
    public long CodeModifiedExits { get; set; }
    public long Faults { get; set; }
    public TimeSpan TranslateTime { get; set; }
    public TimeSpan CompileTime { get; set; }
    /// <summary>Compile time of each unit the engine's backend compiled, in milliseconds (for the
    /// median per block in --stats and the benchmark).</summary>
    public List<double> BlockCompileMs { get; } = new();
    public long[] HypercallsByKind { get; } = new long[Enum.GetValues<HypercallKind>().Length + 1];
    public Stopwatch Wall { get; } = new();

    public void CountHypercall(HypercallKind kind) => HypercallsByKind[(int)kind]++;

    public IEnumerable<(HypercallKind Kind, long Count)> Hypercalls =>
        Enum.GetValues<HypercallKind>().Select(k => (k, HypercallsByKind[(int)k])).Where(p => p.Item2 > 0);
}
