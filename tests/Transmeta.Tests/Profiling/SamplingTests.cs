using Transmeta.Tests.Support;
using Transmeta.Vmm.Profiling;
using Xunit;

namespace Transmeta.Tests.Profiling;

[Collection("Profiling")]
public class SamplingTests
{
    [Fact]
    public void SamplerAttributesTimeToTheHotLoopInGeneratedCode()
    {
        string dir = ProfilingTestKit.TempDir();
        try
        {
            var (status, _, err) = ProfilingTestKit.Run("run", GuestImageFiles.Image("crc32"), "--backend", "il", "--sample", "--sample-interval", "5", "--profile-out", dir);
            Assert.True(status == 1, err);
            Assert.Contains("time by component", err);
            ProfileReport report = ProfileWriters.FromJson(File.ReadAllText(Path.Combine(dir, "transmeta-profile.json")))!;
            SampleResult s = report.Sampling!;
            Assert.True(s.Error is null, s.Error);
            Assert.True(s.Samples >= 20, $"{s.Samples} samples ({s.Failed} failed)");
            // Most of the time is in the IL code of the unit that holds crc32's loop.
            Assert.Equal("guest code (il)", s.Components.MaxBy(p => p.Value).Key);
            BlockProfile hottest = report.Blocks.MaxBy(b => b.Samples)!;
            Assert.Same(report.Blocks[0], hottest);
            Assert.True(hottest.TimeShare > 0.5, $"time share {hottest.TimeShare}");
            Assert.Contains(s.Stacks.Keys, k => k.StartsWith("Transmeta.Vmm.Execution.ExecutionEngine.Run;") && k.Contains(hottest.Name));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ClassificationFollowsTheInnermostFrameThatSaysWhatTheHostIsDoing()
    {
        string C(params string[] f) => Transmeta.Runner.Sampler.ClrSampler.Classify(f, false);
        Assert.Equal("guest code (il)", C("blk_00100260", "Transmeta.Vmm.Execution.ExecutionEngine.Run"));
        Assert.Equal("soft-TLB slow path / memory", C("Transmeta.Vmm.Memory.GuestMemory.ReadSlow", "Transmeta.Vmm.Memory.GuestMemory.ReadSlowPath", "blk_00100260", "Transmeta.Vmm.Execution.ExecutionEngine.Run"));
        Assert.Equal("interpreter", C("Transmeta.Backend.Interp.IrInterpreter.Execute", "Transmeta.Vmm.Execution.ExecutionEngine.Run"));
        Assert.Equal("translator (decode, lift)", C("Iced.Intel.Decoder.Decode", "Transmeta.Frontend.Decoding.X86Translator.Translate", "Transmeta.Vmm.Execution.ExecutionEngine.TranslateBlock"));
        Assert.Equal("compiler (il)", C("System.Reflection.Emit.DynamicILGenerator.Emit", "Transmeta.Backend.Il.IlEmitter.EmitBlock"));
        Assert.Equal("devices", C("Transmeta.Vmm.Devices.Uart16550.Write", "Transmeta.Vmm.Io.IoPortBus.Out", "Transmeta.Vmm.Execution.HypercallHandler.Handle"));
        Assert.Equal("guest code (native)", Transmeta.Runner.Sampler.ClrSampler.Classify(["[native]", "Transmeta.Vmm.Execution.ExecutionEngine.Run"], true));
        Assert.Equal("runtime (no managed frame: GC, JIT, native)", C("[native]"));
        Assert.Equal("Transmeta.Vmm.Execution.ExecutionEngine.Run;blk_00100260;Transmeta.Backend.Interp.IrInterpreter.Execute",
            Transmeta.Runner.Sampler.ClrSampler.Fold(["Transmeta.Backend.Interp.IrInterpreter.Execute", "Transmeta.Vmm.Execution.ExecutionEngine.Run", "Transmeta.Runner.Program.Main"], "00100260", null));
    }
}
