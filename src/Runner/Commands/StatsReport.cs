using Transmeta.Backend.Il;
using Transmeta.Vmm;

namespace Transmeta.Runner.Commands;

/// <summary>The <c>--stats</c> summary, on stderr so stdout stays the guest's serial output.</summary>
public static class StatsReport
{
    /// <param name="measureIlCode">Include the IL units in the native code size: their sizes are
    /// read from a snapshot of the runtime's code map, which costs about 0.1 s (the benchmark
    /// asks for it in an untimed run).</param>
    public static unsafe void Write(Machine machine, string backend, TextWriter w, bool measureIlCode = false)
    {
        var s = machine.Stats;
        var cache = machine.Engine.Cache;
        ulong insns = machine.Cpu->Retired;
        double seconds = s.Wall.Elapsed.TotalSeconds;
        w.WriteLine($"backend               {backend}");
        w.WriteLine($"guest instructions    {insns:N0}");
        w.WriteLine($"blocks translated     {s.BlocksTranslated:N0}");
        w.WriteLine($"blocks executed       {s.BlocksExecuted:N0}");
        w.WriteLine($"cache hits / misses   {cache.Hits:N0} / {cache.Misses:N0}");
        w.WriteLine($"invalidations         {cache.Invalidations:N0} pages, {cache.BlocksInvalidated:N0} blocks");
        w.WriteLine($"self-modifying exits  {s.CodeModifiedExits:N0}");
        w.WriteLine($"slow-path exits       {s.SlowExits:N0} (an assumed x87 TOP or control word did not hold, or a memory probe was refused)");
        w.WriteLine($"grouped accesses      {s.GroupedAccesses:N0} translated behind shared probes; probes {machine.Memory.SlowProbes:N0} missed the TLB, {machine.Memory.RefusedProbes:N0} refused");
        w.WriteLine($"faults delivered      {s.Faults:N0}");
        w.WriteLine($"translate time        {s.TranslateTime.TotalMilliseconds:F1} ms (decode, lift, optimize)");
        w.WriteLine($"compile time          {s.CompileTime.TotalMilliseconds:F1} ms");
        if (machine.Engine.Tiering is null && s.BlockCompileMs.Count > 0)
            w.WriteLine($"compile per block     {Medians.Of(s.BlockCompileMs):F3} ms median");
        if (machine.Engine.Tiering is { } t)
        {
            long total = Math.Max(1, t.InstructionsExecuted.Sum());
            for (int i = 0; i < t.Tiers.Count; i++)
                w.WriteLine($"tier {t.Tiers[i].Compiler.Name,-8}{t.BlocksCompiled[i],10:N0} blocks {t.CompileTime[i].TotalMilliseconds,9:F1} ms compile " +
                            $"({Medians.Of(t.BlockCompileMs[i]),7:F3} ms median per block) {100.0 * t.InstructionsExecuted[i] / total,6:F1}% of instructions");
            for (int i = 0; i < t.Tiers.Count; i++)
                if (t.Declined[i] > 0)
                    w.WriteLine($"tier {t.Tiers[i].Compiler.Name,-8}{t.Declined[i],10:N0} units declined (first: {t.FirstDeclineReason[i]})");
            if (t.Note is not null) w.WriteLine($"tier note             {t.Note}");
            if (t.Failures > 0) w.WriteLine($"tier compile failures {t.Failures} (first: {t.FirstFailure?.Message})");
        }
        if (backend != "interp")
        {
            if (!measureIlCode && machine.Engine.Cache.Blocks.Any(b => b.Code is IlCompiledBlock))
                w.WriteLine("native code           - (the IL units' size needs --code-size)");
            else if (NativeCodeSize(machine) is { } perInsn)
                w.WriteLine($"native code           {perInsn:F1} bytes/guest instruction (units in the cache at the end)");
        }
        foreach (var (kind, count) in s.Hypercalls)
            w.WriteLine($"hypercall {kind,-12}{count,10:N0}");
        w.WriteLine($"wall time             {seconds:F3} s");
        w.WriteLine($"guest thread CPU      {s.GuestThreadCpu.TotalSeconds:F3} s ({s.TranslateCompileCpu.TotalSeconds:F3} s translating and compiling on it)");
        w.WriteLine($"execution CPU         {s.ExecutionCpu.TotalSeconds:F3} s (generated code, helpers, dispatcher)");
        w.WriteLine($"guest MIPS            {(seconds > 0 ? insns / seconds / 1e6 : 0):F1}");
    }

    /// <summary>Native code bytes per guest instruction over the compiled units still cached (IL
    /// sizes come from the runtime's own code map); null when nothing was compiled or the sizes
    /// cannot be read.</summary>
    private static double? NativeCodeSize(Machine machine)
    {
        try
        {
            return BenchCommand.NativeBytesPerInstruction(machine.Engine.Cache.Blocks);
        }
        catch (Exception)
        {
            return null; // the runtime's code map is a diagnostics feature; statistics go on without it
        }
    }
}
