using Transmeta.Frontend.State;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

public class ArithmeticTests
{
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void AddSetsCarryZeroAndAuxiliary(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.mov(eax, 0xFFFFFFFFu);
            a.add(eax, 1);
        });
        Assert.Equal(0u, r.State.Eax);
        // CF=1 PF=1 AF=1 ZF=1 SF=0 OF=0, bit 1 always set.
        Assert.Equal(0x57u, r.State.GetEflags() & 0x8D7);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void CmpJccLoopCountsDown(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            var top = a.CreateLabel();
            a.mov(ecx, 10);
            a.xor(eax, eax);
            a.Label(ref top);
            a.add(eax, ecx);
            a.dec(ecx);
            a.cmp(ecx, 0);
            a.jg(top);
        });
        Assert.Equal(55u, r.State.Eax);
        Assert.Equal(0u, r.State.Ecx);
    }
}

public class FarTransferTests
{
    /// <summary>Far CALL/JMP load CS from a descriptor (the system-level family, not yet
    /// implemented): they raise #UD at the instruction rather than being lifted as a 6-byte load.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void FarCallThroughMemoryRaisesInvalidOpcode(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.RunBytes([0xBF, 0x00, 0x00, 0x02, 0x00, 0xFF, 0x1F, 0xF4]); // mov edi, 0x20000; call far [edi]; hlt
        Assert.Equal(6, r.FaultVector);
        Assert.Equal(SnippetRunner.CodeBase + 5, r.State.Eip);
    }
}
