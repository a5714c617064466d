using System.Diagnostics;
using Transmeta.DiffTest;
using Transmeta.Tests.Support;

// The differential tester's command line (the test suite runs a fixed-seed batch of it:
// tests/Transmeta.Tests/Differential):
//
//   dotnet run --project tests/Transmeta.DiffTest -c Release -- --seed S --count N [options]
//
//   --seed S, --count N, --start I   sequences I..I+N-1 of seed S (each one is f(S, index))
//   --backend NAME                   repeatable; default: every backend of TestBackends.Names
//   --batch B                        sequences generated and run natively at a time (20000)
//   --threads T                      generate and run the backends on T threads (1)
//   --no-opt                         translate without the IR passes
//   --no-regions                     translate single blocks, not regions (the engine's default)
//   --reports R                      reduce and print at most R distinct mismatches (20)
//   --show I                         print sequence I and its outcome on every backend
//   --coverage                       list every supported encoding: its family or why it is left out
//   --stats                          per batch: traps, families, compared flags, where time goes
//   --long F                         share of sequences with 9..20 items (0.1)
//   --x87 F                          share of sequences made mostly of x87 instructions (0.35)
//
// Exit status 0 when nothing differs, 1 when something does.
ulong seed = 1;
long start = 0, count = 100_000;
int batch = 20_000, threads = 1, maxReports = 20;
bool optimize = true, coverage = false, stats = false, regions = true;
long? show = null;
var chosen = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--seed": seed = ulong.Parse(Next()); break;
        case "--count": count = long.Parse(Next()); break;
        case "--start": start = long.Parse(Next()); break;
        case "--backend": chosen.Add(Next()); break;
        case "--batch": batch = int.Parse(Next()); break;
        case "--threads": threads = int.Parse(Next()); break;
        case "--reports": maxReports = int.Parse(Next()); break;
        case "--no-opt": optimize = false; break;
        case "--no-regions": regions = false; break;
        case "--show": show = long.Parse(Next()); break;
        case "--coverage": coverage = true; break;
        case "--stats": stats = true; break;
        case "--x87": Generator.X87HeavyFraction = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--long": Generator.LongFraction = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "-h" or "--help":
            Console.WriteLine("usage: Transmeta.DiffTest [--seed S] [--count N] [--start I] [--backend NAME]... [--batch B] [--threads T] [--no-opt] [--no-regions] [--reports R] [--show I] [--coverage] [--stats] [--long FRACTION] [--x87 FRACTION]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 64;
    }
}

if (coverage)
{
    foreach (var (code, why) in Generator.SupportedEncodings())
        Console.WriteLine($"{code,-28} {why ?? Families.All.FirstOrDefault(f => f.Codes.Contains(code))?.Name ?? "NOT GENERATED"}");
    return 0;
}

var backendNames = chosen.Count > 0 ? chosen : TestBackends.Names.Select(n => (string)n[0]).ToList();
// An LLVM compiler per runner (so per thread): one compiles one unit at a time.
Transmeta.IR.IBlockCompiler CreateBackend(string name) => DiffSession.PerThreadBackend(name);
using var native = NativeHarness.Start();
using var session = new DiffSession(native, CreateBackend, optimize, regions: regions);

if (show is long one)
{
    CompiledSequence seq = DiffSession.Generate(seed, one, 1)[0];
    Console.Write(Reducer.Listing(seq));
    Outcome hw = native.Run(seq, wantMemory: true);
    Console.WriteLine($"  hardware:  {hw.Describe(seq.MaskAt(hw.Eip))}");
    foreach (string b in backendNames)
    {
        using var runner = new TransmetaRunner(CreateBackend(b), native.Selectors, optimize, regions: regions);
        Outcome tm = runner.Run(seq, wantMemory: true);
        Console.WriteLine($"  {b,-9}: {tm.Describe(seq.MaskAt(hw.Eip))}");
        foreach (string d in Comparison.Differences(seq, hw, tm, out _)) Console.WriteLine($"    * {d}");
    }
    return 0;
}

Console.WriteLine($"differential test: seed {seed}, sequences {start}..{start + count - 1}, backends {string.Join(", ", backendNames)}{(optimize ? "" : " (no IR passes)")}{(regions ? "" : " (single blocks)")}");
var seen = new HashSet<string>();
var totals = backendNames.ToDictionary(b => b, _ => (Mismatches: 0L, Time: TimeSpan.Zero));
TimeSpan genTime = TimeSpan.Zero, nativeTime = TimeSpan.Zero, genCpu = TimeSpan.Zero;
var cpuTimes = backendNames.ToDictionary(b => b, _ => TimeSpan.Zero);
TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;
int reported = 0;
for (long at = start; at < start + count; at += batch)
{
    int n = (int)Math.Min(batch, start + count - at);
    var sw = Stopwatch.StartNew();
    TimeSpan cpu0 = Cpu();
    var seqs = DiffSession.Generate(seed, at, n, threads);
    genTime += sw.Elapsed;
    genCpu += Cpu() - cpu0;
    sw.Restart();
    Outcome[] hw = native.Run(seqs);
    nativeTime += sw.Elapsed;
    if (stats) PrintStats(seqs, hw);
    foreach (string b in backendNames)
    {
        cpu0 = Cpu();
        var r = session.RunBackend(b, seqs, hw, threads);
        cpuTimes[b] += Cpu() - cpu0;
        var tm = TransmetaRunner.Timing;
        if (stats) Console.WriteLine($"    {b}: translate {tm[0] / (double)Stopwatch.Frequency:F2} s, passes {tm[1] / (double)Stopwatch.Frequency:F2}, verify {tm[2] / (double)Stopwatch.Frequency:F2}, compile {tm[3] / (double)Stopwatch.Frequency:F2}, execute {tm[4] / (double)Stopwatch.Frequency:F2}, blocks {tm[5]}, IL bytes {tm[6] / Math.Max(1, tm[5])} a block, slow-path exits {tm[7]}, grouped accesses {tm[8]}");
        Array.Clear(tm);
        totals[b] = (totals[b].Mismatches + r.Mismatches.Count, totals[b].Time + r.Time);
        if (r.HardwareReruns > 0)
        {
            Console.WriteLine($"  {b}: {r.HardwareReruns} difference(s) went away when the hardware ran the sequence again:");
            foreach (string why in r.Reruns.Take(5)) Console.WriteLine($"    sequence {at + int.Parse(why[..why.IndexOf(':')])}{why[why.IndexOf(':')..]}");
        }
        if (r.Mismatches.Count > 0 && reported < maxReports)
        {
            foreach (string report in session.Report(b, seqs, r.Mismatches, seen, maxReports - reported))
            {
                Console.WriteLine(report);
                reported++;
            }
        }
    }
    Console.WriteLine($"  {at + n - start} sequences: " + string.Join(", ", backendNames.Select(b => $"{b} {totals[b].Mismatches} mismatches")));
}
Console.WriteLine($"generation {genTime.TotalSeconds:F1} s (CPU {genCpu.TotalSeconds:F1} s), native {nativeTime.TotalSeconds:F1} s ({count / nativeTime.TotalSeconds:F0}/s)");
foreach (string b in backendNames)
    Console.WriteLine($"{b}: {count} sequences, {totals[b].Mismatches} mismatches, {totals[b].Time.TotalSeconds:F1} s, CPU {cpuTimes[b].TotalSeconds:F1} s ({count / cpuTimes[b].TotalSeconds:F0}/CPU-s)");
return totals.Values.Any(t => t.Mismatches > 0) ? 1 : 0;

static void PrintStats(List<CompiledSequence> seqs, Outcome[] hw)
{
    var traps = hw.GroupBy(o => Outcome.TrapName(o.Trap)).ToDictionary(g => g.Key, g => g.Count());
    Console.WriteLine("  traps: " + string.Join(", ", traps.Select(t => $"{t.Key} {t.Value}")));
    var families = seqs.SelectMany(s => s.Source.Items).GroupBy(i => i.Family).OrderByDescending(g => g.Count());
    Console.WriteLine("  items: " + string.Join(", ", families.Select(g => $"{g.Key} {g.Count()}")));
    Console.WriteLine($"  instructions per sequence {seqs.Average(s => s.Offsets.Length):F1}, bytes {seqs.Average(s => s.Code.Length):F1}");
    var masks = seqs.Select((s, i) => s.MaskAt(hw[i].Eip)).ToArray();
    foreach (var (bit, name) in new[] { (0x1u, "CF"), (0x4u, "PF"), (0x10u, "AF"), (0x40u, "ZF"), (0x80u, "SF"), (0x800u, "OF") })
        Console.Write($"  {name} compared {100.0 * masks.Count(m => (m & bit) != 0) / masks.Length:F0}%");
    Console.WriteLine();
    var initial = new uint[Layout.DataSize / 4];
    int changed = 0;
    for (int i = 0; i < seqs.Count; i++)
    {
        DataFill.Fill(initial, seqs[i].Source.Init.MemorySeed, seqs[i].Source.Init.ZeroMemory);
        if (DataFill.Hash(System.Runtime.InteropServices.MemoryMarshal.Cast<uint, ulong>(initial)) != hw[i].MemoryHash) changed++;
    }
    Console.WriteLine($"  sequences that changed memory: {100.0 * changed / seqs.Count:F0}%");
    int fxsave = seqs.Sum(s => s.Source.Flat.Count(i => i.Code == Iced.Intel.Code.Fxsave_m512byte));
    int fxrstor = seqs.Sum(s => s.Source.Flat.Count(i => i.Code == Iced.Intel.Code.Fxrstor_m512byte));
    Console.WriteLine($"  FXSAVE {fxsave}, FXRSTOR {fxrstor} (sequences with masked FXSAVE bytes {seqs.Count(s => s.MaskedMemory.Length > 0)})");
    // x87: the state at the end, the condition codes compared, transcendental results.
    var fpu = seqs.Select((s, i) => s.FpuMaskAt(hw[i].Eip)).ToArray();
    int x87 = seqs.Count(s => s.Source.Flat.Any(i => X87Analysis.IsX87(i)));
    Console.Write($"  x87: sequences with x87 {100.0 * x87 / seqs.Count:F0}%, changed FPU state {100.0 * seqs.Select((s, i) => !s.Source.Init.Fpu.AsSpan().SequenceEqual(hw[i].Fpu)).Count(c => c) / seqs.Count:F0}%,");
    Console.Write($" exception pending at the end {100.0 * hw.Count(o => (FpuImage.Sw(o.Fpu) & 0x80) != 0) / hw.Length:F0}%, transcendental results {100.0 * fpu.Count(m => (m >> 16) != 0) / fpu.Length:F1}%");
    foreach (var (bit, name) in new[] { (FpuImage.C0, "C0"), (FpuImage.C1, "C1"), (FpuImage.C2, "C2"), (FpuImage.C3, "C3") })
        Console.Write($"  {name} compared {100.0 * fpu.Count(m => (m & bit) != 0) / fpu.Length:F0}%");
    Console.WriteLine();
}
