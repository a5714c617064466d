using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.Profiling;

[Collection("Profiling")]
public class InspectTests
{
    [Fact]
    public void InspectShowsDisassemblyIrIlAndNativeCodeOfTheCrc32Loop()
    {
        // The single block (--no-regions): the loop alone.
        var (status, output, err) = ProfilingTestKit.Run("inspect", GuestImageFiles.Image("crc32-small"), "--at", "main+0x100", "--no-regions");
        Assert.True(status == 0, err);
        Assert.Contains("block blk_00100260 <main+0x100>: 9 guest instructions, 29 bytes", output);
        // Iced disassembly of the guest block.
        Assert.Contains("00100260  0fb60a", output);
        Assert.Contains("movzx   ecx, byte [edx]", output);
        Assert.Contains("mov     esi, [ecx*4+0x150340]", output);
        Assert.Contains("jne     short 0x00100260", output);
        // IR before and after the passes: the byte load survives, the redundant segment-base
        // additions (const 0 + x) do not.
        string before = Section(output, "== IR before the passes");
        string after = Section(output, "== IR after the passes");
        Assert.Contains("-- 00100260 (#0)", before);
        Assert.Contains("t2 = add.i32 t0, t1", before);
        Assert.Contains("t5 = load.1 [t1]", after);
        Assert.DoesNotContain("add.i32 t0, t1", after);
        Assert.Contains("jump L0", after); // the loop back to the block's own start
        // The IL listing and the native code.
        string il = Section(output, "== IL");
        Assert.Contains("ldfld       RuntimeContext.State", il);
        Assert.Contains("L0:", il);
        string native = Section(output, "== native code");
        Assert.Contains("ret", native);
        Assert.Matches(@"native: \d+ bytes; expansion \d+\.\d native bytes per guest byte", output);
    }

    [Fact]
    public void InspectShowsTheRegionTheEngineWouldJoin()
    {
        var (status, output, err) = ProfilingTestKit.Run("inspect", GuestImageFiles.Image("crc32-small"), "--at", "main+0xb6", "--no-native");
        Assert.True(status == 0, err);
        Assert.Matches(@"block blk_00100216 <main\+0xb6>: \d+ guest instructions, \d+ bytes \(a region of \d+ blocks\)", output);
        Assert.Contains("movzx   ecx, byte [edx]", output); // the crc32 loop is in it
        Assert.Contains(" main+0x100:", output);
    }

    [Fact]
    public void InspectOnTheInterpreterSaysNoCodeIsGenerated()
    {
        var (status, output, _) = ProfilingTestKit.Run("inspect", GuestImageFiles.Image("crc32-small"), "--at", "0x100260", "--backend", "interp");
        Assert.Equal(0, status);
        Assert.Contains("no code is generated", output);
        Assert.Contains("movzx   ecx, byte [edx]", output);
    }

    [Fact]
    public void InspectShowsTheSharedProbesTheEngineWouldUse()
    {
        // nbody's inner loop reads and writes the fields of two bodies off two registers: a
        // compiling backend gets them behind probes (IR/Passes/GuestAccessGrouping.cs), the lone
        // interpreter (no assumptions, no probes) does not.
        var (status, output, err) = ProfilingTestKit.Run("inspect", GuestImageFiles.Image("nbody"), "--at", "main+0x105", "--no-native");
        Assert.True(status == 0, err);
        string after = Section(output, "== IR after the passes");
        Assert.Matches(@"== IR after the passes \(\d+ ops; \d+ memory accesses behind shared probes\)", after);
        Assert.Contains("= memprobe.read+write [t", after);
        Assert.Contains("= hostload.8 [t", after);
        Assert.Contains("  hoststore.8 [t", after);

        (status, output, err) = ProfilingTestKit.Run("inspect", GuestImageFiles.Image("nbody"), "--at", "main+0x105", "--backend", "interp");
        Assert.True(status == 0, err);
        Assert.DoesNotContain("memprobe", output);
        Assert.Contains("= load.8 [t", Section(output, "== IR after the passes"));
    }

    [Fact]
    public void UnknownSymbolIsAUsageError()
    {
        var (status, _, err) = ProfilingTestKit.Run("inspect", GuestImageFiles.Image("crc32-small"), "--at", "no_such_symbol");
        Assert.Equal(64, status);
        Assert.Contains("no_such_symbol", err);
    }

    private static string Section(string text, string header)
    {
        int start = text.IndexOf(header, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{header}'");
        int end = text.IndexOf("\n== ", start + header.Length, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
