using System.Diagnostics;
using System.Globalization;
using Transmeta.Runner.Profiling;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Commands;

/// <summary>
/// The profiling side of one <c>transmeta run</c>: attached to the machine before the guest
/// starts (block counters, the runtime perf map, the sampler process) and finished after it
/// stops (the hot-block table on stderr, the profile files, the perf map).
/// </summary>
public sealed class ProfileSession : IDisposable
{
    public const string ProfileFileStem = "transmeta-profile";

    private readonly ProfileSettings _settings;
    private readonly Machine _machine;
    private readonly string _image;
    private readonly string _backend;
    private readonly BlockProfiler _profiler = new();
    private readonly SymbolMap _symbols;
    private readonly string _symbolSource;
    private SamplerHost? _sampler;
    private bool _perfMapOn;

    private ProfileSession(ProfileSettings settings, Machine machine, string image, string backend, SymbolMap symbols, string symbolSource)
    {
        _settings = settings;
        _machine = machine;
        _image = image;
        _backend = backend;
        _symbols = symbols;
        _symbolSource = symbolSource;
    }

    /// <summary>Files written by <see cref="Finish"/> (profile JSON, speedscope, folded; the perf map).</summary>
    public List<string> WrittenFiles { get; } = new();
    public ProfileReport? Report { get; private set; }
    public SymbolMap Symbols => _symbols;

    /// <summary>Starts profiling <paramref name="machine"/> (after the image is loaded, before it runs); null when nothing was asked.</summary>
    public static ProfileSession? Start(ProfileSettings? settings, Machine machine, string image, string backend, TextWriter stderr)
    {
        if (settings is null || !settings.Any) return null;
        SymbolMap symbols;
        string source;
        if (settings.Symbols is not null)
        {
            symbols = SymbolMap.FromSystemMap(settings.Symbols.FullName);
            source = settings.Symbols.Name;
        }
        else
        {
            symbols = SymbolMap.FromImage(machine.Image);
            source = symbols.Count > 0 ? "the guest ELF symbol table" : "none (stripped or a.out-kludge image)";
        }
        var session = new ProfileSession(settings, machine, image, backend, symbols, source);
        session._profiler.Attach(machine.Engine, exactCounts: settings.Profile || settings.Sample);
        if (settings.PerfMap)
        {
            try
            {
                RuntimePerfMap.Enable();
                session._perfMapOn = true;
            }
            catch (Exception e)
            {
                stderr.WriteLine($"transmeta: the runtime's perf map could not be enabled (DOTNET_EnableDiagnostics=0?): {e.Message}; only code outside the CLR will be listed");
            }
        }
        if (settings.Sample || settings.PerfMap)
        {
            // Native code the CLR does not know (LLVM blocks) goes to the registry as it is made.
            Action<CachedBlock>? previous = machine.Engine.BlockCompiled;
            machine.Engine.BlockCompiled = b =>
            {
                previous?.Invoke(b);
                NativeCodeRegistry.RegisterBlock(b.Code, symbols.Describe(b.LinearAddress));
            };
        }
        if (settings.Sample)
        {
            try
            {
                session._sampler = SamplerHost.Start(machine, settings.SampleIntervalMs, stderr);
            }
            catch (Exception e)
            {
                stderr.WriteLine($"transmeta: sampler not started: {e.Message}");
            }
        }
        return session;
    }

    /// <summary>Stops sampling, prints the table and writes the files.</summary>
    public void Finish(TextWriter stderr)
    {
        SampleResult? samples = _sampler?.Stop(stderr);
        _sampler = null;

        ProfileReport report = _profiler.Build(_machine, _image, _backend, _symbols, _symbolSource);
        if (samples is not null) BlockProfiler.AddSamples(report, samples);
        Report = report;

        // Blocks whose code is not the CLR's (LLVM) also go to the registry for the perf map.
        foreach (CachedBlock b in _profiler.AllBlocks())
            NativeCodeRegistry.RegisterBlock(b.Code, _symbols.Describe(b.LinearAddress));

        // Native code of the IL blocks, from the runtime's perf map.
        List<NativeCodeRange> runtimeCode = new();
        try
        {
            if (_perfMapOn)
            {
                RuntimePerfMap.Disable();
                _perfMapOn = false;
                runtimeCode = RuntimePerfMap.Read(RuntimePerfMap.CurrentPath);
            }
            else if (_settings.Profile && report.Blocks.Any(b => b.Tier == "il"))
            {
                runtimeCode = SnapshotRuntimeCode();
            }
        }
        catch (Exception e)
        {
            stderr.WriteLine($"transmeta: native code sizes unavailable: {e.Message}");
        }
        var ilCode = new Dictionary<string, NativeCodeRange>();
        foreach (NativeCodeRange r in runtimeCode)
            if (RuntimePerfMap.BlockNameOf(r.Name) is { } name) ilCode[name] = r;
        foreach (BlockProfile b in report.Blocks)
            if (b.NativeBytes == 0 && b.Tier == "il" && ilCode.TryGetValue(b.Name, out var r)) b.NativeBytes = (int)r.Size;

        if (_settings.PerfMap) WritePerfMap(stderr);

        if (_settings.Profile)
        {
            WriteTable(report, _settings.Top, stderr);
            string dir = _settings.OutputDirectory?.FullName ?? Directory.GetCurrentDirectory();
            Directory.CreateDirectory(dir);
            string stem = Path.Combine(dir, ProfileFileStem);
            File.WriteAllText(stem + ".json", ProfileWriters.ToJson(report));
            File.WriteAllText(stem + ".speedscope.json", ProfileWriters.ToSpeedscope(report));
            File.WriteAllText(stem + ".folded", ProfileWriters.ToFolded(report));
            WrittenFiles.AddRange([stem + ".json", stem + ".speedscope.json", stem + ".folded"]);
            stderr.WriteLine($"profile written to {stem}.json, {ProfileFileStem}.speedscope.json (open in https://www.speedscope.app) and {ProfileFileStem}.folded (flamegraph.pl)");
        }
    }

    /// <summary>The runtime's compiled code right now: the perf map switched on (which lists
    /// everything already compiled) and off again, read, and removed.</summary>
    public static List<NativeCodeRange> SnapshotRuntimeCode()
    {
        string path = RuntimePerfMap.CurrentPath;
        bool existed = File.Exists(path);
        RuntimePerfMap.Enable();
        RuntimePerfMap.Disable();
        List<NativeCodeRange> code = RuntimePerfMap.Read(path);
        if (!existed && !RuntimePerfMap.EnabledByEnvironment) File.Delete(path);
        return code;
    }

    private void WritePerfMap(TextWriter stderr)
    {
        string path = RuntimePerfMap.CurrentPath;
        IReadOnlyList<NativeCodeRange> registered = NativeCodeRegistry.Snapshot();
        int blocks = 0;
        if (RuntimePerfMap.EnabledByEnvironment)
        {
            // The runtime still owns the file: only append what it cannot know.
            using var w = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
            foreach (NativeCodeRange r in registered) { w.WriteLine(r.ToPerfMapLine()); blocks++; }
        }
        else
        {
            // Rename the IL blocks after their guest code, add the registry's ranges.
            var lines = new List<string>();
            foreach (NativeCodeRange r in RuntimePerfMap.Read(path))
            {
                if (RuntimePerfMap.BlockNameOf(r.Name) is { } name && uint.TryParse(name.AsSpan(4), NumberStyles.HexNumber, null, out uint addr))
                {
                    lines.Add(new NativeCodeRange(r.Start, r.Size, NativeCodeRegistry.BlockCodeName(name, "il", _symbols.Describe(addr))).ToPerfMapLine());
                    blocks++;
                }
                else lines.Add(r.ToPerfMapLine());
            }
            foreach (NativeCodeRange r in registered) { lines.Add(r.ToPerfMapLine()); blocks++; }
            File.WriteAllLines(path, lines);
        }
        WrittenFiles.Add(path);
        stderr.WriteLine($"perf map written to {path} ({blocks} block code ranges)");
    }

    public static void WriteTable(ProfileReport report, int top, TextWriter w)
    {
        bool sampled = report.Sampling is { Samples: > 0 };
        w.WriteLine();
        w.WriteLine($"hot blocks of {report.Image} [{report.Backend}]: {report.Blocks.Count} blocks, {report.GuestInstructions:N0} guest instructions, {report.WallSeconds:F3} s; symbols from {report.SymbolSource}");
        var t = sampled
            ? new TextTable("#", "<address", "<symbol", "blocks", "executions", "guest insns", "insns %", "time %", "insns/exec", "<tier", "compile ms", "native B")
            : new TextTable("#", "<address", "<symbol", "blocks", "executions", "guest insns", "insns %", "insns/exec", "<tier", "compile ms", "native B");
        int i = 0;
        foreach (BlockProfile b in report.Blocks.Take(top))
        {
            i++;
            var cells = new List<object?>
            {
                i, $"{b.Address:x8}{(b.Invalidated ? "*" : "")}", b.Symbol ?? "?", b.RegionBlocks, b.Executions.ToString("N0"), b.GuestInstructions.ToString("N0"),
                (100 * b.InstructionShare).ToString("F1"),
            };
            if (sampled) cells.Add((100 * (b.TimeShare ?? 0)).ToString("F1"));
            cells.AddRange([b.InstructionsPerExecution.ToString("N0"), b.Tier, b.CompileMs.ToString("F2"), b.NativeBytes > 0 ? b.NativeBytes.ToString("N0") : "-"]);
            t.Add(cells.ToArray());
        }
        w.Write(t.ToString());
        if (report.Blocks.Any(b => b.Invalidated)) w.WriteLine("* invalidated by a write to its code page");
        w.WriteLine("blocks = guest blocks joined in the compiled unit (a region); executions = dispatches; insns/exec far above the unit's length = it loops inside itself.");

        var exits = new TextTable("<VMM exits", "count");
        foreach (NamedCount e in report.Exits) exits.Add(e.Name, e.Count.ToString("N0"));
        foreach (NamedCount h in report.Hypercalls) exits.Add($"  hypercall {h.Name}", h.Count.ToString("N0"));
        w.WriteLine();
        w.Write(exits.ToString());

        if (report.Sampling is { } s)
        {
            w.WriteLine();
            w.WriteLine($"time by component ({s.Samples:N0} samples every {s.IntervalMs:0.##} ms over {s.DurationSeconds:F2} s; VM thread paused {s.MeanPauseMs:F2} ms a sample{(s.Failed > 0 ? $"; {s.Failed} failed" : "")}{(s.Error is null ? "" : "; " + s.Error)})");
            var c = new TextTable("<component", "samples", "%");
            long total = Math.Max(1, s.Samples);
            foreach (var (name, n) in s.Components.OrderByDescending(p => p.Value))
                c.Add(name, n.ToString("N0"), (100.0 * n / total).ToString("F1"));
            w.Write(c.ToString());
        }
    }

    public void Dispose()
    {
        _sampler?.Dispose();
        _sampler = null;
        if (_perfMapOn)
        {
            try { RuntimePerfMap.Disable(); } catch { }
            _perfMapOn = false;
        }
    }
}
