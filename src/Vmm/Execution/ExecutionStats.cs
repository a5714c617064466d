using System.Diagnostics;
using Transmeta.Frontend;

namespace Transmeta.Vmm.Execution;

/// <summary>Counters of one run, printed by <c>--stats</c>.</summary>
public sealed class ExecutionStats
{
    public long BlocksTranslated { get; set; }
    public long BlocksExecuted { get; set; }
    public long CodeModifiedExits { get; set; }
    /// <summary>Exits where a specialized translation's assumption failed (BlockExit.Slow).</summary>
    public long SlowExits { get; set; }
    /// <summary>Guest memory accesses translated behind a shared probe (GuestAccessGrouping).</summary>
    public long GroupedAccesses { get; set; }
    public long Faults { get; set; }
    public TimeSpan TranslateTime { get; set; }
    public TimeSpan CompileTime { get; set; }
    /// <summary>Compile time of each unit the engine's backend compiled, in milliseconds (for the
    /// median per block in --stats and the benchmark).</summary>
    public List<double> BlockCompileMs { get; } = new();
    public long[] HypercallsByKind { get; } = new long[Enum.GetValues<HypercallKind>().Length + 1];
    public Stopwatch Wall { get; } = new();
    /// <summary>CPU time of the guest's thread during the run, and of that, what translating and
    /// compiling on that thread took (background tiers are not on it): the rest is execution in
    /// generated code, helpers and the dispatcher, the steady-state cost the benchmark compares.</summary>
    public TimeSpan GuestThreadCpu { get; set; }
    public TimeSpan TranslateCompileCpu { get; set; }
    public TimeSpan ExecutionCpu => GuestThreadCpu - TranslateCompileCpu;

    public void CountHypercall(HypercallKind kind) => HypercallsByKind[(int)kind]++;

    public IEnumerable<(HypercallKind Kind, long Count)> Hypercalls =>
        Enum.GetValues<HypercallKind>().Select(k => (k, HypercallsByKind[(int)k])).Where(p => p.Item2 > 0);
}
