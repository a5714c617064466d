using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Profiling;

/// <summary>
/// The .NET runtime's own perf map (<c>/tmp/perf-PID.map</c>), switched on and off at run time
/// through the runtime's diagnostics IPC (the same command <c>dotnet-trace</c> uses). Enabling it
/// also writes every method already compiled, so the map covers the VMM's own code and every
/// IL block (<c>DynamicMethod</c> <c>blk_XXXXXXXX</c>) with its native start and size.
/// </summary>
public static partial class RuntimePerfMap
{
    public static string PathFor(int pid) => $"/tmp/perf-{pid}.map";
    public static string CurrentPath => PathFor(Environment.ProcessId);

    /// <summary>True when the runtime was started with DOTNET_PerfMapEnabled (it writes the map itself).</summary>
    public static bool EnabledByEnvironment =>
        Environment.GetEnvironmentVariable("DOTNET_PerfMapEnabled") is { } v && v != "0" ||
        Environment.GetEnvironmentVariable("COMPlus_PerfMapEnabled") is { } w && w != "0";

    private static readonly object Gate = new();
    private static int _enabled;

    /// <summary>Starts the runtime's perf map (no-op when the environment already did, or nested).</summary>
    public static void Enable()
    {
        lock (Gate)
        {
            if (_enabled++ > 0 || EnabledByEnvironment) return;
            new DiagnosticsClient(Environment.ProcessId).EnablePerfMap(PerfMapType.PerfMap);
        }
    }

    /// <summary>Stops it, which flushes and closes the file (no-op when the environment enabled it).</summary>
    public static void Disable()
    {
        lock (Gate)
        {
            if (_enabled == 0 || --_enabled > 0 || EnabledByEnvironment) return;
            new DiagnosticsClient(Environment.ProcessId).DisablePerfMap();
        }
    }

    /// <summary>Reads a perf map; lines that do not parse are skipped.</summary>
    public static List<NativeCodeRange> Read(string path)
    {
        var result = new List<NativeCodeRange>();
        if (!File.Exists(path)) return result;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (NativeCodeRange.TryParse(line, out var r)) result.Add(r);
        return result;
    }

    [GeneratedRegex(@"dynamicClass::(blk_[0-9a-f]{8})\(")]
    private static partial Regex DynamicBlock();

    /// <summary>The guest block a runtime perf-map name stands for (<c>... dynamicClass::blk_00101234(object,...)[Optimized]</c>), or null.</summary>
    public static string? BlockNameOf(string perfMapName)
    {
        Match m = DynamicBlock().Match(perfMapName);
        return m.Success ? m.Groups[1].Value : null;
    }

    // --- IL blocks: the DynamicMethod's MethodDesc and its native code ---

    /// <summary>JIT-compiles a DynamicMethod now (if it is not yet) and returns its native entry
    /// point; 0 if the runtime hides it.</summary>
    public static nint PrepareDynamicMethod(DynamicMethod method) => Transmeta.Backend.Il.IlCompiler.Prepare(method);
}
