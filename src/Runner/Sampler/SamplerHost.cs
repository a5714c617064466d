using Transmeta.Vmm;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Commands;

/// <summary>The VM side of sampling: starts <c>transmeta sample-attach</c> on this process.</summary>
public sealed class SamplerHost : IDisposable
{
    public static SamplerHost Start(Machine machine, double intervalMs, TextWriter stderr) =>
        throw new NotSupportedException("sampling is not implemented yet");

    public SampleResult? Stop(TextWriter stderr) => null;

    public void Dispose() { }
}
