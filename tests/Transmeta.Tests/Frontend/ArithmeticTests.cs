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
