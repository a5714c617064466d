using System.Diagnostics;
using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.GuestImages;

/// <summary>
/// Runs each quick guest image under qemu-system-i386 (TCG) and under Transmeta and compares the
/// serial output and exit status directly, so the recorded expectations can never drift from
/// the reference machine. Has cases only where QEMU is installed (the README's setup installs it).
/// </summary>
[Trait("Category", "Qemu")]
public class QemuComparisonTests
{
    private static readonly string? Qemu = FindQemu();

    private static string? FindQemu() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "qemu-system-i386")).FirstOrDefault(File.Exists);

    public static IEnumerable<object[]> Images =>
        Qemu is null ? [] : GuestImageFiles.Quick.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Images))]
    public async Task SameOutputAsQemu(string image)
    {
        string path = GuestImageFiles.Image(image);
        var psi = new ProcessStartInfo(Qemu!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-kernel", path, "-serial", "stdio", "-display", "none", "-monitor", "none",
                     "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-no-reboot", "-m", "32" })
            psi.ArgumentList.Add(a);
        using var qemu = Process.Start(psi)!;
        qemu.StandardInput.Close();
        var stdout = new MemoryStream();
        var copy = qemu.StandardOutput.BaseStream.CopyToAsync(stdout);
        _ = qemu.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            qemu.Kill(true);
            Assert.Fail("QEMU did not finish in 60 s");
        }
        await copy;

        GuestRun ours = GuestRun.Start(path, "il");
        Assert.Equal(qemu.ExitCode, ours.Result.ExitStatus);
        Assert.Equal(System.Text.Encoding.Latin1.GetString(stdout.ToArray()), System.Text.Encoding.Latin1.GetString(ours.Output));
    }
}
