using System.Diagnostics;
using Transmeta.DiffTest;
using Transmeta.Tests.Support;

// dotnet run --project tests/Transmeta.DiffTest -c Release -- --seed S --count N [--start I]
//     [--backend NAME]... [--batch B] [--threads T] [--no-opt] [--reports R] [--show I] [--coverage]
ulong seed = 1;
long start = 0, count = 100_000;
int batch = 20_000, threads = 1, maxReports = 20;
bool optimize = true, coverage = false, stats = false;
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
        case "--show": show = long.Parse(Next()); break;
        case "--coverage": coverage = true; break;
        case "--stats": stats = true; break;
        case "-h" or "--help":
            Console.WriteLine("usage: Transmeta.DiffTest [--seed S] [--count N] [--start I] [--backend NAME]... [--batch B] [--threads T] [--no-opt] [--reports R] [--show I] [--coverage]");
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
using var native = NativeHarness.Start();
using var session = new DiffSession(native, TestBackends.Create, optimize);

if (show is long one)
{
    CompiledSequence seq = DiffSession.Generate(seed, one, 1)[0];
    Console.Write(Reducer.Listing(seq));
    Outcome hw = native.Run(seq, wantMemory: true);
    Console.WriteLine($"  hardware:  {hw.Describe(seq.MaskAt(hw.Eip))}");
    foreach (string b in backendNames)
    {
        using var runner = new TransmetaRunner(TestBackends.Create(b), native.Selectors, optimize);
        Outcome tm = runner.Run(seq, wantMemory: true);
        Console.WriteLine($"  {b,-9}: {tm.Describe(seq.MaskAt(hw.Eip))}");
        foreach (string d in Comparison.Differences(seq, hw, tm, out _)) Console.WriteLine($"    * {d}");
    }
    return 0;
}

Console.WriteLine($"differential test: seed {seed}, sequences {start}..{start + count - 1}, backends {string.Join(", ", backendNames)}{(optimize ? "" : " (no IR passes)")}");
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
        Console.WriteLine($"    {b}: translate {tm[0] / (double)Stopwatch.Frequency:F2} s, passes {tm[1] / (double)Stopwatch.Frequency:F2}, verify {tm[2] / (double)Stopwatch.Frequency:F2}, compile {tm[3] / (double)Stopwatch.Frequency:F2}, execute {tm[4] / (double)Stopwatch.Frequency:F2}, blocks {tm[5]}");
        Array.Clear(tm);
        totals[b] = (totals[b].Mismatches + r.Mismatches.Count, totals[b].Time + r.Time);
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
}
