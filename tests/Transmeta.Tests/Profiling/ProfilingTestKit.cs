using Xunit;

namespace Transmeta.Tests.Profiling;

/// <summary>Profiling tests share the process-wide runtime perf map: run them one at a time.</summary>
[CollectionDefinition("Profiling", DisableParallelization = true)]
public sealed class ProfilingCollection;

internal static class ProfilingTestKit
{
    /// <summary>crc32-small's hot loop: the byte loop of crc32() (<c>crc = table[(crc ^ *p++) &amp; 0xff] ^ (crc &gt;&gt; 8)</c>),
    /// inlined into main; it jumps back to its own start, so it loops inside the block.</summary>
    public const uint Crc32HotLoop = 0x00100260;
    public const string Crc32HotLoopSymbol = "main+0x100";

    public static (int Status, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int status = Transmeta.Runner.Program.Run(args, stdout, stderr);
        return (status, stdout.ToString(), stderr.ToString());
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "transmeta-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
