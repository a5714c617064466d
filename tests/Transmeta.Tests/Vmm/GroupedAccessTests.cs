using Transmeta.Tests.Support;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Vmm;

/// <summary>
/// Grouped accesses (IR/Passes/GuestAccessGrouping.cs) on a whole machine: the VMM's probe slow
/// path grants a range over two RAM pages, refuses one that runs past RAM or writes a page holding
/// translated code, and a refused probe changes nothing the guest can see: the instructions run
/// with ordinary accesses (all ones past RAM, self-modifying code). The interpreter alone makes no
/// groups; its runs are the reference the others must equal.
/// </summary>
public class GroupedAccessTests
{
    private const uint MiB4 = 4 << 20;

    private static (Machine Machine, RunResult Result) Run(string backend, Action<Iced.Intel.Assembler> program) =>
        FlatMachine.Run(backend, program);

    /// <summary>Three stores and two loads off ESI, 12 bytes: one group.</summary>
    private static void StoreAndLoadAround(Iced.Intel.Assembler a, uint esiValue)
    {
        a.mov(esi, esiValue);
        a.mov(eax, 0x1111_1111);
        a.mov(__dword_ptr[esi], eax);
        a.mov(__dword_ptr[esi + 4], 0x2222_2222);
        a.mov(__dword_ptr[esi + 8], 0x3333_3333);
        a.mov(ebx, __dword_ptr[esi + 4]);
        a.mov(ecx, __dword_ptr[esi + 8]);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void AGroupOverTwoRamPagesIsGrantedWithoutLeaving(string backend)
    {
        var (m, r) = Run(backend, a => StoreAndLoadAround(a, 0x0020_0FFC));
        using (m)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.Equal(0x2222_2222u, m.State.Ebx);
            Assert.Equal(0x3333_3333u, m.State.Ecx);
            Assert.Equal(0x1111_1111u, m.Ram.Read32(0x0020_0FFC));
            Assert.Equal(0x2222_2222u, m.Ram.Read32(0x0020_1000));
            Assert.Equal(0L, m.Stats.SlowExits);
            Assert.Equal(0L, m.Memory.RefusedProbes);
            if (backend != "interp")
            {
                Assert.True(m.Stats.GroupedAccesses >= 5, $"{m.Stats.GroupedAccesses} grouped");
                Assert.True(m.Memory.SlowProbes >= 1); // over two pages: only the slow path grants it
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void AGroupRunningPastRamIsRefusedAndTheAccessesBehaveAsAlone(string backend)
    {
        var (m, r) = Run(backend, a => StoreAndLoadAround(a, MiB4 - 8));
        using (m)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.Equal(0x2222_2222u, m.State.Ebx);  // inside RAM
            Assert.Equal(0xFFFF_FFFFu, m.State.Ecx);  // past it: all ones, the write ignored
            Assert.Equal(0x1111_1111u, m.Ram.Read32(MiB4 - 8));
            Assert.Equal(0x2222_2222u, m.Ram.Read32(MiB4 - 4));
            if (backend != "interp")
            {
                Assert.True(m.Memory.RefusedProbes >= 1);
                Assert.True(m.Stats.SlowExits >= 1);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void AGroupWritingTheCodePageIsRefusedAndTheCodeIsRetranslated(string backend)
    {
        // The stores land on the page of the running code, past its end: the probe is refused
        // (the page has no write entry), the stores go the ordinary way, which drops the page's
        // translations; the guest goes on and reads back what it wrote.
        var (m, r) = Run(backend, a => StoreAndLoadAround(a, FlatImage.CodeAddress + 0x800));
        using (m)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.Equal(0x2222_2222u, m.State.Ebx);
            Assert.Equal(0x3333_3333u, m.State.Ecx);
            Assert.Equal(0x1111_1111u, m.Ram.Read32(FlatImage.CodeAddress + 0x800));
            if (backend != "interp") Assert.True(m.Memory.RefusedProbes >= 1);
        }
    }
}
