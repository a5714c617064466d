using System.Diagnostics;
using Transmeta.IR;

namespace Transmeta.DiffTest;

/// <summary>
/// One differential run: generate sequences (f(seed, index)), run them natively in batches,
/// then on each backend, compare, and reduce and report the mismatches (de-duplicated by the
/// reduced sequence's signature).
/// </summary>
public sealed class DiffSession(NativeHarness native, Func<string, IBlockCompiler> backends, bool optimize = true,
    Transmeta.Frontend.Lifting.LifterTable? lifters = null, bool regions = true) : IDisposable
{
    private readonly Dictionary<string, TransmetaRunner> _reducerRunners = new();

    public NativeHarness Native => native;

    public sealed class BackendResult
    {
        public required string Backend { get; init; }
        public int Run { get; set; }
        public List<int> Mismatches { get; } = new();
        public TimeSpan Time { get; set; }
        /// <summary>Mismatches that went away when the hardware ran the sequence again.</summary>
        public int HardwareReruns;
        /// <summary>Those differences (index: what differed the first time).</summary>
        public List<string> Reruns { get; } = new();
    }

    /// <summary>Sequences start..start+count-1 of <paramref name="seed"/>, on
    /// <paramref name="threads"/> threads (each sequence depends only on its index).</summary>
    public static List<CompiledSequence> Generate(ulong seed, long start, int count, int threads = 1)
    {
        var result = new CompiledSequence[count];
        int chunk = (count + threads - 1) / Math.Max(1, threads);
        Parallel.For(0, Math.Max(1, threads), new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var g = new Generator();
            for (int i = t * chunk; i < Math.Min(count, (t + 1) * chunk); i++)
            {
                Sequence s = g.Make(seed, start + i);
                CompiledSequence? cs = FlagAnalysis.Compile(s, out string? why);
                // The generator only keeps items the analysis accepts and sequences stay far
                // below the code page; anything else is a bug in the generator.
                result[i] = cs ?? throw new InvalidOperationException($"sequence {seed}/{start + i} invalid: {why}");
            }
        });
        return result.ToList();
    }

    /// <summary>The backend a runner uses: the test list's (<see cref="TestBackends.Create"/>),
    /// except a fresh LLVM compiler for each runner. A compiler compiles one unit at a time, and
    /// compiling is nearly all of what an LLVM run costs, so runners on several threads sharing
    /// one would wait for each other.</summary>
    public static IBlockCompiler PerThreadBackend(string name) =>
        name == "llvm" ? new Transmeta.Backend.LLVM.LlvmCompiler() : Transmeta.Tests.Support.TestBackends.Create(name);

    public BackendResult RunBackend(string backend, IReadOnlyList<CompiledSequence> seqs, Outcome[] hardware, int threads = 1)
    {
        var result = new BackendResult { Backend = backend, Run = seqs.Count };
        var sw = Stopwatch.StartNew();
        var mismatches = new List<int>[threads];
        int chunk = (seqs.Count + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            mismatches[t] = new List<int>();
            using var runner = new TransmetaRunner(backends(backend), native.Selectors, optimize, lifters, regions);
            for (int i = t * chunk; i < Math.Min(seqs.Count, (t + 1) * chunk); i++)
            {
                Outcome tm = runner.Run(seqs[i]);
                if (Comparison.Differences(seqs[i], hardware[i], tm, out _).Count == 0) continue;
                // The host is not perfectly repeatable: on this AMD host a context switch between
                // the last x87 instruction and FNSAVE loses FIP/FDP/FOP (the kernel's FXSAVE-leak
                // workaround loads its own). A mismatch counts if a second native run agrees.
                Outcome again;
                lock (native) again = native.Run(seqs[i]);
                if (Comparison.Differences(seqs[i], again, tm, out _).Count > 0) mismatches[t].Add(i);
                else
                {
                    Interlocked.Increment(ref result.HardwareReruns);
                    lock (result.Reruns)
                        result.Reruns.Add($"{i}: {string.Join("; ", Comparison.Differences(seqs[i], hardware[i], tm, out _))}");
                }
            }
        });
        foreach (var m in mismatches) result.Mismatches.AddRange(m);
        result.Time = sw.Elapsed;
        return result;
    }

    /// <summary>Reduces the mismatches (up to <paramref name="maxReports"/> distinct ones) and
    /// returns their reports; <paramref name="seen"/> collects signatures across calls.</summary>
    public List<string> Report(string backend, IReadOnlyList<CompiledSequence> seqs, IEnumerable<int> mismatches,
        HashSet<string> seen, int maxReports, int maxReductions = 40)
    {
        if (!_reducerRunners.TryGetValue(backend, out TransmetaRunner? runner))
            _reducerRunners[backend] = runner = new TransmetaRunner(backends(backend), native.Selectors, optimize, lifters, regions);
        var reducer = new Reducer(native, runner);
        var reports = new List<string>();
        int reductions = 0;
        foreach (int i in mismatches)
        {
            if (reports.Count >= maxReports || reductions++ >= maxReductions) break;
            Reducer.Result r = reducer.Reduce(seqs[i]);
            if (!seen.Add(backend + ": " + Reducer.Signature(r))) continue;
            reports.Add(Reducer.Report(backend, seqs[i], r));
        }
        return reports;
    }

    public void Dispose()
    {
        foreach (TransmetaRunner r in _reducerRunners.Values) r.Dispose();
    }
}
