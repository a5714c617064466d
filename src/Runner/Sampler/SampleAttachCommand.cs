using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Diagnostics.Runtime;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Sampler;

/// <summary>
/// <c>transmeta sample-attach PID --tid TID ...</c> (hidden): the sampling profiler's second
/// process. It attaches ClrMD to the VM process (reading its memory, no suspension), and every
/// interval stops the guest-CPU thread alone (ptrace), walks its managed stack, reads the guest
/// EIP from the CpuState, and lets the thread go. Each sample is attributed to a guest block and
/// a VMM component; the totals go to a JSON file when stdin says "stop" or the process ends.
/// </summary>
public static class SampleAttachCommand
{
    public static Command Create()
    {
        var pid = new Argument<int>("PID") { Description = "The VM process" };
        var tid = new Option<int>("--tid") { Description = "OS thread id of the guest-CPU thread", Required = true };
        var interval = new Option<double>("--interval") { Description = "Milliseconds between samples", DefaultValueFactory = _ => 10 };
        var eipAddress = new Option<string>("--eip-address") { Description = "Address (hex) of CpuState.Eip in the VM process" };
        var codemap = new Option<string?>("--codemap") { Description = "Registry file of native code ranges (perf map lines)" };
        var output = new Option<string>("--out") { Description = "Where to write the result (JSON)", Required = true };
        var command = new Command("sample-attach", "Sample a running transmeta process (used by run --sample)")
        {
            pid, tid, interval, eipAddress, codemap, output,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            ulong eip = parse.GetValue(eipAddress) is { } s ? Convert.ToUInt64(s, 16) : 0;
            var sampler = new ClrSampler(parse.GetValue(pid), parse.GetValue(tid), parse.GetValue(interval), eip, parse.GetValue(codemap));
            SampleResult result = sampler.Run(Console.In, Console.Out);
            File.WriteAllText(parse.GetValue(output)!, JsonSerializer.Serialize(result, ProfileWriters.JsonOptions));
            return 0;
        });
        return command;
    }
}

/// <summary>The sampling loop and the attribution rules.</summary>
public sealed class ClrSampler(int pid, int tid, double intervalMs, ulong eipAddress, string? codemapPath)
{
    private const int MaxFrames = 48;
    private static readonly bool Debug = Environment.GetEnvironmentVariable("TRANSMETA_SAMPLER_DEBUG") == "1";
    private readonly SampleResult _result = new() { IntervalMs = intervalMs };
    private List<NativeCodeRange> _codemap = new();
    private long _codemapLength = -1;

    public SampleResult Run(TextReader control, TextWriter ready)
    {
        var total = Stopwatch.StartNew();
        double pauseMs = 0, walkMs = 0, stopMs = 0;
        try
        {
            using DataTarget target = DataTarget.AttachToProcess(pid, suspend: false);
            ClrInfo clr = target.ClrVersions.FirstOrDefault() ?? throw new InvalidOperationException("no CLR in the process");
            string dac = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libmscordaccore.so");
            using ClrRuntime runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();

            bool stop = false;
            var reader = new Thread(() =>
            {
                try { while (control.ReadLine() is { } line && line.Trim() != "stop") { } } catch { }
                Volatile.Write(ref stop, true);
            }) { IsBackground = true };
            reader.Start();
            ready.WriteLine("ready");
            ready.Flush();

            var clock = Stopwatch.StartNew();
            long next = 0;
            long intervalTicks = (long)(intervalMs * Stopwatch.Frequency / 1000);
            while (!Volatile.Read(ref stop))
            {
                next += intervalTicks;
                long wait = next - clock.ElapsedTicks;
                if (wait > 0) Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
                else next = clock.ElapsedTicks; // fell behind: do not burst
                if (Volatile.Read(ref stop)) break;
                if (!Ptrace.ProcessAlive(pid)) break;

                long t0 = Stopwatch.GetTimestamp();
                bool stopped = Ptrace.Stop(tid, out int signal, out string? error);
                stopMs += Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (!stopped)
                {
                    _result.Failed++;
                    if (_result.Failed > 50 && _result.Samples == 0) { _result.Error = error; break; }
                    continue;
                }
                try
                {
                    long t1 = Stopwatch.GetTimestamp();
                    Sample(target, runtime);
                    walkMs += Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
                }
                catch (Exception e)
                {
                    _result.Failed++;
                    _result.Error ??= e.Message;
                }
                finally
                {
                    Ptrace.Release(tid, signal);
                    pauseMs += Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
            }
        }
        catch (Exception e)
        {
            _result.Error = e.Message;
            ready.WriteLine("failed: " + e.Message);
            ready.Flush();
        }
        int taken = _result.Samples + _result.Failed;
        _result.MeanPauseMs = taken == 0 ? 0 : pauseMs / taken;
        _result.MeanWalkMs = _result.Samples == 0 ? 0 : walkMs / _result.Samples;
        if (Debug) Console.Error.WriteLine($"sampler: {taken} samples, mean stop {stopMs / Math.Max(1, taken):F3} ms, walk {_result.MeanWalkMs:F3} ms, pause {_result.MeanPauseMs:F3} ms; flushes {FlushMs:F0} ms ({FullFlushes} full); {Fallbacks} ClrMD walks {FallbackMs:F0} ms");
        _result.DurationSeconds = total.Elapsed.TotalSeconds;
        return _result;
    }

    private readonly Dictionary<ulong, string> _names = new();
    private readonly HashSet<ulong> _unknown = new();
    private bool _flushed;
    private long _lastFullFlush;
    public double FlushMs { get; private set; }
    public double FallbackMs { get; private set; }
    public int Fallbacks { get; private set; }
    private ClrThread? _thread;
    public int FullFlushes { get; private set; }

    /// <summary>The frame name of a code address, or null for code the CLR does not know.
    /// Cached. A miss asks the DAC; if it does not know the address either, its caches and the
    /// process's memory map are refreshed (new code keeps being compiled) at most every 200 ms,
    /// and the address counts as unknown until the next refresh.</summary>
    private string? NameOf(DataTarget target, ClrRuntime runtime, ulong ip)
    {
        if (_names.TryGetValue(ip, out string? name)) return name;
        if (_unknown.Contains(ip)) return null;
        ClrMethod? m = runtime.GetMethodByInstructionPointer(ip);
        if (m is null && Stopwatch.GetElapsedTime(_lastFullFlush).TotalMilliseconds > 200)
        {
            Flush(target, runtime, full: true);
            m = runtime.GetMethodByInstructionPointer(ip);
        }
        if (m is null)
        {
            _unknown.Add(ip);
            return null;
        }
        return _names[ip] = FrameName(m);
    }

    private void Flush(DataTarget target, ClrRuntime runtime, bool full)
    {
        long t0 = Stopwatch.GetTimestamp();
        // The process maps new code and heap pages as it runs: re-read its memory map (the
        // reader only reads inside known mappings) on a full refresh; drop the DAC's caches.
        if (full)
        {
            target.DataReader.FlushCachedData();
            _lastFullFlush = t0;
            _unknown.Clear();
            FullFlushes++;
        }
        runtime.FlushCachedData();
        _flushed = true;
        FlushMs += Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    private void Sample(DataTarget target, ClrRuntime runtime)
    {
        _flushed = false;
        var frames = new List<string>(); // innermost first
        (ulong rip, ulong rsp, ulong rbp) = Registers(target);
        if (rip == 0)
        {
            Flush(target, runtime, full: true); // the reader's thread list may be stale
            (rip, rsp, rbp) = Registers(target);
        }
        // Generated code the CLR does not know (LLVM blocks): the registry names it.
        string? nativeBlock = null;
        if (codemapPath is not null)
        {
            RefreshCodemap();
            foreach (NativeCodeRange r in _codemap)
                if (r.Contains(rip)) { nativeBlock = r.Name; break; }
        }
        // Frame-pointer walk (JIT-compiled code keeps RBP frames), naming each return address
        // through the DAC; ClrMD's own stack walk when that finds no managed frame (a leaf in
        // native runtime code without frame pointers, a transition frame).
        ulong ip = rip, fp = rbp;
        bool managed = false;
        for (int i = 0; i < MaxFrames && ip != 0; i++)
        {
            if (i == 0 && nativeBlock is not null) frames.Add("[native]");
            else if (NameOf(target, runtime, ip) is { } name)
            {
                frames.Add(name);
                managed = true;
            }
            else if (i == 0) frames.Add("[native]");
            if (fp == 0 || fp < rsp || fp - rsp > 64 << 20) break;
            if (!target.DataReader.Read(fp + 8, out ulong ret) || !target.DataReader.Read(fp, out ulong next)) break;
            if (next != 0 && next <= fp) break;
            ip = ret;
            fp = next;
        }
        ClrThread? thread = null;
        if (!managed)
        {
            long f0 = Stopwatch.GetTimestamp();
            Fallbacks++;
            if (!_flushed) Flush(target, runtime, full: false);
            thread = _thread ??= runtime.Threads.FirstOrDefault(t => t.OSThreadId == (uint)tid);
            frames.Clear();
            if (thread is not null)
                foreach (ClrStackFrame f in thread.EnumerateStackTrace())
                {
                    if (f.Method is { } m) frames.Add(FrameName(m));
                    if (frames.Count >= MaxFrames) break;
                }
            if (frames.Count == 0 || rip != 0 && (nativeBlock is not null || NameOf(target, runtime, rip) is null)) frames.Insert(0, "[native]");
            FallbackMs += Stopwatch.GetElapsedTime(f0).TotalMilliseconds;
        }
        if (Debug && _result.Samples < 8)
            Console.Error.WriteLine($"sample {_result.Samples}: rip={rip:x} rsp={rsp:x} rbp={rbp:x} {(managed ? "fp walk" : "clrmd walk")}: {string.Join(" <- ", frames.Take(8))}");
        uint eip = 0;
        if (eipAddress != 0) target.DataReader.Read(eipAddress, out eip);


        string component = Classify(frames, nativeBlock is not null);
        string? blockFrame = frames.FirstOrDefault(f => f.StartsWith("blk_", StringComparison.Ordinal));
        string block = blockFrame is not null ? blockFrame[4..12] : nativeBlock is not null && nativeBlock.StartsWith("blk_") ? nativeBlock[4..12] : eip.ToString("x8");

        _result.Samples++;
        Increment(_result.Components, component);
        Increment(_result.Blocks, block);
        Increment(_result.Stacks, Fold(frames, block, nativeBlock));
    }

    private (ulong Rip, ulong Rsp, ulong Rbp) Registers(DataTarget target)
    {
        // AMD64 CONTEXT (what ClrMD hands the DAC): Rsp at 0x98, Rbp at 0xA0, Rip at 0xF8.
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return default;
        Span<byte> context = stackalloc byte[0x4d0];
        if (!target.DataReader.GetThreadContext((uint)tid, 0x10001F, context)) return default;
        return (BitConverter.ToUInt64(context[0xF8..]), BitConverter.ToUInt64(context[0x98..]), BitConverter.ToUInt64(context[0xA0..]));
    }

    private void RefreshCodemap()
    {
        if (codemapPath is null || !File.Exists(codemapPath)) return;
        long length = new FileInfo(codemapPath).Length;
        if (length == _codemapLength) return;
        _codemapLength = length;
        var ranges = new List<NativeCodeRange>();
        using var stream = new FileStream(codemapPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (NativeCodeRange.TryParse(line, out var r)) ranges.Add(r);
        _codemap = ranges;
    }

    private static void Increment(Dictionary<string, long> d, string key) => d[key] = d.GetValueOrDefault(key) + 1;

    /// <summary><c>Type.Method</c> (namespaces kept for ours, so the rules can match them);
    /// DynamicMethods are just their name (<c>blk_00100260</c>).</summary>
    public static string FrameName(ClrMethod m)
    {
        string name = m.Name ?? "?";
        if (name.StartsWith("blk_", StringComparison.Ordinal)) return name.Length >= 12 ? name[..12] : name;
        string type = m.Type?.Name ?? "";
        if (type.Length == 0 || type == "dynamicClass") return name;
        int generic = type.IndexOf('<');
        if (generic > 0) type = type[..generic];
        return type + "." + name;
    }

    /// <summary>What the host was doing, from the innermost frame that says it.</summary>
    public static string Classify(IReadOnlyList<string> innermostFirst, bool inNativeBlock)
    {
        if (inNativeBlock) return "guest code (native)";
        foreach (string f in innermostFirst)
        {
            if (f == "[native]") continue;
            if (f.StartsWith("blk_", StringComparison.Ordinal)) return "guest code (il)";
            if (f.StartsWith("Transmeta.Backend.Interp", StringComparison.Ordinal)) return "interpreter";
            if (f.StartsWith("Transmeta.Vmm.Memory.", StringComparison.Ordinal)) return "soft-TLB slow path / memory";
            if (f.StartsWith("Transmeta.Vmm.Devices.", StringComparison.Ordinal) || f.StartsWith("Transmeta.Vmm.Io.", StringComparison.Ordinal)) return "devices";
            if (f.StartsWith("Transmeta.Vmm.Execution.HypercallHandler", StringComparison.Ordinal) || f.StartsWith("Transmeta.Vmm.Execution.SegmentLoader", StringComparison.Ordinal)) return "hypercalls";
            if (f.StartsWith("Transmeta.Vmm.Execution.ExceptionDelivery", StringComparison.Ordinal)) return "exception delivery";
            if (f.StartsWith("Transmeta.Frontend.Helpers", StringComparison.Ordinal) || f.StartsWith("Transmeta.Frontend.Fpu", StringComparison.Ordinal) || f.StartsWith("Transmeta.IR.Runtime", StringComparison.Ordinal)) return "helpers (called by guest code)";
            if (f.StartsWith("Transmeta.IR.Passes", StringComparison.Ordinal)) return "IR passes";
            if (f.StartsWith("Transmeta.Frontend", StringComparison.Ordinal) || f.StartsWith("Iced.", StringComparison.Ordinal)) return "translator (decode, lift)";
            if (f.StartsWith("Transmeta.Backend.Il", StringComparison.Ordinal) || f.StartsWith("System.Reflection.Emit", StringComparison.Ordinal)) return "compiler (il)";
            if (f.StartsWith("Transmeta.Backend.LLVM", StringComparison.Ordinal)) return "compiler (llvm)";
            if (f.StartsWith("Transmeta.Vmm.Execution.", StringComparison.Ordinal)) return "dispatcher";
        }
        return innermostFirst.All(f => f == "[native]") ? "runtime (no managed frame: GC, JIT, native)" : "runtime / other managed code";
    }

    /// <summary>The folded stack, outermost first, from the dispatcher down; the running guest
    /// block is put under the dispatcher when no generated-code frame names it.</summary>
    public static string Fold(IReadOnlyList<string> innermostFirst, string block, string? nativeBlock)
    {
        var outer = innermostFirst.Reverse().ToList();
        int run = outer.FindIndex(f => f.StartsWith("Transmeta.Vmm.Execution.ExecutionEngine.Run", StringComparison.Ordinal));
        if (run > 0) outer.RemoveRange(0, run);
        bool named = outer.Any(f => f.StartsWith("blk_", StringComparison.Ordinal));
        if (!named)
        {
            int at = run >= 0 ? 1 : outer.Count;
            outer.Insert(Math.Min(at, outer.Count), "blk_" + block);
        }
        if (nativeBlock is not null) outer.Add("[native " + nativeBlock + "]");
        if (outer.Count == 0) outer.Add("[no managed frame]");
        return string.Join(';', outer.Select(f => f.Replace(';', ',')));
    }
}
