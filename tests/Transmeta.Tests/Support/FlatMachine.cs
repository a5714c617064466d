using Iced.Intel;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;

namespace Transmeta.Tests.Support;

/// <summary>Runs a few instructions on a whole machine (4 MiB of RAM): the program assembled by
/// Iced into a <see cref="FlatImage"/>, followed by CLI; HLT. The caller disposes the machine.</summary>
public static class FlatMachine
{
    public static (Machine Machine, RunResult Result) Run(string backend, Action<Assembler> program, ulong maxInstructions = 100_000)
    {
        var machine = new Machine(new MachineOptions { MemoryMiB = 4, Backend = TestBackends.Create(backend) });
        machine.LoadMultiboot(FlatImage.Build(a =>
        {
            program(a);
            a.cli();
            a.hlt();
        }));
        return (machine, machine.Run(maxInstructions));
    }
}
