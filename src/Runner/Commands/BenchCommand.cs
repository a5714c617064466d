using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Transmeta.Backend.Il;
using Transmeta.IR;
using Transmeta.Runner.Profiling;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Transmeta.Vmm.Loaders;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Commands;

/// <summary>
/// <c>transmeta bench IMAGE... [--backends interp,il,...] [--runs N]</c>: runs every image under
/// every backend (one untimed warm-up run, then N timed runs, each on a fresh machine) and prints
/// one table of medians with the speedup over the interpreter; writes an SVG bar chart.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var images = new Argument<FileInfo[]>("IMAGE") { Description = "Guest images to run", Arity = ArgumentArity.OneOrMore };
        var backends = new Option<string>("--backends") { Description = $"Comma-separated backends ({string.Join(", ", BackendFactory.Names)})", DefaultValueFactory = _ => string.Join(',', BackendFactory.Names) };
        var runs = new Option<int>("--runs") { Description = "Timed runs per image and backend (the median is reported)", DefaultValueFactory = _ => 3 };
        runs.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--runs must be at least 1"); });
        var svg = new Option<FileInfo>("--svg") { Description = "Where to write the chart", DefaultValueFactory = _ => new FileInfo("transmeta-bench.svg") };
        var mem = new Option<int>("--mem") { Description = "Guest RAM in MiB", DefaultValueFactory = _ => 128 };
        var maxInsns = new Option<ulong>("--max-instructions") { Description = "Stop each run after about N guest instructions (0 = no limit)" };
        var noWarmup = new Option<bool>("--no-warmup") { Description = "Skip the untimed warm-up run (native code sizes are then not measured for il)" };
        var command = new Command("bench", "Run guest images under several backends and compare them (table of medians, SVG chart)")
        {
            images, backends, runs, svg, mem, maxInsns, noWarmup,
        };
        command.SetAction(parse =>
        {
            string[] names = parse.GetValue(backends)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            TextWriter stderr = parse.InvocationConfiguration.Error ?? Console.Error;
            TextWriter stdout = parse.InvocationConfiguration.Output ?? Console.Out;
            foreach (string n in names)
                if (!BackendFactory.Names.Contains(n))
                {
                    stderr.WriteLine($"transmeta: unknown backend '{n}' (choose from {string.Join(", ", BackendFactory.Names)})");
                    return ExitStatus.UsageError;
                }
            foreach (FileInfo f in parse.GetValue(images)!)
                if (!f.Exists)
                {
                    stderr.WriteLine($"transmeta: {f.FullName}: no such file");
                    return ExitStatus.UsageError;
                }
            var options = new BenchOptions(parse.GetValue(runs), parse.GetValue(mem), parse.GetValue(maxInsns), !parse.GetValue(noWarmup));
            return Execute(parse.GetValue(images)!, names, options, parse.GetValue(svg)!, stdout, stderr);
        });
        return command;
    }

    public sealed record BenchOptions(int Runs, int MemMiB, ulong MaxInstructions, bool Warmup);

    /// <summary>One run's measurements.</summary>
    public sealed record RunMeasure(double WallSeconds, ulong Instructions, double TranslateMs, double CompileMs, long BlocksCompiled, int Status);

    /// <summary>Medians for one image under one backend.</summary>
    public sealed record BenchRow(string Image, string Backend, double WallSeconds, double Mips, double TranslateMs, double CompileMs,
        long BlocksCompiled, double? NativeBytesPerInstruction, double? Speedup, int Status, string? Error);

    private static int Execute(FileInfo[] images, string[] backends, BenchOptions options, FileInfo svg, TextWriter stdout, TextWriter stderr)
    {
        bool interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        List<BenchRow> rows;
        if (interactive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            rows = console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var tasks = images.ToDictionary(i => i.FullName,
                        i => ctx.AddTask(Markup.Escape(i.Name), maxValue: backends.Length * (options.Runs + (options.Warmup ? 1 : 0))));
                    return RunAll(images, backends, options, (image, backend, run) =>
                    {
                        var t = tasks[image.FullName];
                        t.Description = Markup.Escape($"{image.Name} [{backend}] {run}");
                        t.Increment(1);
                    });
                });
        }
        else
        {
            rows = RunAll(images, backends, options, (image, backend, run) => stderr.WriteLine($"bench: {image.Name} [{backend}] {run}"));
        }
        stdout.Write(FormatTable(rows));
        File.WriteAllText(svg.FullName, RenderSvg(rows));
        stderr.WriteLine($"chart written to {svg.FullName}");
        return rows.Any(r => r.Error is not null) ? 1 : 0;
    }

    public static List<BenchRow> RunAll(FileInfo[] images, string[] backends, BenchOptions options, Action<FileInfo, string, string> progress)
    {
        var rows = new List<BenchRow>();
        foreach (FileInfo image in images)
        {
            byte[] bytes = File.ReadAllBytes(image.FullName);
            var perImage = new List<BenchRow>();
            foreach (string backend in backends)
            {
                try
                {
                    double? nativePerInsn = null;
                    if (options.Warmup)
                    {
                        progress(image, backend, "warm-up");
                        RunOnce(bytes, image.Name, backend, options, measureNative: true, out nativePerInsn);
                    }
                    var measures = new List<RunMeasure>();
                    for (int r = 1; r <= options.Runs; r++)
                    {
                        progress(image, backend, $"run {r}/{options.Runs}");
                        measures.Add(RunOnce(bytes, image.Name, backend, options, measureNative: false, out _));
                    }
                    double wall = Median(measures.Select(m => m.WallSeconds));
                    ulong insns = measures[0].Instructions;
                    perImage.Add(new BenchRow(image.Name, backend, wall, wall > 0 ? insns / wall / 1e6 : 0,
                        Median(measures.Select(m => m.TranslateMs)), Median(measures.Select(m => m.CompileMs)),
                        (long)Median(measures.Select(m => (double)m.BlocksCompiled)), nativePerInsn, null, measures[^1].Status, null));
                }
                catch (Exception e)
                {
                    perImage.Add(new BenchRow(image.Name, backend, 0, 0, 0, 0, 0, null, null, -1, e.Message));
                }
            }
            BenchRow? interp = perImage.FirstOrDefault(r => r.Backend == "interp" && r.Error is null);
            foreach (BenchRow r in perImage)
                rows.Add(interp is null || r.Error is not null || r.WallSeconds <= 0 ? r : r with { Speedup = interp.WallSeconds / r.WallSeconds });
        }
        return rows;
    }

    private static unsafe RunMeasure RunOnce(byte[] image, string name, string backend, BenchOptions options, bool measureNative, out double? nativePerInsn)
    {
        nativePerInsn = null;
        TieredCompilation? tiering = backend == "tiered" ? BackendFactory.CreateTiered() : null;
        using var machine = new Machine(new MachineOptions
        {
            MemoryMiB = options.MemMiB,
            Backend = tiering?.Tiers[0].Compiler ?? BackendFactory.Create(backend),
            Tiering = tiering,
        });
        var profiler = new BlockProfiler();
        profiler.Attach(machine.Engine, exactCounts: false); // sizes only: keep chaining, as a plain run has it
        machine.LoadMultiboot(image, name);
        RunResult result = machine.Run(options.MaxInstructions);
        var stats = machine.Stats;
        long compiled = tiering is not null ? tiering.BlocksCompiled.Skip(1).Sum() : backend == "interp" ? 0 : stats.BlocksTranslated;
        if (measureNative) nativePerInsn = NativeBytesPerInstruction(profiler.AllBlocks(machine.Engine.Cache));
        return new RunMeasure(stats.Wall.Elapsed.TotalSeconds, machine.Cpu->Retired, stats.TranslateTime.TotalMilliseconds,
            stats.CompileTime.TotalMilliseconds + (tiering?.CompileTime.Skip(1).Sum(t => t.TotalMilliseconds) ?? 0),
            compiled, result.ExitStatus);
    }

    /// <summary>Native code bytes per guest instruction over the compiled blocks (static: each
    /// block counted once); null when nothing was compiled to native code.</summary>
    public static double? NativeBytesPerInstruction(IEnumerable<CachedBlock> blocks)
    {
        var list = blocks.ToList();
        Dictionary<ulong, ulong>? runtimeSizes = null;
        long bytes = 0, insns = 0;
        foreach (CachedBlock b in list)
        {
            long size = 0;
            if (b.Code is IlCompiledBlock il)
            {
                runtimeSizes ??= ProfileSession.SnapshotRuntimeCode().GroupBy(r => r.Start).ToDictionary(g => g.Key, g => g.Last().Size);
                nint entry = RuntimePerfMap.PrepareDynamicMethod(il.Method);
                if (entry != 0 && runtimeSizes.TryGetValue((ulong)entry, out ulong s)) size = (long)s;
            }
            else if (b.Code.NativeCodeBytes > 0) size = b.Code.NativeCodeBytes;
            else if (NativeCodeRegistry.Resolve(b.Code) is { } r) size = (long)r.Size;
            if (size <= 0) continue;
            bytes += size;
            insns += UnitShape.Of(b.Ir).Instructions;
        }
        return insns == 0 ? null : (double)bytes / insns;
    }

    private static double Median(IEnumerable<double> values) => Medians.Of(values);

    public static string FormatTable(IReadOnlyList<BenchRow> rows)
    {
        var t = new TextTable("<image", "<backend", "wall s", "guest MIPS", "translate ms", "compile ms", "blocks compiled", "native B/insn", "speedup", "status");
        foreach (BenchRow r in rows)
        {
            if (r.Error is not null)
            {
                t.Add(r.Image, r.Backend, "-", "-", "-", "-", "-", "-", "-", "error: " + r.Error);
                continue;
            }
            t.Add(r.Image, r.Backend, r.WallSeconds.ToString("F3", CultureInfo.InvariantCulture), r.Mips.ToString("F1", CultureInfo.InvariantCulture),
                r.TranslateMs.ToString("F1", CultureInfo.InvariantCulture), r.CompileMs.ToString("F1", CultureInfo.InvariantCulture),
                r.BlocksCompiled.ToString(CultureInfo.InvariantCulture),
                r.NativeBytesPerInstruction is { } n ? n.ToString("F1", CultureInfo.InvariantCulture) : "-",
                r.Speedup is { } s ? s.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-",
                r.Status.ToString(CultureInfo.InvariantCulture));
        }
        return t + "medians; speedup = interpreter wall time / backend wall time on the same image; native B/insn over the compiled blocks (measured in the warm-up run).\n";
    }

    /// <summary>A grouped bar chart of guest MIPS: one group per image, one bar per backend.</summary>
    public static string RenderSvg(IReadOnlyList<BenchRow> rows)
    {
        string[] images = rows.Select(r => r.Image).Distinct().ToArray();
        string[] backends = rows.Select(r => r.Backend).Distinct().ToArray();
        string[] palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];
        const int barWidth = 18, groupGap = 24, left = 60, top = 40, plotHeight = 240, bottom = 70;
        int groupWidth = backends.Length * barWidth + groupGap;
        int width = left + Math.Max(1, images.Length) * groupWidth + 140;
        int height = top + plotHeight + bottom;
        double max = Math.Max(1e-9, rows.Where(r => r.Error is null).Select(r => r.Mips).DefaultIfEmpty(1).Max());
        double scale = NiceCeiling(max);
        var inv = CultureInfo.InvariantCulture;
        string X(double v) => v.ToString("0.##", inv);
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append($"<title>transmeta bench: guest MIPS by backend</title>\n");
        sb.Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append($"<text x=\"{left}\" y=\"20\" font-size=\"14\">Guest MIPS (median) by image and backend</text>\n");
        for (int i = 0; i <= 4; i++)
        {
            double v = scale * i / 4;
            double y = top + plotHeight - plotHeight * i / 4.0;
            sb.Append($"<line x1=\"{left}\" y1=\"{X(y)}\" x2=\"{width - 140}\" y2=\"{X(y)}\" stroke=\"#ddd\"/>");
            sb.Append($"<text x=\"{left - 6}\" y=\"{X(y + 4)}\" text-anchor=\"end\">{X(v)}</text>\n");
        }
        for (int g = 0; g < images.Length; g++)
        {
            int gx = left + g * groupWidth + groupGap / 2;
            for (int b = 0; b < backends.Length; b++)
            {
                BenchRow? r = rows.FirstOrDefault(r => r.Image == images[g] && r.Backend == backends[b]);
                if (r is null || r.Error is not null) continue;
                double h = plotHeight * r.Mips / scale;
                double x = gx + b * barWidth;
                sb.Append($"<rect x=\"{X(x)}\" y=\"{X(top + plotHeight - h)}\" width=\"{barWidth - 2}\" height=\"{X(h)}\" fill=\"{palette[b % palette.Length]}\">");
                sb.Append($"<title>{Escape(images[g])} [{Escape(backends[b])}]: {r.Mips.ToString("F1", inv)} MIPS, {r.WallSeconds.ToString("F3", inv)} s</title></rect>\n");
            }
            sb.Append($"<text x=\"{X(gx + backends.Length * barWidth / 2.0)}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\">{Escape(images[g])}</text>\n");
        }
        sb.Append($"<line x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{width - 140}\" y2=\"{top + plotHeight}\" stroke=\"black\"/>\n");
        for (int b = 0; b < backends.Length; b++)
        {
            int ly = top + 10 + b * 18;
            sb.Append($"<rect x=\"{width - 125}\" y=\"{ly - 10}\" width=\"12\" height=\"12\" fill=\"{palette[b % palette.Length]}\"/>");
            sb.Append($"<text x=\"{width - 108}\" y=\"{ly}\">{Escape(backends[b])}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static double NiceCeiling(double v)
    {
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
