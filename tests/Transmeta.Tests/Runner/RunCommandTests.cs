using Transmeta.Tests.Support;
using Transmeta.Vmm.Execution;
using Xunit;

namespace Transmeta.Tests.Runner;

/// <summary>The command line's contract: exit statuses and one-line errors for bad input.</summary>
public class RunCommandTests
{
    private static (int Status, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int status = Transmeta.Runner.Program.Run(args, stdout, stderr);
        return (status, stderr.ToString());
    }

    [Fact]
    public void GuestExitStatusBecomesProcessStatus()
    {
        var (status, _) = Run("run", GuestImageFiles.Image("hello"));
        Assert.Equal(1, status);
    }

    [Fact]
    public void MissingFileIsAOneLineError()
    {
        var (status, err) = Run("run", "/nonexistent/kernel.elf");
        Assert.Equal(ExitStatus.UsageError, status);
        Assert.Equal("transmeta: /nonexistent/kernel.elf: no such file", err.Trim());
    }

    [Fact]
    public void NonMultibootFileIsRejected()
    {
        string path = Path.GetTempFileName();
        File.WriteAllBytes(path, new byte[4096]);
        try
        {
            var (status, err) = Run("run", path);
            Assert.Equal(ExitStatus.BadImage, status);
            Assert.StartsWith($"transmeta: {Path.GetFileName(path)}: not a Multiboot image", err);
            Assert.Single(err.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ImageLargerThanRamIsRejected()
    {
        // sieve's BSS reaches past 2 MiB.
        var (status, err) = Run("run", GuestImageFiles.Image("sieve"), "--mem", "2");
        Assert.Equal(ExitStatus.BadImage, status);
        Assert.Contains("MiB", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void UnknownOptionIsAUsageError()
    {
        var (status, err) = Run("run", GuestImageFiles.Image("hello"), "--frobnicate");
        Assert.Equal(ExitStatus.UsageError, status);
        Assert.Contains("--frobnicate", err);
    }

    [Fact]
    public void UnknownBackendIsAUsageError()
    {
        var (status, err) = Run("run", GuestImageFiles.Image("hello"), "--backend", "jit9000");
        Assert.Equal(ExitStatus.UsageError, status);
        Assert.Contains("jit9000", err);
    }

    [Fact]
    public void InstructionLimitHasItsOwnStatusAndSaysSo()
    {
        var (status, err) = Run("run", GuestImageFiles.Image("sieve"), "--max-instructions", "5000");
        Assert.Equal(ExitStatus.InstructionLimit, status);
        Assert.Contains("--max-instructions", err);
    }

    [Fact]
    public void StatsGoToStderr()
    {
        var (status, err) = Run("run", GuestImageFiles.Image("hello"), "--stats", "--backend", "interp");
        Assert.Equal(1, status);
        foreach (string key in new[] { "guest instructions", "blocks translated", "cache hits / misses", "invalidations",
                     "hypercall Out", "wall time", "guest MIPS" })
            Assert.Contains(key, err);
    }

    /// <summary>The IL units' native code size costs a snapshot of the runtime's code map after
    /// the guest ends, so --stats measures it only when asked (--code-size).</summary>
    [Fact]
    public void IlCodeSizeOnlyWithCodeSize()
    {
        var (status, err) = Run("run", GuestImageFiles.Image("hello"), "--stats", "--backend", "il");
        Assert.Equal(1, status);
        Assert.Contains("native code           - (the IL units' size needs --code-size)", err);

        (status, err) = Run("run", GuestImageFiles.Image("hello"), "--stats", "--code-size", "--backend", "il");
        Assert.Equal(1, status);
        Assert.Matches(@"native code +[0-9]+\.[0-9] bytes/guest instruction", err);
    }
}
