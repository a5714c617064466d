using Transmeta.Frontend.State;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;

namespace Transmeta.Tests.Support;

/// <summary>One run of a guest image on a fresh machine: its serial output, how it ended, and a
/// snapshot of the final CPU state and RAM.</summary>
public sealed unsafe class GuestRun
{
    public required byte[] Output { get; init; }
    public required RunResult Result { get; init; }
    public required byte[] FinalCpu { get; init; }
    public required ulong Retired { get; init; }
    public required byte[] FinalRamHash { get; init; }

    public static GuestRun Start(string imagePath, string backend, ulong maxInstructions = 0, int memMiB = 32)
    {
        var output = new MemoryStream();
        using var machine = new Machine(new MachineOptions
        {
            MemoryMiB = memMiB,
            Backend = TestBackends.Create(backend),
            Output = output,
        });
        machine.LoadMultiboot(File.ReadAllBytes(imagePath), Path.GetFileName(imagePath));
        RunResult result = machine.Run(maxInstructions);
        return new GuestRun
        {
            Output = output.ToArray(),
            Result = result,
            FinalCpu = new ReadOnlySpan<byte>(machine.Cpu, CpuState.Size).ToArray(),
            Retired = machine.Cpu->Retired,
            FinalRamHash = System.Security.Cryptography.SHA256.HashData(new ReadOnlySpan<byte>(machine.Ram.Base, (int)machine.Ram.Size)),
        };
    }
}
