using Transmeta.Frontend.Fpu;
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
    /// <summary>Blocks each tier compiled (tiered runs only).</summary>
    public long[] TierBlocksCompiled { get; init; } = [];
    /// <summary>Units the dispatcher entered (chained units are not counted).</summary>
    public long Dispatches { get; init; }

    /// <summary>CPU state without the deadline field, which only says when the dispatcher next
    /// wanted control back (it differs between tiered and single-backend runs by design), and
    /// with the x87 status word as the guest sees it: the flags inline arithmetic raised
    /// (<see cref="FpuState.OffRaised"/>, which only translations with inline paths use) folded in.</summary>
    private static byte[] Snapshot(CpuState* cpu)
    {
        byte[] bytes = new ReadOnlySpan<byte>(cpu, CpuState.Size).ToArray();
        Array.Clear(bytes, CpuState.OffDeadline, 8);
        bytes[FpuState.OffFsw] |= (byte)(bytes[FpuState.OffRaised] & FpuBits.Exceptions);
        Array.Clear(bytes, FpuState.OffRaised, 4);
        return bytes;
    }

    public static GuestRun Start(string imagePath, string backend, ulong maxInstructions = 0, int memMiB = 32, bool regions = true,
        bool chaining = true, bool settleTiers = false)
    {
        var output = new MemoryStream();
        // "tiered" promotes aggressively (after a few dozen instructions, with loops sent back to
        // the dispatcher every thousand) so code changes tier many times during a short run.
        var tiering = backend == "tiered" ? Transmeta.Runner.BackendFactory.CreateTiered([0, 50, 400], quantum: 1000) : null;
        using var machine = new Machine(new MachineOptions
        {
            MemoryMiB = memMiB,
            Backend = tiering?.Tiers[0].Compiler ?? TestBackends.Create(backend),
            Tiering = tiering,
            Output = output,
        });
        machine.Engine.Regions = regions;
        machine.Engine.Chaining = chaining;
        machine.LoadMultiboot(File.ReadAllBytes(imagePath), Path.GetFileName(imagePath));
        RunResult result;
        if (settleTiers && tiering is not null && maxInstructions == 0)
        {
            // Slices of a million instructions, each followed by waiting for the compiler
            // threads, so promotion to every tier happens whatever the machine's load (the
            // compiled code is swapped in at the next slice).
            do
            {
                result = machine.Run(1_000_000);
                tiering.WaitIdle(TimeSpan.FromSeconds(120));
            } while (result.Reason == Transmeta.Vmm.Execution.StopReason.InstructionLimit);
        }
        else result = machine.Run(maxInstructions);
        return new GuestRun
        {
            Output = output.ToArray(),
            Result = result,
            FinalCpu = Snapshot(machine.Cpu),
            Retired = machine.Cpu->Retired,
            TierBlocksCompiled = tiering?.BlocksCompiled.ToArray() ?? [],
            Dispatches = machine.Stats.BlocksExecuted,
            FinalRamHash = System.Security.Cryptography.SHA256.HashData(new ReadOnlySpan<byte>(machine.Ram.Base, (int)machine.Ram.Size)),
        };
    }
}
