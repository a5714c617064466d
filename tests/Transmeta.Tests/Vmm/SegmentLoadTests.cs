using Transmeta.Frontend.State;
using Transmeta.Tests.Support;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Vmm;

/// <summary>MOV Sreg and POP Sreg go through the VMM, which reads the boot GDT (the same one
/// QEMU's Multiboot loader leaves: code 0x08, data 0x10, 16-bit code 0x18, 16-bit data 0x20).</summary>
public class SegmentLoadTests
{
    private static (Machine Machine, RunResult Result) Run(Action<Iced.Intel.Assembler> program) =>
        FlatMachine.Run("il", program, 10_000);

    [Fact]
    public void BootSelectorsMatchQemu()
    {
        var (m, _) = Run(_ => { });
        using (m)
        {
            Assert.Equal(0x08, m.State.Segment(SegReg.CS).Selector);
            Assert.Equal(0x10, m.State.Segment(SegReg.DS).Selector);
            Assert.Equal(0x10, m.State.Segment(SegReg.SS).Selector);
            Assert.Equal(Machine.GdtAddress, m.State.GdtrBase);
            Assert.Equal(0x27u, m.State.GdtrLimit);
        }
    }

    [Fact]
    public void MovAndPopLoadDescriptors()
    {
        var (m, r) = Run(a =>
        {
            a.mov(esp, 0x80000);
            a.mov(ax, 0x20);
            a.mov(fs, ax);       // 16-bit data segment: limit 0xFFFF, byte granular
            a.push(0x10);
            a.pop(es);
            a.xor(eax, eax);
            a.mov(gs, ax);       // null selector is allowed in GS
        });
        using (m)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.Equal(0x20, m.State.Segment(SegReg.FS).Selector);
            Assert.Equal(0xFFFFu, m.State.Segment(SegReg.FS).Limit);
            Assert.Equal(0x10, m.State.Segment(SegReg.ES).Selector);
            Assert.Equal(0xFFFF_FFFFu, m.State.Segment(SegReg.ES).Limit);
            Assert.Equal(0, m.State.Segment(SegReg.GS).Selector);
            Assert.Equal(0x80000u, m.State.Esp); // POP released the slot PUSH took
        }
    }

    [Fact]
    public void SelectorBeyondTheGdtRaisesGeneralProtection()
    {
        var (m, r) = Run(a =>
        {
            a.mov(ax, 0x48);
            a.mov(ds, ax);
        });
        using (m)
        {
            Assert.Equal(StopReason.TripleFault, r.Reason);
            Assert.Contains("#GP", r.Message);
            Assert.Equal(13u, m.State.FaultVector);
            Assert.Equal(0x48u, m.State.FaultErrorCode);
            Assert.Equal(FlatImage.CodeAddress + 4, m.State.Eip); // the mov ds, ax (after a 4-byte mov ax, imm16)
            Assert.Equal(0x10, m.State.Segment(SegReg.DS).Selector);
        }
    }

    [Fact]
    public void NullSelectorInSsRaisesGeneralProtection()
    {
        var (m, r) = Run(a =>
        {
            a.xor(eax, eax);
            a.mov(ss, ax);
        });
        using (m)
        {
            Assert.Equal(StopReason.TripleFault, r.Reason);
            Assert.Equal(13u, m.State.FaultVector);
            Assert.Equal(0u, m.State.FaultErrorCode);
        }
    }
}
