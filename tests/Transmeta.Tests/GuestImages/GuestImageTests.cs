using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.GuestImages;

/// <summary>
/// Every bundled guest image, under every backend, gives exactly the serial output and exit
/// status QEMU gave (recorded in tests/guest-images/expected), and all backends end each image
/// with the same CPU state and the same RAM.
/// </summary>
public class GuestImageTests
{
    public static IEnumerable<object[]> QuickImagesTimesBackends =>
        from image in GuestImageFiles.Quick
        from backend in TestBackends.Names.Select(n => (string)n[0])
        select new object[] { image, backend };

    public static IEnumerable<object[]> QuickImages => GuestImageFiles.Quick.Select(n => new object[] { n });
    public static IEnumerable<object[]> SuiteImages => GuestImageFiles.Suite.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(QuickImagesTimesBackends))]
    public void OutputAndStatusMatchQemu(string image, string backend)
    {
        GuestRun run = GuestRun.Start(GuestImageFiles.Image(image), backend);
        Assert.Equal(GuestImageFiles.ExpectedStatus(image), run.Result.ExitStatus);
        AssertSameText(GuestImageFiles.ExpectedOutput(image), run.Output);
    }

    /// <summary>The full-size CPU-bound programs on the compiler backend (the interpreter runs
    /// their test-scale builds above; the full ones take minutes interpreted).</summary>
    [Theory]
    [MemberData(nameof(SuiteImages))]
    public void FullSizeSuiteMatchesQemuOnIl(string image)
    {
        GuestRun run = GuestRun.Start(GuestImageFiles.Image(image), "il", memMiB: 64);
        Assert.Equal(GuestImageFiles.ExpectedStatus(image), run.Result.ExitStatus);
        AssertSameText(GuestImageFiles.ExpectedOutput(image), run.Output);
    }

    /// <summary>Every compiling backend (il, llvm) ends every quick image with the interpreter's
    /// CpuState, RAM, output and instruction count.</summary>
    [Theory]
    [MemberData(nameof(QuickImages))]
    public void BackendsEndInTheSameState(string image)
    {
        GuestRun interp = GuestRun.Start(GuestImageFiles.Image(image), "interp");
        foreach (object[] b in TestBackends.Names)
        {
            if ((string)b[0] == "interp") continue;
            GuestRun other = GuestRun.Start(GuestImageFiles.Image(image), (string)b[0]);
            Assert.Equal(interp.Retired, other.Retired);
            Assert.Equal(Convert.ToHexString(interp.FinalCpu), Convert.ToHexString(other.FinalCpu));
            Assert.Equal(interp.FinalRamHash, other.FinalRamHash);
            Assert.Equal(interp.Output, other.Output);
        }
    }

    /// <summary>Tiered execution promotes blocks between tiers on a background thread while the
    /// guest runs (loops included); nothing observable may change.</summary>
    [Theory]
    [MemberData(nameof(QuickImages))]
    public void TierPromotionChangesNothingObservable(string image)
    {
        GuestRun interp = GuestRun.Start(GuestImageFiles.Image(image), "interp");
        GuestRun tiered = GuestRun.Start(GuestImageFiles.Image(image), "tiered");
        Assert.Equal(GuestImageFiles.ExpectedStatus(image), tiered.Result.ExitStatus);
        Assert.Equal(interp.Output, tiered.Output);
        Assert.Equal(interp.Retired, tiered.Retired);
        Assert.Equal(Convert.ToHexString(interp.FinalCpu), Convert.ToHexString(tiered.FinalCpu));
        Assert.Equal(interp.FinalRamHash, tiered.FinalRamHash);
    }

    /// <summary>Joining blocks into regions (the default) and translating one block at a time
    /// give the same guest-visible results, self-modifying code included.</summary>
    [Theory]
    [InlineData("smc", "il")]
    [InlineData("insn-control", "il")]
    [InlineData("crc32-small", "interp")]
    [InlineData("lz-small", "il")]
    public void RegionsChangeNothingObservable(string image, string backend)
    {
        GuestRun blocks = GuestRun.Start(GuestImageFiles.Image(image), backend, regions: false);
        GuestRun regions = GuestRun.Start(GuestImageFiles.Image(image), backend, regions: true);
        Assert.Equal(GuestImageFiles.ExpectedOutput(image), regions.Output);
        Assert.Equal(blocks.Output, regions.Output);
        Assert.Equal(blocks.Retired, regions.Retired);
        Assert.Equal(Convert.ToHexString(blocks.FinalCpu), Convert.ToHexString(regions.FinalCpu));
        Assert.Equal(blocks.FinalRamHash, regions.FinalRamHash);
    }

    /// <summary>LLVM code going from unit to unit through the chain table, without the
    /// dispatcher, gives the same guest-visible results (self-modifying code included) and does
    /// chain.</summary>
    [Theory]
    [InlineData("smc")]
    [InlineData("insn-control")]
    [InlineData("insn-string")]
    [InlineData("bytecode-small")]
    [InlineData("qsort-small")]
    public void UnitChainingChangesNothingObservable(string image)
    {
        if (!TestBackends.LlvmAvailable) Assert.Fail("libLLVM 19 is not installed (scripts/setup.sh installs it)");
        GuestRun dispatched = GuestRun.Start(GuestImageFiles.Image(image), "llvm", chaining: false);
        GuestRun chained = GuestRun.Start(GuestImageFiles.Image(image), "llvm", chaining: true);
        Assert.Equal(GuestImageFiles.ExpectedOutput(image), chained.Output);
        Assert.Equal(dispatched.Retired, chained.Retired);
        Assert.Equal(Convert.ToHexString(dispatched.FinalCpu), Convert.ToHexString(chained.FinalCpu));
        Assert.Equal(dispatched.FinalRamHash, chained.FinalRamHash);
        Assert.True(chained.Dispatches < dispatched.Dispatches, $"chained {chained.Dispatches} dispatches, unchained {dispatched.Dispatches}");
    }

    /// <summary>Chained LLVM code still stops at the instruction budget.</summary>
    [Fact]
    public void InstructionLimitStopsChainedCode()
    {
        GuestRun run = GuestRun.Start(GuestImageFiles.Image("qsort"), "llvm", maxInstructions: 3_000_000);
        Assert.Equal(Transmeta.Vmm.Execution.StopReason.InstructionLimit, run.Result.Reason);
        Assert.InRange(run.Retired, 3_000_000ul, 3_000_000ul + 64 * 8);
    }

    [Fact]
    public void TieredRunPromotesHotBlocksWhileLooping()
    {
        GuestRun tiered = GuestRun.Start(GuestImageFiles.Image("crc32-small"), "tiered", settleTiers: true);
        Assert.Equal(1, tiered.Result.ExitStatus);
        Assert.Equal(GuestImageFiles.ExpectedOutput("crc32-small"), tiered.Output);
        Assert.True(tiered.TierBlocksCompiled[0] > 0, "no block started in the first tier");
        for (int t = 1; t < tiered.TierBlocksCompiled.Length; t++)
            Assert.True(tiered.TierBlocksCompiled[t] > 0, $"tier {t} compiled nothing");
    }

    [Fact]
    public void InstructionLimitStopsTheGuest()
    {
        GuestRun run = GuestRun.Start(GuestImageFiles.Image("sieve"), "il", maxInstructions: 100_000);
        Assert.Equal(Transmeta.Vmm.Execution.StopReason.InstructionLimit, run.Result.Reason);
        Assert.Equal(Transmeta.Vmm.Execution.ExitStatus.InstructionLimit, run.Result.ExitStatus);
        Assert.InRange(run.Retired, 100_000ul, 100_000ul + 64 * 2);
    }

    private static void AssertSameText(byte[] expected, byte[] actual)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        string e = System.Text.Encoding.Latin1.GetString(expected), a = System.Text.Encoding.Latin1.GetString(actual);
        string[] el = e.Split('\n'), al = a.Split('\n');
        int line = 0;
        while (line < Math.Min(el.Length, al.Length) && el[line] == al[line]) line++;
        Assert.Fail($"output differs at line {line + 1}:\n expected: {(line < el.Length ? el[line] : "<end>")}\n   actual: {(line < al.Length ? al[line] : "<end>")}");
    }
}
