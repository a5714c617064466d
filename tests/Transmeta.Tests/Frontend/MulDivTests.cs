using Transmeta.Frontend.State;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>
/// MUL, IMUL (one, two and three operands), DIV, IDIV. Table rows were produced by running each
/// instruction natively on the test host (an AMD EPYC; see <see cref="HardwareCase"/>).
/// MUL/IMUL rows compare CF and OF only (SF/ZF/AF/PF are undefined; the host leaves them
/// unchanged, the lifter's lazy rule computes them from the low half as Intel processors do).
/// DIV/IDIV rows compare no flags (all undefined; the host changes some, the lifter leaves them
/// unchanged, checked separately below). #DE rows: divide by zero and quotient overflow.
/// </summary>
public class MulDivTests
{
    public static IEnumerable<object[]> Cases => HardwareCase.With(Rows);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesHardware(string backend, string row) => HardwareCase.Check(backend, row);

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void DivideLeavesFlagsUnchanged(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.mov(eax, 0x7FFFFFFFu);
            a.add(eax, 1);      // OF SF AF PF set, CF ZF clear
            a.mov(edx, 0);
            a.mov(ecx, 3);
            a.div(ecx);
            a.mov(eax, 100);
            a.idiv(cl);
        });
        Assert.Equal(0x894u, r.State.GetEflags() & 0x8D5);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void DivideErrorPointsAtTheDivideAndKeepsEarlierWork(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.mov(eax, 5);          // 5 bytes
            a.mov(edx, 0x10);       // 5 bytes
            a.mov(ecx, 0x10);       // 5 bytes: EDX:EAX / 16 overflows
            a.div(ecx);
        });
        Assert.Equal(ExceptionVectors.DivideError, r.FaultVector);
        Assert.Equal(SnippetRunner.CodeBase + 15, r.State.Eip);
        Assert.Equal(5u, r.State.Eax);
        Assert.Equal(0x10u, r.State.Edx);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void DivideByAFaultingMemoryOperandChangesNothing(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.mov(eax, 1234);
            a.mov(edx, 0);
            a.div(__dword_ptr[0x7FFF0000]);
        });
        Assert.Equal(ExceptionVectors.PageFault, r.FaultVector);
        Assert.Equal(1234u, r.State.Eax);
        Assert.Equal(0u, r.State.Edx);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void ImulFlagsFeedAJumpInTheSameBlock(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            var overflow = a.CreateLabel();
            a.mov(eax, 0x10000);
            a.imul(eax, eax);      // 2^32: overflows, OF = CF = 1
            a.jo(overflow);
            a.mov(ebx, 1);
            a.Label(ref overflow);
            a.nop();
        });
        Assert.Equal(0u, r.State.Eax);
        Assert.Equal(0u, r.State.Ebx);
    }

    private static readonly string[] Rows =
    {
        // <hw-cases>
        "mul cl | F6E1 | eax=abcd4410 ecx=1101 edx=5a5a5a5a fl=8d5 => eax=abcd0010 fl=d4 | mask=801",
        "mul cl | F6E1 | eax=abcd0580 ecx=1100 edx=5a5a5a5a fl=c4 => eax=abcd0000 fl=c4 | mask=801",
        "mul cl | F6E1 | eax=abcd090f ecx=1101 edx=5a5a5a5a fl=11 => eax=abcd000f fl=10 | mask=801",
        "mul cl | F6E1 | eax=abcd0780 ecx=1181 edx=5a5a5a5a fl=801 => eax=abcd4080 fl=801 | mask=801",
        "mul cl | F6E1 | eax=abcd0781 ecx=11ff edx=5a5a5a5a fl=45 => eax=abcd807f fl=845 | mask=801",
        "mul cl | F6E1 | eax=abcd0681 ecx=110f edx=5a5a5a5a fl=880 => eax=abcd078f fl=881 | mask=801",
        "mul cl | F6E1 | eax=abcd2c02 ecx=1100 edx=5a5a5a5a fl=15 => eax=abcd0000 fl=14 | mask=801",
        "mul cl | F6E1 | eax=abcda610 ecx=1110 edx=5a5a5a5a fl=0 => eax=abcd0100 fl=801 | mask=801",
        "mul cl | F6E1 | eax=abcd64ff ecx=1101 edx=5a5a5a5a fl=8d5 => eax=abcd00ff fl=d4 | mask=801",
        "mul cl | F6E1 | eax=abcd9b80 ecx=1180 edx=5a5a5a5a fl=c4 => eax=abcd4000 fl=8c5 | mask=801",
        "mul cl | F6E1 | eax=abcd1200 ecx=1180 edx=5a5a5a5a fl=11 => eax=abcd0000 fl=10 | mask=801",
        "mul cl | F6E1 | eax=abcdb30f ecx=1180 edx=5a5a5a5a fl=801 => eax=abcd0780 fl=801 | mask=801",
        "mul cl | F6E1 | eax=abcd7910 ecx=1181 edx=5a5a5a5a fl=45 => eax=abcd0810 fl=845 | mask=801",
        "mul cl | F6E1 | eax=abcd3c0f ecx=1100 edx=5a5a5a5a fl=880 => eax=abcd0000 fl=80 | mask=801",
        "mul cl | F6E1 | eax=abcd3d01 ecx=1181 edx=5a5a5a5a fl=15 => eax=abcd0081 fl=14 | mask=801",
        "mul cl | F6E1 | eax=abcdb300 ecx=117f edx=5a5a5a5a fl=0 => eax=abcd0000 fl=0 | mask=801",
        "mul cl | F6E1 | eax=abcd4502 ecx=1180 edx=5a5a5a5a fl=8d5 => eax=abcd0100 fl=8d5 | mask=801",
        "mul cl | F6E1 | eax=abcd9c02 ecx=110f edx=5a5a5a5a fl=c4 => eax=abcd001e fl=c4 | mask=801",
        "mul cl | F6E1 | eax=abcd6310 ecx=117f edx=5a5a5a5a fl=11 => eax=abcd07f0 fl=811 | mask=801",
        "mul cl | F6E1 | eax=abcde7ff ecx=11ff edx=5a5a5a5a fl=801 => eax=abcdfe01 fl=801 | mask=801",
        "mul cl | F6E1 | eax=abcd4980 ecx=110f edx=5a5a5a5a fl=45 => eax=abcd0780 fl=845 | mask=801",
        "mul cl | F6E1 | eax=abcd7901 ecx=11ff edx=5a5a5a5a fl=880 => eax=abcd00ff fl=80 | mask=801",
        "mul cl | F6E1 | eax=abcd7600 ecx=1101 edx=5a5a5a5a fl=15 => eax=abcd0000 fl=14 | mask=801",
        "mul cl | F6E1 | eax=abcd2c02 ecx=11ff edx=5a5a5a5a fl=0 => eax=abcd01fe fl=801 | mask=801",
        "mul ah | F6E4 | eax=1234f07f edx=5a5a5a5a fl=8d5 => eax=12347710 fl=8d5 | mask=801",
        "mul cx | 66F7E1 | eax=abcd8000 ecx=11110001 edx=5a5a5a5a fl=c4 => edx=5a5a0000 fl=c4 | mask=801",
        "mul cx | 66F7E1 | eax=abcd8001 ecx=111100ff edx=5a5a5a5a fl=11 => eax=abcd80ff edx=5a5a007f fl=811 | mask=801",
        "mul cx | 66F7E1 | eax=abcd00ff ecx=11118000 edx=5a5a5a5a fl=801 => eax=abcd8000 edx=5a5a007f fl=801 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0002 ecx=111100ff edx=5a5a5a5a fl=45 => eax=abcd01fe edx=5a5a0000 fl=44 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0002 ecx=11118001 edx=5a5a5a5a fl=880 => edx=5a5a0001 fl=881 | mask=801",
        "mul cx | 66F7E1 | eax=abcdb504 ecx=1111b504 edx=5a5a5a5a fl=15 => eax=abcda810 edx=5a5a7ffe fl=815 | mask=801",
        "mul cx | 66F7E1 | eax=abcd7fff ecx=11110000 edx=5a5a5a5a fl=0 => eax=abcd0000 edx=5a5a0000 fl=0 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0100 ecx=1111ffff edx=5a5a5a5a fl=8d5 => eax=abcdff00 edx=5a5a00ff fl=8d5 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0001 ecx=1111b504 edx=5a5a5a5a fl=c4 => eax=abcdb504 edx=5a5a0000 fl=c4 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0002 ecx=1111ffff edx=5a5a5a5a fl=11 => eax=abcdfffe edx=5a5a0001 fl=811 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0001 ecx=11110002 edx=5a5a5a5a fl=801 => eax=abcd0002 edx=5a5a0000 fl=0 | mask=801",
        "mul cx | 66F7E1 | eax=abcd7fff ecx=11110002 edx=5a5a5a5a fl=45 => eax=abcdfffe edx=5a5a0000 fl=44 | mask=801",
        "mul cx | 66F7E1 | eax=abcd00ff ecx=11118001 edx=5a5a5a5a fl=880 => eax=abcd80ff edx=5a5a007f fl=881 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0002 ecx=1111b504 edx=5a5a5a5a fl=15 => eax=abcd6a08 edx=5a5a0001 fl=815 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0000 ecx=1111b504 edx=5a5a5a5a fl=0 => edx=5a5a0000 fl=0 | mask=801",
        "mul cx | 66F7E1 | eax=abcdffff ecx=111100ff edx=5a5a5a5a fl=8d5 => eax=abcdff01 edx=5a5a00fe fl=8d5 | mask=801",
        "mul cx | 66F7E1 | eax=abcd8001 ecx=11110100 edx=5a5a5a5a fl=c4 => eax=abcd0100 edx=5a5a0080 fl=8c5 | mask=801",
        "mul cx | 66F7E1 | eax=abcd7fff ecx=1111ffff edx=5a5a5a5a fl=11 => eax=abcd8001 edx=5a5a7ffe fl=811 | mask=801",
        "mul cx | 66F7E1 | eax=abcd00ff ecx=11110002 edx=5a5a5a5a fl=801 => eax=abcd01fe edx=5a5a0000 fl=0 | mask=801",
        "mul cx | 66F7E1 | eax=abcd7fff ecx=111100ff edx=5a5a5a5a fl=45 => eax=abcd7f01 edx=5a5a007f fl=845 | mask=801",
        "mul cx | 66F7E1 | eax=abcd8000 ecx=11110000 edx=5a5a5a5a fl=880 => eax=abcd0000 edx=5a5a0000 fl=80 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0001 ecx=11118001 edx=5a5a5a5a fl=15 => eax=abcd8001 edx=5a5a0000 fl=14 | mask=801",
        "mul cx | 66F7E1 | eax=abcd0001 ecx=1111ffff edx=5a5a5a5a fl=0 => eax=abcdffff edx=5a5a0000 fl=0 | mask=801",
        "mul cx | 66F7E1 | eax=abcdb504 ecx=11110001 edx=5a5a5a5a fl=8d5 => edx=5a5a0000 fl=d4 | mask=801",
        "mul ecx | F7E1 | eax=b504f334 ecx=80000001 edx=5a5a5a5a fl=c4 => edx=5a82799a fl=8c5 | mask=801",
        "mul ecx | F7E1 | eax=ffff ecx=b504f334 edx=5a5a5a5a fl=11 => eax=3e2f0ccc edx=b504 fl=811 | mask=801",
        "mul ecx | F7E1 | eax=10000 ecx=10000 edx=5a5a5a5a fl=801 => eax=0 edx=1 fl=801 | mask=801",
        "mul ecx | F7E1 | eax=1 ecx=80000000 edx=5a5a5a5a fl=45 => eax=80000000 edx=0 fl=44 | mask=801",
        "mul ecx | F7E1 | ecx=ffffffff edx=5a5a5a5a fl=880 => edx=0 fl=80 | mask=801",
        "mul ecx | F7E1 | eax=10000 ecx=ffff edx=5a5a5a5a fl=15 => eax=ffff0000 edx=0 fl=14 | mask=801",
        "mul ecx | F7E1 | eax=80000000 ecx=ffff edx=5a5a5a5a fl=0 => edx=7fff fl=801 | mask=801",
        "mul ecx | F7E1 | eax=7fffffff ecx=10000 edx=5a5a5a5a fl=8d5 => eax=ffff0000 edx=7fff fl=8d5 | mask=801",
        "mul ecx | F7E1 | eax=80000000 ecx=7fffffff edx=5a5a5a5a fl=c4 => edx=3fffffff fl=8c5 | mask=801",
        "mul ecx | F7E1 | eax=80000001 ecx=1 edx=5a5a5a5a fl=11 => edx=0 fl=10 | mask=801",
        "mul ecx | F7E1 | eax=ffffffff ecx=b504f334 edx=5a5a5a5a fl=801 => eax=4afb0ccc edx=b504f333 fl=801 | mask=801",
        "mul ecx | F7E1 | eax=80000001 ecx=b504f334 edx=5a5a5a5a fl=45 => eax=b504f334 edx=5a82799a fl=845 | mask=801",
        "mul ecx | F7E1 | eax=80000001 ecx=80000000 edx=5a5a5a5a fl=880 => eax=80000000 edx=40000000 fl=881 | mask=801",
        "mul ecx | F7E1 | eax=1 ecx=7fffffff edx=5a5a5a5a fl=15 => eax=7fffffff edx=0 fl=14 | mask=801",
        "mul ecx | F7E1 | eax=ffffffff ecx=80000000 edx=5a5a5a5a fl=0 => eax=80000000 edx=7fffffff fl=801 | mask=801",
        "mul ecx | F7E1 | ecx=10000 edx=5a5a5a5a fl=8d5 => edx=0 fl=d4 | mask=801",
        "mul ecx | F7E1 | eax=b504f334 ecx=80000000 edx=5a5a5a5a fl=c4 => eax=0 edx=5a82799a fl=8c5 | mask=801",
        "mul ecx | F7E1 | eax=b504f334 ecx=1 edx=5a5a5a5a fl=11 => edx=0 fl=10 | mask=801",
        "mul ecx | F7E1 | eax=2 ecx=80000001 edx=5a5a5a5a fl=801 => edx=1 fl=801 | mask=801",
        "mul ecx | F7E1 | eax=10000 ecx=7fffffff edx=5a5a5a5a fl=45 => eax=ffff0000 edx=7fff fl=845 | mask=801",
        "mul ecx | F7E1 | edx=5a5a5a5a fl=880 => edx=0 fl=80 | mask=801",
        "mul ecx | F7E1 | eax=2 ecx=10000 edx=5a5a5a5a fl=15 => eax=20000 edx=0 fl=14 | mask=801",
        "mul ecx | F7E1 | eax=7fffffff ecx=80000001 edx=5a5a5a5a fl=0 => eax=ffffffff edx=3fffffff fl=801 | mask=801",
        "mul ecx | F7E1 | eax=80000001 ecx=10000 edx=5a5a5a5a fl=8d5 => eax=10000 edx=8000 fl=8d5 | mask=801",
        "mul ecx | F7E1 | eax=2 ecx=7fffffff edx=5a5a5a5a fl=c4 => eax=fffffffe edx=0 fl=c4 | mask=801",
        "mul ecx | F7E1 | eax=10000 ecx=b504f334 edx=5a5a5a5a fl=11 => eax=f3340000 edx=b504 fl=811 | mask=801",
        "mul ecx | F7E1 | eax=ffffffff ecx=ffffffff edx=5a5a5a5a fl=801 => eax=1 edx=fffffffe fl=801 | mask=801",
        "mul ecx | F7E1 | eax=ffffffff ecx=10000 edx=5a5a5a5a fl=45 => eax=ffff0000 edx=ffff fl=845 | mask=801",
        "mul byte [ebx] | F623 | eax=80008080 edx=5a5a5a5a fl=880 mem=11111111,22222222,33333333,44444444,fe,66666666,77777777,88888888 => eax=80007f00 fl=881 | mask=801",
        "mul byte [ebx] | F623 | eax=3 edx=5a5a5a5a fl=15 mem=11111111,22222222,33333333,44444444,fe,66666666,77777777,88888888 => eax=2fa fl=815 | mask=801",
        "mul word [ebx] | 66F723 | eax=80008080 edx=5a5a5a5a fl=0 mem=11111111,22222222,33333333,44444444,fffe,66666666,77777777,88888888 => eax=8000ff00 edx=5a5a807e fl=801 | mask=801",
        "mul word [ebx] | 66F723 | eax=3 edx=5a5a5a5a fl=8d5 mem=11111111,22222222,33333333,44444444,fffe,66666666,77777777,88888888 => eax=fffa edx=5a5a0002 fl=8d5 | mask=801",
        "mul dword [ebx] | F723 | eax=80008080 edx=5a5a5a5a fl=c4 mem=11111111,22222222,33333333,44444444,fffffffe,66666666,77777777,88888888 => eax=fffeff00 edx=8000807e fl=8c5 | mask=801",
        "mul dword [ebx] | F723 | eax=3 edx=5a5a5a5a fl=11 mem=11111111,22222222,33333333,44444444,fffffffe,66666666,77777777,88888888 => eax=fffffffa edx=2 fl=811 | mask=801",
        "imul cl | F6E9 | eax=abcd5d02 ecx=1102 edx=5a5a5a5a fl=801 => eax=abcd0004 fl=0 | mask=801",
        "imul cl | F6E9 | eax=abcdea01 ecx=117f edx=5a5a5a5a fl=45 => eax=abcd007f fl=44 | mask=801",
        "imul cl | F6E9 | eax=abcdf310 ecx=1181 edx=5a5a5a5a fl=880 => eax=abcdf810 fl=881 | mask=801",
        "imul cl | F6E9 | eax=abcd0980 ecx=1181 edx=5a5a5a5a fl=15 => eax=abcd3f80 fl=815 | mask=801",
        "imul cl | F6E9 | eax=abcd3d80 ecx=117f edx=5a5a5a5a fl=0 => eax=abcdc080 fl=801 | mask=801",
        "imul cl | F6E9 | eax=abcd1781 ecx=11ff edx=5a5a5a5a fl=8d5 => eax=abcd007f fl=d4 | mask=801",
        "imul cl | F6E9 | eax=abcd3cff ecx=1181 edx=5a5a5a5a fl=c4 => eax=abcd007f fl=c4 | mask=801",
        "imul cl | F6E9 | eax=abcdee10 ecx=1100 edx=5a5a5a5a fl=11 => eax=abcd0000 fl=10 | mask=801",
        "imul cl | F6E9 | eax=abcd9f02 ecx=1181 edx=5a5a5a5a fl=801 => eax=abcdff02 fl=801 | mask=801",
        "imul cl | F6E9 | eax=abcda77f ecx=110f edx=5a5a5a5a fl=45 => eax=abcd0771 fl=845 | mask=801",
        "imul cl | F6E9 | eax=abcd5200 ecx=11ff edx=5a5a5a5a fl=880 => eax=abcd0000 fl=80 | mask=801",
        "imul cl | F6E9 | eax=abcda981 ecx=1102 edx=5a5a5a5a fl=15 => eax=abcdff02 fl=815 | mask=801",
        "imul cl | F6E9 | eax=abcd1701 ecx=1101 edx=5a5a5a5a fl=0 => eax=abcd0001 fl=0 | mask=801",
        "imul cl | F6E9 | eax=abcd4780 ecx=11ff edx=5a5a5a5a fl=8d5 => eax=abcd0080 fl=8d5 | mask=801",
        "imul cl | F6E9 | eax=abcdec00 ecx=1101 edx=5a5a5a5a fl=c4 => eax=abcd0000 fl=c4 | mask=801",
        "imul cl | F6E9 | eax=abcd9cff ecx=110f edx=5a5a5a5a fl=11 => eax=abcdfff1 fl=10 | mask=801",
        "imul cl | F6E9 | eax=abcdbc00 ecx=117f edx=5a5a5a5a fl=801 => eax=abcd0000 fl=0 | mask=801",
        "imul cl | F6E9 | eax=abcd2a10 ecx=1102 edx=5a5a5a5a fl=45 => eax=abcd0020 fl=44 | mask=801",
        "imul cl | F6E9 | eax=abcde000 ecx=1110 edx=5a5a5a5a fl=880 => eax=abcd0000 fl=80 | mask=801",
        "imul cl | F6E9 | eax=abcd84ff ecx=117f edx=5a5a5a5a fl=15 => eax=abcdff81 fl=14 | mask=801",
        "imul cl | F6E9 | eax=abcd067f ecx=1180 edx=5a5a5a5a fl=0 => eax=abcdc080 fl=801 | mask=801",
        "imul cl | F6E9 | eax=abcd190f ecx=1181 edx=5a5a5a5a fl=8d5 => eax=abcdf88f fl=8d5 | mask=801",
        "imul cl | F6E9 | eax=abcd8b00 ecx=1180 edx=5a5a5a5a fl=c4 => eax=abcd0000 fl=c4 | mask=801",
        "imul cl | F6E9 | eax=abcd18ff ecx=1100 edx=5a5a5a5a fl=11 => eax=abcd0000 fl=10 | mask=801",
        "imul ah | F6EC | eax=1234f07f edx=5a5a5a5a fl=801 => eax=1234f810 fl=801 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0000 ecx=1111b504 edx=5a5a5a5a fl=45 => edx=5a5a0000 fl=44 | mask=801",
        "imul cx | 66F7E9 | eax=abcd8001 ecx=11110002 edx=5a5a5a5a fl=880 => eax=abcd0002 edx=5a5affff fl=881 | mask=801",
        "imul cx | 66F7E9 | eax=abcd8001 ecx=11110100 edx=5a5a5a5a fl=15 => eax=abcd0100 edx=5a5aff80 fl=815 | mask=801",
        "imul cx | 66F7E9 | eax=abcd8000 ecx=11110000 edx=5a5a5a5a fl=0 => eax=abcd0000 edx=5a5a0000 fl=0 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0100 ecx=11110002 edx=5a5a5a5a fl=8d5 => eax=abcd0200 edx=5a5a0000 fl=d4 | mask=801",
        "imul cx | 66F7E9 | eax=abcdb504 ecx=111100ff edx=5a5a5a5a fl=c4 => eax=abcd4efc edx=5a5affb5 fl=8c5 | mask=801",
        "imul cx | 66F7E9 | eax=abcd8001 ecx=11118001 edx=5a5a5a5a fl=11 => eax=abcd0001 edx=5a5a3fff fl=811 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0000 ecx=11110100 edx=5a5a5a5a fl=801 => edx=5a5a0000 fl=0 | mask=801",
        "imul cx | 66F7E9 | eax=abcd00ff ecx=11110000 edx=5a5a5a5a fl=45 => eax=abcd0000 edx=5a5a0000 fl=44 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0002 ecx=11110100 edx=5a5a5a5a fl=880 => eax=abcd0200 edx=5a5a0000 fl=80 | mask=801",
        "imul cx | 66F7E9 | eax=abcd7fff ecx=11118001 edx=5a5a5a5a fl=15 => eax=abcdffff edx=5a5ac000 fl=815 | mask=801",
        "imul cx | 66F7E9 | eax=abcd7fff ecx=11110001 edx=5a5a5a5a fl=0 => edx=5a5a0000 fl=0 | mask=801",
        "imul cx | 66F7E9 | eax=abcdb504 ecx=11110002 edx=5a5a5a5a fl=8d5 => eax=abcd6a08 edx=5a5affff fl=8d5 | mask=801",
        "imul cx | 66F7E9 | eax=abcdffff ecx=111100ff edx=5a5a5a5a fl=c4 => eax=abcdff01 edx=5a5affff fl=c4 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0000 ecx=11117fff edx=5a5a5a5a fl=11 => edx=5a5a0000 fl=10 | mask=801",
        "imul cx | 66F7E9 | eax=abcd7fff ecx=11110100 edx=5a5a5a5a fl=801 => eax=abcdff00 edx=5a5a007f fl=801 | mask=801",
        "imul cx | 66F7E9 | eax=abcd8000 ecx=11110100 edx=5a5a5a5a fl=45 => eax=abcd0000 edx=5a5aff80 fl=845 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0002 ecx=11118001 edx=5a5a5a5a fl=880 => edx=5a5affff fl=881 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0002 ecx=111100ff edx=5a5a5a5a fl=15 => eax=abcd01fe edx=5a5a0000 fl=14 | mask=801",
        "imul cx | 66F7E9 | eax=abcdffff ecx=11117fff edx=5a5a5a5a fl=0 => eax=abcd8001 edx=5a5affff fl=0 | mask=801",
        "imul cx | 66F7E9 | eax=abcdb504 ecx=11110100 edx=5a5a5a5a fl=8d5 => eax=abcd0400 edx=5a5affb5 fl=8d5 | mask=801",
        "imul cx | 66F7E9 | eax=abcd8000 ecx=11118001 edx=5a5a5a5a fl=c4 => edx=5a5a3fff fl=8c5 | mask=801",
        "imul cx | 66F7E9 | eax=abcdb504 ecx=1111ffff edx=5a5a5a5a fl=11 => eax=abcd4afc edx=5a5a0000 fl=10 | mask=801",
        "imul cx | 66F7E9 | eax=abcd0001 ecx=1111b504 edx=5a5a5a5a fl=801 => eax=abcdb504 edx=5a5affff fl=0 | mask=801",
        "imul ecx | F7E9 | eax=80000000 ecx=2 edx=5a5a5a5a fl=45 => eax=0 edx=ffffffff fl=845 | mask=801",
        "imul ecx | F7E9 | eax=2 ecx=ffffffff edx=5a5a5a5a fl=880 => eax=fffffffe edx=ffffffff fl=80 | mask=801",
        "imul ecx | F7E9 | eax=1 ecx=ffffffff edx=5a5a5a5a fl=15 => eax=ffffffff edx=ffffffff fl=14 | mask=801",
        "imul ecx | F7E9 | eax=1 ecx=1 edx=5a5a5a5a fl=0 => edx=0 fl=0 | mask=801",
        "imul ecx | F7E9 | eax=b504f334 ecx=1 edx=5a5a5a5a fl=8d5 => edx=ffffffff fl=d4 | mask=801",
        "imul ecx | F7E9 | eax=7fffffff edx=5a5a5a5a fl=c4 => eax=0 edx=0 fl=c4 | mask=801",
        "imul ecx | F7E9 | eax=b504f334 ecx=80000000 edx=5a5a5a5a fl=11 => eax=0 edx=257d8666 fl=811 | mask=801",
        "imul ecx | F7E9 | eax=b504f334 ecx=b504f334 edx=5a5a5a5a fl=801 => eax=8abc290 edx=15f61998 fl=801 | mask=801",
        "imul ecx | F7E9 | eax=1 ecx=80000000 edx=5a5a5a5a fl=45 => eax=80000000 edx=ffffffff fl=44 | mask=801",
        "imul ecx | F7E9 | eax=ffff ecx=80000000 edx=5a5a5a5a fl=880 => eax=80000000 edx=ffff8000 fl=881 | mask=801",
        "imul ecx | F7E9 | eax=7fffffff ecx=80000000 edx=5a5a5a5a fl=15 => eax=80000000 edx=c0000000 fl=815 | mask=801",
        "imul ecx | F7E9 | eax=2 ecx=ffff edx=5a5a5a5a fl=0 => eax=1fffe edx=0 fl=0 | mask=801",
        "imul ecx | F7E9 | eax=2 ecx=7fffffff edx=5a5a5a5a fl=8d5 => eax=fffffffe edx=0 fl=8d5 | mask=801",
        "imul ecx | F7E9 | eax=2 ecx=1 edx=5a5a5a5a fl=c4 => edx=0 fl=c4 | mask=801",
        "imul ecx | F7E9 | eax=7fffffff ecx=2 edx=5a5a5a5a fl=11 => eax=fffffffe edx=0 fl=811 | mask=801",
        "imul ecx | F7E9 | eax=10000 ecx=ffff edx=5a5a5a5a fl=801 => eax=ffff0000 edx=0 fl=801 | mask=801",
        "imul ecx | F7E9 | eax=1 edx=5a5a5a5a fl=45 => eax=0 edx=0 fl=44 | mask=801",
        "imul ecx | F7E9 | ecx=10000 edx=5a5a5a5a fl=880 => edx=0 fl=80 | mask=801",
        "imul ecx | F7E9 | eax=1 ecx=ffff edx=5a5a5a5a fl=15 => eax=ffff edx=0 fl=14 | mask=801",
        "imul ecx | F7E9 | eax=ffff ecx=1 edx=5a5a5a5a fl=0 => edx=0 fl=0 | mask=801",
        "imul ecx | F7E9 | eax=ffff ecx=2 edx=5a5a5a5a fl=8d5 => eax=1fffe edx=0 fl=d4 | mask=801",
        "imul ecx | F7E9 | eax=80000001 ecx=10000 edx=5a5a5a5a fl=c4 => eax=10000 edx=ffff8000 fl=8c5 | mask=801",
        "imul ecx | F7E9 | eax=80000000 ecx=10000 edx=5a5a5a5a fl=11 => eax=0 edx=ffff8000 fl=811 | mask=801",
        "imul ecx | F7E9 | ecx=1 edx=5a5a5a5a fl=801 => edx=0 fl=0 | mask=801",
        "imul ecx | F7E9 | eax=ffffffff ecx=1 edx=5a5a5a5a fl=45 => edx=ffffffff fl=44 | mask=801",
        "imul ecx | F7E9 | eax=7fffffff ecx=80000001 edx=5a5a5a5a fl=880 => eax=ffffffff edx=c0000000 fl=881 | mask=801",
        "imul ecx | F7E9 | eax=7fffffff ecx=ffffffff edx=5a5a5a5a fl=15 => eax=80000001 edx=ffffffff fl=14 | mask=801",
        "imul ecx | F7E9 | eax=1 ecx=10000 edx=5a5a5a5a fl=0 => eax=10000 edx=0 fl=0 | mask=801",
        "imul byte [ebx] | F62B | eax=80008080 edx=5a5a5a5a fl=8d5 mem=11111111,22222222,33333333,44444444,fe,66666666,77777777,88888888 => eax=80000100 fl=8d5 | mask=801",
        "imul byte [ebx] | F62B | eax=3 edx=5a5a5a5a fl=c4 mem=11111111,22222222,33333333,44444444,fe,66666666,77777777,88888888 => eax=fffa fl=c4 | mask=801",
        "imul word [ebx] | 66F72B | eax=80008080 edx=5a5a5a5a fl=11 mem=11111111,22222222,33333333,44444444,fffe,66666666,77777777,88888888 => eax=8000ff00 edx=5a5a0000 fl=811 | mask=801",
        "imul word [ebx] | 66F72B | eax=3 edx=5a5a5a5a fl=801 mem=11111111,22222222,33333333,44444444,fffe,66666666,77777777,88888888 => eax=fffa edx=5a5affff fl=0 | mask=801",
        "imul dword [ebx] | F72B | eax=80008080 edx=5a5a5a5a fl=45 mem=11111111,22222222,33333333,44444444,fffffffe,66666666,77777777,88888888 => eax=fffeff00 edx=0 fl=845 | mask=801",
        "imul dword [ebx] | F72B | eax=3 edx=5a5a5a5a fl=880 mem=11111111,22222222,33333333,44444444,fffffffe,66666666,77777777,88888888 => eax=fffffffa edx=ffffffff fl=80 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340000 ecx=56780100 fl=15 => fl=14 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12348000 ecx=56788001 fl=0 => fl=801 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340000 ecx=56788000 fl=8d5 => fl=d4 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=1234b504 ecx=56788000 fl=c4 => eax=12340000 fl=8c5 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=1234ffff ecx=56780000 fl=11 => eax=12340000 fl=10 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12348000 ecx=56787fff fl=801 => fl=801 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=123400ff ecx=56780100 fl=45 => eax=1234ff00 fl=845 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340002 ecx=56780002 fl=880 => eax=12340004 fl=80 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340001 ecx=5678ffff fl=15 => eax=1234ffff fl=14 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=1234ffff ecx=56788000 fl=0 => eax=12348000 fl=801 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12348000 ecx=56788000 fl=8d5 => eax=12340000 fl=8d5 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12347fff ecx=5678ffff fl=c4 => eax=12348001 fl=c4 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340100 ecx=56780001 fl=11 => fl=10 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340100 ecx=56788000 fl=801 => eax=12340000 fl=801 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=123400ff ecx=56787fff fl=45 => eax=12347f01 fl=845 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12347fff ecx=5678b504 fl=880 => eax=12344afc fl=881 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12348001 ecx=56788001 fl=15 => eax=12340001 fl=815 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=123400ff ecx=5678ffff fl=0 => eax=1234ff01 fl=0 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12348000 ecx=5678b504 fl=8d5 => eax=12340000 fl=8d5 | mask=801",
        "imul ax, cx | 660FAFC1 | eax=12340001 ecx=56787fff fl=c4 => eax=12347fff fl=c4 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=b504f334 ecx=10000 fl=11 => eax=f3340000 fl=811 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000001 ecx=ffff fl=801 => eax=8000ffff fl=801 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=10000 fl=45 => eax=0 fl=44 | mask=801",
        "imul eax, ecx | 0FAFC1 | fl=880 => fl=80 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000001 ecx=b504f334 fl=15 => eax=b504f334 fl=815 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000001 ecx=1 fl=0 => fl=0 | mask=801",
        "imul eax, ecx | 0FAFC1 | ecx=7fffffff fl=8d5 => fl=d4 | mask=801",
        "imul eax, ecx | 0FAFC1 | ecx=ffffffff fl=c4 => fl=c4 | mask=801",
        "imul eax, ecx | 0FAFC1 | ecx=80000001 fl=11 => fl=10 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=2 ecx=80000000 fl=801 => eax=0 fl=801 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=b504f334 ecx=7fffffff fl=45 => eax=4afb0ccc fl=845 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=b504f334 ecx=ffffffff fl=880 => eax=4afb0ccc fl=80 | mask=801",
        "imul eax, ecx | 0FAFC1 | ecx=2 fl=15 => fl=14 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000000 ecx=1 fl=0 => fl=0 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=ffff ecx=b504f334 fl=8d5 => eax=3e2f0ccc fl=8d5 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=1 ecx=ffff fl=c4 => eax=ffff fl=c4 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=b504f334 ecx=b504f334 fl=11 => eax=8abc290 fl=811 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=7fffffff ecx=7fffffff fl=801 => eax=1 fl=801 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=2 ecx=10000 fl=45 => eax=20000 fl=44 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000001 ecx=2 fl=880 => eax=2 fl=881 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000001 ecx=ffffffff fl=15 => eax=7fffffff fl=14 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000000 ecx=ffffffff fl=0 => fl=801 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=80000000 ecx=2 fl=8d5 => eax=0 fl=8d5 | mask=801",
        "imul eax, ecx | 0FAFC1 | eax=b504f334 fl=c4 => eax=0 fl=c4 | mask=801",
        "imul dx, cx, -1 | 666BD1FF | ecx=99997fff edx=eeeeeeee fl=11 => edx=eeee8001 fl=10 | mask=801",
        "imul dx, cx, -1 | 666BD1FF | ecx=99998000 edx=eeeeeeee fl=801 => edx=eeee8000 fl=801 | mask=801",
        "imul dx, cx, -1 | 666BD1FF | ecx=99990003 edx=eeeeeeee fl=45 => edx=eeeefffd fl=44 | mask=801",
        "imul dx, cx, -1 | 666BD1FF | ecx=9999ffff edx=eeeeeeee fl=880 => edx=eeee0001 fl=80 | mask=801",
        "imul dx, cx, -1 | 666BD1FF | ecx=99990000 edx=eeeeeeee fl=15 => edx=eeee0000 fl=14 | mask=801",
        "imul dx, cx, 2 | 666BD102 | ecx=99997fff edx=eeeeeeee fl=0 => edx=eeeefffe fl=801 | mask=801",
        "imul dx, cx, 2 | 666BD102 | ecx=99998000 edx=eeeeeeee fl=8d5 => edx=eeee0000 fl=8d5 | mask=801",
        "imul dx, cx, 2 | 666BD102 | ecx=99990003 edx=eeeeeeee fl=c4 => edx=eeee0006 fl=c4 | mask=801",
        "imul dx, cx, 2 | 666BD102 | ecx=9999ffff edx=eeeeeeee fl=11 => edx=eeeefffe fl=10 | mask=801",
        "imul dx, cx, 2 | 666BD102 | ecx=99990000 edx=eeeeeeee fl=801 => edx=eeee0000 fl=0 | mask=801",
        "imul dx, cx, 127 | 666BD17F | ecx=99997fff edx=eeeeeeee fl=45 => edx=eeee7f81 fl=845 | mask=801",
        "imul dx, cx, 127 | 666BD17F | ecx=99998000 edx=eeeeeeee fl=880 => edx=eeee8000 fl=881 | mask=801",
        "imul dx, cx, 127 | 666BD17F | ecx=99990003 edx=eeeeeeee fl=15 => edx=eeee017d fl=14 | mask=801",
        "imul dx, cx, 127 | 666BD17F | ecx=9999ffff edx=eeeeeeee fl=0 => edx=eeeeff81 fl=0 | mask=801",
        "imul dx, cx, 127 | 666BD17F | ecx=99990000 edx=eeeeeeee fl=8d5 => edx=eeee0000 fl=d4 | mask=801",
        "imul dx, cx, -128 | 666BD180 | ecx=99997fff edx=eeeeeeee fl=c4 => edx=eeee0080 fl=8c5 | mask=801",
        "imul dx, cx, -128 | 666BD180 | ecx=99998000 edx=eeeeeeee fl=11 => edx=eeee0000 fl=811 | mask=801",
        "imul dx, cx, -128 | 666BD180 | ecx=99990003 edx=eeeeeeee fl=801 => edx=eeeefe80 fl=0 | mask=801",
        "imul dx, cx, -128 | 666BD180 | ecx=9999ffff edx=eeeeeeee fl=45 => edx=eeee0080 fl=44 | mask=801",
        "imul dx, cx, -128 | 666BD180 | ecx=99990000 edx=eeeeeeee fl=880 => edx=eeee0000 fl=80 | mask=801",
        "imul dx, cx, 4660 | 6669D13412 | ecx=99997fff edx=eeeeeeee fl=15 => edx=eeeeedcc fl=815 | mask=801",
        "imul dx, cx, 4660 | 6669D13412 | ecx=99998000 edx=eeeeeeee fl=0 => edx=eeee0000 fl=801 | mask=801",
        "imul dx, cx, 4660 | 6669D13412 | ecx=99990003 edx=eeeeeeee fl=8d5 => edx=eeee369c fl=d4 | mask=801",
        "imul dx, cx, 4660 | 6669D13412 | ecx=9999ffff edx=eeeeeeee fl=c4 => edx=eeeeedcc fl=c4 | mask=801",
        "imul dx, cx, 4660 | 6669D13412 | ecx=99990000 edx=eeeeeeee fl=11 => edx=eeee0000 fl=10 | mask=801",
        "imul dx, cx, -32768 | 6669D10080 | ecx=99997fff edx=eeeeeeee fl=801 => edx=eeee8000 fl=801 | mask=801",
        "imul dx, cx, -32768 | 6669D10080 | ecx=99998000 edx=eeeeeeee fl=45 => edx=eeee0000 fl=845 | mask=801",
        "imul dx, cx, -32768 | 6669D10080 | ecx=99990003 edx=eeeeeeee fl=880 => edx=eeee8000 fl=881 | mask=801",
        "imul dx, cx, -32768 | 6669D10080 | ecx=9999ffff edx=eeeeeeee fl=15 => edx=eeee8000 fl=815 | mask=801",
        "imul dx, cx, -32768 | 6669D10080 | ecx=99990000 edx=eeeeeeee fl=0 => edx=eeee0000 fl=0 | mask=801",
        "imul edx, ecx, -1 | 6BD1FF | ecx=7fffffff edx=eeeeeeee fl=8d5 => edx=80000001 fl=d4 | mask=801",
        "imul edx, ecx, -1 | 6BD1FF | ecx=80000000 edx=eeeeeeee fl=c4 => edx=80000000 fl=8c5 | mask=801",
        "imul edx, ecx, -1 | 6BD1FF | ecx=3 edx=eeeeeeee fl=11 => edx=fffffffd fl=10 | mask=801",
        "imul edx, ecx, -1 | 6BD1FF | ecx=ffffffff edx=eeeeeeee fl=801 => edx=1 fl=0 | mask=801",
        "imul edx, ecx, -1 | 6BD1FF | ecx=10000 edx=eeeeeeee fl=45 => edx=ffff0000 fl=44 | mask=801",
        "imul edx, ecx, 2 | 6BD102 | ecx=7fffffff edx=eeeeeeee fl=880 => edx=fffffffe fl=881 | mask=801",
        "imul edx, ecx, 2 | 6BD102 | ecx=80000000 edx=eeeeeeee fl=15 => edx=0 fl=815 | mask=801",
        "imul edx, ecx, 2 | 6BD102 | ecx=3 edx=eeeeeeee fl=0 => edx=6 fl=0 | mask=801",
        "imul edx, ecx, 2 | 6BD102 | ecx=ffffffff edx=eeeeeeee fl=8d5 => edx=fffffffe fl=d4 | mask=801",
        "imul edx, ecx, 2 | 6BD102 | ecx=10000 edx=eeeeeeee fl=c4 => edx=20000 fl=c4 | mask=801",
        "imul edx, ecx, 127 | 6BD17F | ecx=7fffffff edx=eeeeeeee fl=11 => edx=7fffff81 fl=811 | mask=801",
        "imul edx, ecx, 127 | 6BD17F | ecx=80000000 edx=eeeeeeee fl=801 => edx=80000000 fl=801 | mask=801",
        "imul edx, ecx, 127 | 6BD17F | ecx=3 edx=eeeeeeee fl=45 => edx=17d fl=44 | mask=801",
        "imul edx, ecx, 127 | 6BD17F | ecx=ffffffff edx=eeeeeeee fl=880 => edx=ffffff81 fl=80 | mask=801",
        "imul edx, ecx, 127 | 6BD17F | ecx=10000 edx=eeeeeeee fl=15 => edx=7f0000 fl=14 | mask=801",
        "imul edx, ecx, -128 | 6BD180 | ecx=7fffffff edx=eeeeeeee fl=0 => edx=80 fl=801 | mask=801",
        "imul edx, ecx, -128 | 6BD180 | ecx=80000000 edx=eeeeeeee fl=8d5 => edx=0 fl=8d5 | mask=801",
        "imul edx, ecx, -128 | 6BD180 | ecx=3 edx=eeeeeeee fl=c4 => edx=fffffe80 fl=c4 | mask=801",
        "imul edx, ecx, -128 | 6BD180 | ecx=ffffffff edx=eeeeeeee fl=11 => edx=80 fl=10 | mask=801",
        "imul edx, ecx, -128 | 6BD180 | ecx=10000 edx=eeeeeeee fl=801 => edx=ff800000 fl=0 | mask=801",
        "imul edx, ecx, 74565 | 69D145230100 | ecx=7fffffff edx=eeeeeeee fl=45 => edx=7ffedcbb fl=845 | mask=801",
        "imul edx, ecx, 74565 | 69D145230100 | ecx=80000000 edx=eeeeeeee fl=880 => edx=80000000 fl=881 | mask=801",
        "imul edx, ecx, 74565 | 69D145230100 | ecx=3 edx=eeeeeeee fl=15 => edx=369cf fl=14 | mask=801",
        "imul edx, ecx, 74565 | 69D145230100 | ecx=ffffffff edx=eeeeeeee fl=0 => edx=fffedcbb fl=0 | mask=801",
        "imul edx, ecx, 74565 | 69D145230100 | ecx=10000 edx=eeeeeeee fl=8d5 => edx=23450000 fl=8d5 | mask=801",
        "imul edx, ecx, -2147483648 | 69D100000080 | ecx=7fffffff edx=eeeeeeee fl=c4 => edx=80000000 fl=8c5 | mask=801",
        "imul edx, ecx, -2147483648 | 69D100000080 | ecx=80000000 edx=eeeeeeee fl=11 => edx=0 fl=811 | mask=801",
        "imul edx, ecx, -2147483648 | 69D100000080 | ecx=3 edx=eeeeeeee fl=801 => edx=80000000 fl=801 | mask=801",
        "imul edx, ecx, -2147483648 | 69D100000080 | ecx=ffffffff edx=eeeeeeee fl=45 => edx=80000000 fl=845 | mask=801",
        "imul edx, ecx, -2147483648 | 69D100000080 | ecx=10000 edx=eeeeeeee fl=880 => edx=0 fl=881 | mask=801",
        "imul edx, ecx, 2147483647 | 69D1FFFFFF7F | ecx=7fffffff edx=eeeeeeee fl=15 => edx=1 fl=815 | mask=801",
        "imul edx, ecx, 2147483647 | 69D1FFFFFF7F | ecx=80000000 edx=eeeeeeee fl=0 => edx=80000000 fl=801 | mask=801",
        "imul edx, ecx, 2147483647 | 69D1FFFFFF7F | ecx=3 edx=eeeeeeee fl=8d5 => edx=7ffffffd fl=8d5 | mask=801",
        "imul edx, ecx, 2147483647 | 69D1FFFFFF7F | ecx=ffffffff edx=eeeeeeee fl=c4 => edx=80000001 fl=c4 | mask=801",
        "imul edx, ecx, 2147483647 | 69D1FFFFFF7F | ecx=10000 edx=eeeeeeee fl=11 => edx=ffff0000 fl=811 | mask=801",
        "imul eax, dword [ebx-4] | 0FAF43FC | eax=10000 fl=801 mem=11111111,22222222,33333333,ffff8000,55555555,66666666,77777777,88888888 => eax=80000000 fl=0 | mask=801",
        "imul ax, word [ebx-4] | 660FAF43FC | eax=2 fl=45 mem=11111111,22222222,33333333,ffff8000,55555555,66666666,77777777,88888888 => eax=0 fl=845 | mask=801",
        "imul esi, dword [ebx-4], 3 | 6B73FC03 | fl=880 mem=11111111,22222222,33333333,ffff8000,55555555,66666666,77777777,88888888 => esi=fffe8000 fl=80 | mask=801",
        "imul si, word [ebx-4], -2 | 666B73FCFE | esi=aaaaaaaa fl=15 mem=11111111,22222222,33333333,ffff8000,55555555,66666666,77777777,88888888 => esi=aaaa0000 fl=815 | mask=801",
        "mul ecx; adc esi, 0 | F7E183D600 | eax=10000 ecx=10000 esi=100 fl=0 => eax=0 edx=1 esi=101 fl=0 | mask=801",
        "mul ecx; adc esi, 0 | F7E183D600 | eax=3 ecx=5 esi=100 fl=8d5 => eax=f fl=4 | mask=801",
        "mul ecx; adc esi, 0 | F7E183D600 | eax=ffffffff ecx=ffffffff esi=100 fl=c4 => eax=1 edx=fffffffe esi=101 fl=0 | mask=801",
        "imul ecx; adc esi, 0 | F7E983D600 | eax=10000 ecx=10000 esi=100 fl=11 => eax=0 edx=1 esi=101 fl=0 | mask=801",
        "imul ecx; adc esi, 0 | F7E983D600 | eax=3 ecx=5 esi=100 fl=801 => eax=f fl=4 | mask=801",
        "imul ecx; adc esi, 0 | F7E983D600 | eax=ffffffff ecx=ffffffff esi=100 fl=45 => eax=1 fl=4 | mask=801",
        "imul eax, ecx; adc esi, 0 | 0FAFC183D600 | eax=10000 ecx=10000 esi=100 fl=880 => eax=0 esi=101 fl=0 | mask=801",
        "imul eax, ecx; adc esi, 0 | 0FAFC183D600 | eax=3 ecx=5 esi=100 fl=15 => eax=f fl=4 | mask=801",
        "imul eax, ecx; adc esi, 0 | 0FAFC183D600 | eax=ffffffff ecx=ffffffff esi=100 fl=0 => eax=1 fl=4 | mask=801",
        "div cl | F6F1 | eax=77770064 ecx=3307 edx=5a5a5a5a fl=8d5 => eax=7777020e fl=811 | mask=0",
        "div cl | F6F1 | eax=7777ffff ecx=33ff edx=5a5a5a5a fl=c4 => #DE | mask=0",
        "div cl | F6F1 | eax=777700ff ecx=3301 edx=5a5a5a5a fl=11 => fl=11 | mask=0",
        "div cl | F6F1 | eax=77770100 ecx=3301 edx=5a5a5a5a fl=801 => #DE | mask=0",
        "div cl | F6F1 | eax=77777fff ecx=3380 edx=5a5a5a5a fl=45 => fl=11 | mask=0",
        "div cl | F6F1 | eax=777704d2 ecx=3300 edx=5a5a5a5a fl=880 => #DE | mask=0",
        "div cl | F6F1 | eax=7777feff ecx=33ff edx=5a5a5a5a fl=15 => fl=11 | mask=0",
        "div cl | F6F1 | eax=77770000 ecx=3303 edx=5a5a5a5a fl=0 => fl=10 | mask=0",
        "idiv cl | F6F9 | eax=77770064 ecx=3307 edx=5a5a5a5a fl=8d5 => eax=7777020e fl=811 | mask=0",
        "idiv cl | F6F9 | eax=7777ff9c ecx=3307 edx=5a5a5a5a fl=c4 => eax=7777fef2 fl=10 | mask=0",
        "idiv cl | F6F9 | eax=77770064 ecx=33f9 edx=5a5a5a5a fl=11 => eax=777702f2 fl=11 | mask=0",
        "idiv cl | F6F9 | eax=7777ff9c ecx=33f9 edx=5a5a5a5a fl=801 => eax=7777fe0e fl=811 | mask=0",
        "idiv cl | F6F9 | eax=77778000 ecx=33ff edx=5a5a5a5a fl=45 => #DE | mask=0",
        "idiv cl | F6F9 | eax=7777ff80 ecx=33ff edx=5a5a5a5a fl=880 => #DE | mask=0",
        "idiv cl | F6F9 | eax=777700fe ecx=3302 edx=5a5a5a5a fl=15 => eax=7777007f fl=11 | mask=0",
        "idiv cl | F6F9 | eax=77770100 ecx=3302 edx=5a5a5a5a fl=0 => #DE | mask=0",
        "idiv cl | F6F9 | eax=7777ff00 ecx=3302 edx=5a5a5a5a fl=8d5 => eax=77770080 fl=811 | mask=0",
        "idiv cl | F6F9 | eax=7777fefe ecx=3302 edx=5a5a5a5a fl=c4 => #DE | mask=0",
        "idiv cl | F6F9 | eax=77770005 ecx=3300 edx=5a5a5a5a fl=11 => #DE | mask=0",
        "idiv cl | F6F9 | eax=7777007f ecx=33ff edx=5a5a5a5a fl=801 => eax=77770081 fl=811 | mask=0",
        "div cx | 66F7F1 | eax=777703e8 ecx=33330007 edx=66660000 fl=45 => eax=7777008e edx=66660006 fl=11 | mask=0",
        "div cx | 66F7F1 | eax=77775678 ecx=33332345 edx=66661234 fl=880 => eax=77778422 edx=6666134e fl=810 | mask=0",
        "div cx | 66F7F1 | eax=7777ffff ecx=3333ffff edx=6666fffe fl=15 => fl=11 | mask=0",
        "div cx | 66F7F1 | eax=7777ffff ecx=3333ffff edx=6666ffff fl=0 => #DE | mask=0",
        "div cx | 66F7F1 | eax=77770000 ecx=33330001 edx=66660001 fl=8d5 => #DE | mask=0",
        "div cx | 66F7F1 | eax=7777ffff ecx=33330001 edx=66660000 fl=c4 => fl=10 | mask=0",
        "div cx | 66F7F1 | eax=77770005 ecx=33330000 edx=66660005 fl=11 => #DE | mask=0",
        "idiv cx | 66F7F9 | eax=777703e8 ecx=33330007 edx=66660000 fl=801 => eax=7777008e edx=66660006 fl=811 | mask=0",
        "idiv cx | 66F7F9 | eax=7777fc18 ecx=33330007 edx=6666ffff fl=45 => eax=7777ff72 edx=6666fffa fl=11 | mask=0",
        "idiv cx | 66F7F9 | eax=7777fc18 ecx=3333fff9 edx=6666ffff fl=880 => eax=7777008e edx=6666fffa fl=810 | mask=0",
        "idiv cx | 66F7F9 | eax=77770000 ecx=3333ffff edx=66668000 fl=15 => #DE | mask=0",
        "idiv cx | 66F7F9 | eax=77777ffd ecx=33330003 edx=66660000 fl=0 => eax=77772aa9 edx=66660002 fl=10 | mask=0",
        "idiv cx | 66F7F9 | eax=77778000 ecx=33330003 edx=66660000 fl=8d5 => eax=77772aaa edx=66660002 fl=811 | mask=0",
        "idiv cx | 66F7F9 | eax=77778000 ecx=33330003 edx=66660001 fl=c4 => #DE | mask=0",
        "idiv cx | 66F7F9 | eax=77778000 ecx=33330001 edx=6666ffff fl=11 => edx=66660000 fl=11 | mask=0",
        "idiv cx | 66F7F9 | eax=77777fff ecx=33330001 edx=6666ffff fl=801 => #DE | mask=0",
        "idiv cx | 66F7F9 | eax=77770001 ecx=33330000 edx=66660000 fl=45 => #DE | mask=0",
        "div ecx | F7F1 | eax=f4240 ecx=7 fl=880 => eax=22e09 edx=1 fl=810 | mask=0",
        "div ecx | F7F1 | eax=9abcdef0 ecx=23456789 edx=12345678 fl=15 => eax=84210844 edx=1468168c fl=11 | mask=0",
        "div ecx | F7F1 | eax=ffffffff ecx=ffffffff edx=fffffffe fl=0 => fl=10 | mask=0",
        "div ecx | F7F1 | ecx=ffffffff edx=ffffffff fl=8d5 => #DE | mask=0",
        "div ecx | F7F1 | ecx=1 edx=1 fl=c4 => #DE | mask=0",
        "div ecx | F7F1 | eax=ffffffff ecx=1 fl=11 => fl=11 | mask=0",
        "div ecx | F7F1 | eax=7 edx=7 fl=801 => #DE | mask=0",
        "div ecx | F7F1 | ecx=80000000 fl=45 => fl=11 | mask=0",
        "idiv ecx | F7F9 | eax=f4240 ecx=7 fl=880 => eax=22e09 edx=1 fl=810 | mask=0",
        "idiv ecx | F7F9 | eax=fff0bdc0 ecx=7 edx=ffffffff fl=15 => eax=fffdd1f7 fl=11 | mask=0",
        "idiv ecx | F7F9 | eax=fff0bdc0 ecx=fffffff9 edx=ffffffff fl=0 => eax=22e09 fl=10 | mask=0",
        "idiv ecx | F7F9 | eax=80000000 ecx=ffffffff edx=ffffffff fl=8d5 => #DE | mask=0",
        "idiv ecx | F7F9 | ecx=ffffffff edx=80000000 fl=c4 => #DE | mask=0",
        "idiv ecx | F7F9 | eax=7fffffff ecx=1 fl=11 => fl=11 | mask=0",
        "idiv ecx | F7F9 | eax=80000000 ecx=1 fl=801 => #DE | mask=0",
        "idiv ecx | F7F9 | eax=80000000 ecx=1 edx=ffffffff fl=45 => edx=0 fl=11 | mask=0",
        "idiv ecx | F7F9 | eax=7fffffff ecx=1 edx=ffffffff fl=880 => #DE | mask=0",
        "idiv ecx | F7F9 | eax=ffffffff ecx=80000000 edx=3fffffff fl=15 => eax=80000001 edx=7fffffff fl=11 | mask=0",
        "idiv ecx | F7F9 | ecx=80000000 edx=40000000 fl=0 => eax=80000000 edx=0 fl=10 | mask=0",
        "idiv ecx | F7F9 | ecx=80000000 edx=c0000000 fl=8d5 => #DE | mask=0",
        "idiv ecx | F7F9 | eax=1 edx=1 fl=c4 => #DE | mask=0",
        "idiv ecx | F7F9 | eax=9abcdef0 ecx=87654321 edx=12345678 fl=11 => eax=d95bc60a edx=2921b9a6 fl=11 | mask=0",
        "div byte [ebx+8] | F67308 | eax=1234 edx=2 fl=801 mem=11111111,22222222,33333333,44444444,55555555,66666666,77777709,88888888 => #DE | mask=0",
        "div word [ebx+8] | 66F77308 | eax=1234 edx=2 fl=45 mem=11111111,22222222,33333333,44444444,55555555,66666666,77770009,88888888 => eax=3ae9 edx=3 fl=11 | mask=0",
        "div dword [ebx+8] | F77308 | eax=1234 edx=2 fl=880 mem=11111111,22222222,33333333,44444444,55555555,66666666,9,88888888 => eax=38e3903e edx=6 fl=810 | mask=0",
        "div dword [ebx+8] | F77308 | eax=1234 edx=2 fl=15 mem=11111111,22222222,33333333,44444444,55555555,66666666,0,88888888 => #DE | mask=0",
        "div byte [ebx+8] | F67308 | eax=1234 edx=2 fl=0 mem=11111111,22222222,33333333,44444444,55555555,66666666,77777701,88888888 => #DE | mask=0",
        "idiv byte [ebx+8] | F67B08 | eax=1234 edx=2 fl=8d5 mem=11111111,22222222,33333333,44444444,55555555,66666666,77777709,88888888 => #DE | mask=0",
        "idiv word [ebx+8] | 66F77B08 | eax=1234 edx=2 fl=c4 mem=11111111,22222222,33333333,44444444,55555555,66666666,77770009,88888888 => eax=3ae9 edx=3 fl=10 | mask=0",
        "idiv dword [ebx+8] | F77B08 | eax=1234 edx=2 fl=11 mem=11111111,22222222,33333333,44444444,55555555,66666666,9,88888888 => eax=38e3903e edx=6 fl=11 | mask=0",
        "idiv dword [ebx+8] | F77B08 | eax=1234 edx=2 fl=801 mem=11111111,22222222,33333333,44444444,55555555,66666666,0,88888888 => #DE | mask=0",
        "idiv byte [ebx+8] | F67B08 | eax=1234 edx=2 fl=45 mem=11111111,22222222,33333333,44444444,55555555,66666666,77777701,88888888 => #DE | mask=0",
        // </hw-cases>
    };
}
