using System.Diagnostics;
using Transmeta.Tests.Support;
using Transmeta.Vmm.Execution;
using Xunit;

namespace Transmeta.Tests.Backends;

/// <summary><c>transmeta run --backend llvm</c>: statistics, <c>--dump-llvm</c>, and the one-line
/// error (status 64) when libLLVM is missing while the other backends keep working.</summary>
public sealed class LlvmRunnerTests
{
    private static (int Status, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int status = Transmeta.Runner.Program.Run(args, stdout, stderr);
        return (status, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the runner in a child process with TRANSMETA_LLVM_LIBRARY pointing nowhere
    /// (this process has libLLVM loaded already).</summary>
    private static (int Status, string Out, string Err) RunWithoutLlvm(params string[] args) =>
        RunInChild(new Dictionary<string, string> { ["TRANSMETA_LLVM_LIBRARY"] = "/nonexistent/libLLVM-19.so" }, args);

    /// <summary>Runs the runner in a child process with <paramref name="environment"/> added.</summary>
    private static (int Status, string Out, string Err) RunInChild(Dictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "transmeta"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using Process p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "runner did not finish");
        return (p.ExitCode, output, err.GetAwaiter().GetResult());
    }

    [Fact]
    public void MissingLibLlvmIsAOneLineUsageError()
    {
        var (status, _, err) = RunWithoutLlvm("run", GuestImageFiles.Image("hello"), "--backend", "llvm");
        Assert.Equal(ExitStatus.UsageError, status);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("libLLVM-19.so", err);
        Assert.Contains("apt-get install libllvm19", err);
    }

    [Fact]
    public void OtherBackendsRunWithoutLibLlvm()
    {
        var (status, output, _) = RunWithoutLlvm("run", GuestImageFiles.Image("hello"), "--backend", "il");
        Assert.Equal(1, status);
        Assert.Contains("Hello", output);
    }

    /// <summary>Tiered execution without libLLVM climbs interp → il and says in --stats why the
    /// llvm tier is off.</summary>
    [Fact]
    public void TieredRunsWithoutLibLlvmAndSaysWhy()
    {
        // crc32 (about a second) rather than its -small build: long enough that IL code is
        // swapped in whatever the machine's load.
        var (status, output, err) = RunWithoutLlvm("run", GuestImageFiles.Image("crc32"), "--stats", "--tier-thresholds", "10", "100");
        Assert.Equal(1, status);
        Assert.Equal(GuestImageFiles.ExpectedOutput("crc32"), System.Text.Encoding.Latin1.GetBytes(output));
        Assert.Contains("tier note             the llvm tier is off:", err);
        Assert.Contains("apt-get install libllvm19", err);
        Assert.DoesNotContain("tier llvm", err);
        Assert.Matches(@"tier il\s+[1-9]", err);
    }

    /// <summary>With libLLVM, the default tiered run has the llvm tier and reports it (that
    /// units reach it is GuestImageTests.TieredRunPromotesHotBlocksWhileLooping, which waits
    /// for the compiler threads; a run here may end before an LLVM compile does).</summary>
    [Fact]
    public void TieredStatsShowTheLlvmTier()
    {
        var (status, _, err) = Run("run", GuestImageFiles.Image("crc32-small"), "--stats", "--tier-thresholds", "10", "1000");
        Assert.Equal(1, status);
        Assert.Matches(@"tier llvm\s+\d+ blocks", err);
        Assert.Contains("ms median per block", err);
        Assert.DoesNotContain("tier note", err);
    }

    /// <summary>Units that mostly call managed helpers stay in IL: from LLVM code each call would
    /// pay a runtime transition. x87 code without its inline paths (TRANSMETA_X87_INLINE=0) is
    /// such code. The run is unchanged.</summary>
    [Fact]
    public void TieredLeavesHelperBoundUnitsInIl()
    {
        var (status, _, err) = RunInChild(new Dictionary<string, string> { ["TRANSMETA_X87_INLINE"] = "0" },
            "run", GuestImageFiles.Image("nbody"), "--stats", "--tier-thresholds", "10", "1000");
        Assert.Equal(1, status); // the guest's output is checked on every backend by GuestImageTests
        Assert.Matches(@"tier llvm\s+[1-9][0-9,]* units declined \(first: blk_[0-9a-f]{8}: \d+ managed helper calls in \d+ guest instructions\)", err);
    }

    /// <summary>With the x87 inline paths (the default) the same units are not helper-bound:
    /// none is declined.</summary>
    [Fact]
    public void TieredPromotesInlineX87Units()
    {
        var (status, _, err) = Run("run", GuestImageFiles.Image("nbody"), "--stats", "--tier-thresholds", "10", "1000");
        Assert.Equal(1, status);
        Assert.Matches(@"tier llvm\s+[1-9]", err);
        Assert.DoesNotContain("units declined", err);
        Assert.Matches(@"slow-path exits\s+0 ", err);
    }

    [Theory]
    [InlineData("--tier-thresholds", "100", "10")]
    [InlineData("--tier-thresholds", "-1")]
    [InlineData("--tiers", "interp", "tiered")]
    [InlineData("--tiers", "jit")]
    public void BadTierOptionsAreUsageErrors(params string[] options)
    {
        var (status, _, err) = Run(["run", GuestImageFiles.Image("hello"), .. options]);
        Assert.Equal(ExitStatus.UsageError, status);
        Assert.Contains("--tier", err);
    }

    [Fact]
    public void TierOptionsNeedTheTieredBackend()
    {
        var (status, _, err) = Run("run", GuestImageFiles.Image("hello"), "--backend", "il", "--tiers", "interp", "il");
        Assert.Equal(ExitStatus.UsageError, status);
        Assert.Contains("only to --backend tiered", err);
    }

    [Fact]
    public void StatsReportLlvmCompilation()
    {
        var (status, _, err) = Run("run", GuestImageFiles.Image("hello"), "--backend", "llvm", "--stats");
        Assert.Equal(1, status);
        Assert.Contains("backend               llvm", err);
        Assert.Contains("llvm blocks compiled", err);
        Assert.Contains("bytes/guest instruction", err);
    }

    [Fact]
    public void DumpLlvmWritesEachUnit()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"transmeta-dump-llvm-{Guid.NewGuid():N}");
        try
        {
            var (status, _, _) = Run("run", GuestImageFiles.Image("hello"), "--backend", "llvm", "--dump-llvm", dir);
            Assert.Equal(1, status);
            string[] generated = Directory.GetFiles(dir, "blk_*.ll").Where(f => !f.EndsWith(".opt.ll")).ToArray();
            Assert.NotEmpty(generated);
            foreach (string f in generated)
            {
                string name = Path.GetFileNameWithoutExtension(f);
                Assert.Matches($@"define [^\n]*i32 @{name}\(ptr", File.ReadAllText(f));
                Assert.Matches($@"define [^\n]*i32 @{name}\(ptr", File.ReadAllText(Path.ChangeExtension(f, ".opt.ll")));
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
