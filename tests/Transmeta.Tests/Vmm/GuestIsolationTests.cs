using Transmeta.Tests.Support;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Vmm;

/// <summary>A guest can touch only its own RAM: addresses past it read as all ones and ignore
/// writes (as unassigned addresses on a PC), on every backend, and garbage code ends the run
/// with a clear message instead of harming the host.</summary>
public class GuestIsolationTests
{
    private static (Machine Machine, RunResult Result) Run(string backend, Action<Iced.Intel.Assembler> program) =>
        FlatMachine.Run(backend, program);

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void AccessesOutsideRamNeverReachTheHost(string backend)
    {
        var (m, r) = Run(backend, a =>
        {
            a.mov(eax, 0x12345678);
            a.mov(__dword_ptr[0xFFFF_FFF0], eax);   // top of the 4 GiB space
            a.mov(ebx, __dword_ptr[0xFFFF_FFF0]);
            a.mov(__dword_ptr[0x003F_FFFE], eax);   // straddles the end of the 4 MiB of RAM
            a.mov(ecx, __dword_ptr[0x003F_FFFE]);
            a.mov(edx, __dword_ptr[0x8000_0000]);
        });
        using (m)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.Equal(0xFFFF_FFFFu, m.State.Ebx);
            Assert.Equal(0xFFFF_5678u, m.State.Ecx); // the two bytes inside RAM were written
            Assert.Equal(0xFFFF_FFFFu, m.State.Edx);
            Assert.Equal(0x5678, m.Ram.Read16(0x003F_FFFE));
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void JumpingIntoGarbageEndsTheRunWithAMessage(string backend)
    {
        var (m, r) = Run(backend, a =>
        {
            a.mov(eax, 0xFFFF_0000);
            a.jmp(eax); // past RAM: the bus reads 0xFF bytes, an invalid opcode
        });
        using (m)
        {
            Assert.Equal(StopReason.TripleFault, r.Reason);
            Assert.Equal(ExitStatus.GuestCrashed, r.ExitStatus);
            Assert.Contains("#UD", r.Message);
            Assert.Equal(0xFFFF_0000u, m.State.Eip);
        }
    }
}
