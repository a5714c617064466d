using System.Text.RegularExpressions;
using Transmeta.Tests.Support;
using Transmeta.Vmm.Profiling;
using Xunit;

namespace Transmeta.Tests.Profiling;

[Collection("Profiling")]
public class PerfMapTests
{
    [Fact]
    public void EveryPerfMapLineParsesAndEveryCompiledBlockHasOne()
    {
        string dir = ProfilingTestKit.TempDir();
        string path = $"/tmp/perf-{Environment.ProcessId}.map";
        try
        {
            var (status, _, err) = ProfilingTestKit.Run("run", GuestImageFiles.Image("crc32-small"), "--perf-map", "--profile", "--profile-out", dir);
            Assert.Equal(1, status);
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
                string expected = NativeCodeRegistry.BlockCodeName(b.Name, "il", b.Symbol);
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
