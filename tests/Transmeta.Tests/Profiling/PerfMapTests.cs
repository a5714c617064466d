using System.Text.RegularExpressions;
using Transmeta.Tests.Support;
using Transmeta.Vmm.Profiling;
using Xunit;

namespace Transmeta.Tests.Profiling;

[Collection("Profiling")]
public class PerfMapTests
{
    /// <summary>Every backend that makes code (il; llvm where the backend exists and libLLVM loads).</summary>
    public static TheoryData<string> CompilingBackends()
    {
        var data = new TheoryData<string>();
        foreach (string name in Transmeta.Runner.BackendFactory.Names)
            if (name is not ("interp" or "tiered")) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CompilingBackends))]
    public void EveryPerfMapLineParsesAndEveryCompiledBlockHasOne(string backend)
    {
        string dir = ProfilingTestKit.TempDir();
        string path = $"/tmp/perf-{Environment.ProcessId}.map";
        try
        {
            var (status, _, err) = ProfilingTestKit.Run("run", GuestImageFiles.Image("crc32-small"), "--backend", backend, "--perf-map", "--profile", "--profile-out", dir);
            if (backend != "il" && status == 64 && err.Contains("LLVM")) return; // libLLVM not installed here
            Assert.True(status == 1, err);
            Assert.Contains($"perf map written to {path}", err);
            string[] lines = File.ReadAllLines(path);
            Assert.NotEmpty(lines);
            var ranges = new List<NativeCodeRange>();
            foreach (string line in lines)
            {
                Assert.Matches(new Regex("^[0-9a-f]+ [0-9a-f]+ \\S.*$"), line);
                Assert.True(NativeCodeRange.TryParse(line, out var r), line);
                Assert.True(r.Size > 0, line);
                ranges.Add(r);
            }
            ProfileReport report = ProfileWriters.FromJson(File.ReadAllText(Path.Combine(dir, "transmeta-profile.json")))!;
            Assert.Equal(report.BlocksTranslated, report.Blocks.Count);
            foreach (BlockProfile b in report.Blocks)
            {
                Assert.Equal(backend, b.Tier);
                string expected = NativeCodeRegistry.BlockCodeName(b.Name, backend, b.Symbol);
                Assert.Contains(ranges, r => r.Name == expected);
            }
            // The VMM's own code is named too.
            Assert.Contains(ranges, r => r.Name.Contains("ExecutionEngine::Run"));
        }
        finally
        {
            Directory.Delete(dir, true);
            File.Delete(path);
        }
    }

    [Fact]
    public void RegistryRangesBecomePerfMapLines()
    {
        var r = new NativeCodeRange(0x7f0012340000, 0x80, "blk_00101234 [llvm] main+0x4");
        Assert.Equal("7f0012340000 80 blk_00101234 [llvm] main+0x4", r.ToPerfMapLine());
        Assert.True(NativeCodeRange.TryParse("0x7f0012340000 80 blk_00101234 [llvm] main+0x4", out var back));
        Assert.Equal(r, back);
        Assert.True(back.Contains(0x7f001234007f));
        Assert.False(back.Contains(0x7f0012340080));
        Assert.False(NativeCodeRange.TryParse("zz 10 x", out _));
    }
}
