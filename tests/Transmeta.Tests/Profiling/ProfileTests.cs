using System.Text.Json;
using Transmeta.Tests.Support;
using Transmeta.Vmm.Profiling;
using Xunit;

namespace Transmeta.Tests.Profiling;

[Collection("Profiling")]
public class ProfileTests
{
    [Theory]
    [InlineData("il")]
    [InlineData("interp")]
    public void ProfileNamesTheCrc32InnerLoopAsTheTopBlock(string backend)
    {
        string dir = ProfilingTestKit.TempDir();
        try
        {
            var (status, _, err) = ProfilingTestKit.Run("run", GuestImageFiles.Image("crc32-small"), "--backend", backend,
                "--profile", "--top", "5", "--profile-out", dir);
            Assert.Equal(GuestImageFiles.ExpectedStatus("crc32-small"), status);
            Assert.Contains("hot blocks of crc32-small.elf", err);
            Assert.Contains("hypercall Out", err);

            ProfileReport report = ProfileWriters.FromJson(File.ReadAllText(Path.Combine(dir, "transmeta-profile.json")))!;
            BlockProfile top = report.Blocks[0];
            // The top unit is the one holding the loop (a region may join the blocks around it).
            Assert.True(top.Covers(ProfilingTestKit.Crc32HotLoop), $"top unit {top.Name} ({top.Symbol}) does not hold the crc32 loop");
            Assert.True(top.Symbol!.StartsWith("main"), top.Symbol);
            Assert.Equal(backend, top.Tier);
            Assert.True(top.InstructionShare > 0.5, $"share {top.InstructionShare}");
            // It loops inside itself: far more instructions a dispatch than the unit has.
            Assert.True(top.InstructionsPerExecution > 100 * top.BlockInstructions, $"{top.InstructionsPerExecution} insns/exec, {top.BlockInstructions} in the unit");
            // The counters are exact: every retired instruction belongs to one block, but for the
            // sensitive instructions, which the VMM retires when it performs the hypercall.
            Assert.Equal((long)report.GuestInstructions, report.Blocks.Sum(b => b.GuestInstructions) + report.Hypercalls.Sum(h => h.Count));
            // The table's first row is that block.
            string firstRow = err.Split('\n').First(l => l.StartsWith("1  "));
            Assert.Contains(top.Address.ToString("x8"), firstRow);
            Assert.Contains(top.Symbol, firstRow);
            if (backend == "il") Assert.True(top.NativeBytes > 0);

            // speedscope: a sampled profile whose heaviest stack ends in the hot block.
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "transmeta-profile.speedscope.json")));
            var frames = doc.RootElement.GetProperty("shared").GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray();
            var profile = doc.RootElement.GetProperty("profiles")[0];
            Assert.Equal("sampled", profile.GetProperty("type").GetString());
            var samples = profile.GetProperty("samples").EnumerateArray().ToArray();
            var weights = profile.GetProperty("weights").EnumerateArray().Select(w => w.GetInt64()).ToArray();
            Assert.Equal(samples.Length, weights.Length);
            int heaviest = Array.IndexOf(weights, weights.Max());
            Assert.Equal($"{top.Name} {top.Symbol}", frames[samples[heaviest].EnumerateArray().Last().GetInt32()]);

            // Folded stacks: "frame;frame count".
            foreach (string line in File.ReadAllLines(Path.Combine(dir, "transmeta-profile.folded")))
                Assert.Matches(@"^\S+(;\S+)* \d+$", line);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SystemMapSymbolsAreUsed()
    {
        string dir = ProfilingTestKit.TempDir();
        try
        {
            string map = Path.Combine(dir, "System.map");
            File.WriteAllLines(map, ["00100000 T _start_text", "00100160 t main_area", "00100300 T after", "00150340 B table"]);
            var (status, _, err) = ProfilingTestKit.Run("run", GuestImageFiles.Image("crc32-small"), "--profile", "--symbols", map, "--profile-out", dir);
            Assert.Equal(1, status);
            ProfileReport report = ProfileWriters.FromJson(File.ReadAllText(Path.Combine(dir, "transmeta-profile.json")))!;
            Assert.StartsWith("main_area+0x", report.Blocks[0].Symbol);
            Assert.Equal($"main_area+0x{report.Blocks[0].Address - 0x100160:x}", report.Blocks[0].Symbol);
            Assert.Contains("symbols from System.map", err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SymbolMapParsesSystemMapAndFindsContainingSymbol()
    {
        var map = SymbolMap.ParseSystemMap(["c1000000 T startup_32", "c1000100 t helper", "c1000200 D data", "c1000300 W weak_fn", "junk"]);
        Assert.Equal(3, map.Count);
        Assert.Equal("startup_32", map.Describe(0xc1000000));
        Assert.Equal("startup_32+0x10", map.Describe(0xc1000010));
        Assert.Equal("helper+0x1ff", map.Describe(0xc10002ff));
        Assert.Equal("weak_fn+0x4", map.Describe(0xc1000304));
        Assert.Null(map.Describe(0xb0000000));
        Assert.Equal(0xc1000100u, map.AddressOf("helper"));
    }
}
