using Iced.Intel;
using Transmeta.Frontend.Decoding;
using Transmeta.Frontend.Flags;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>CLC STC CMC CLD STD LAHF SAHF PUSHF(D) POPF(D). The native cases run at CPL 3 on the
/// host, so they keep IF set and IOPL 0; POPF at the guest's CPL 0 is tested separately.</summary>
public class FlagOpsTests
{
    private const uint AllFlags = 0x00247FD5; // what the recordings compare: all but IF (and RF/VM...)

    public static NativeCase[] NativeCases { get; } =
    {
        new("stc_clc_cmc_std_cld", a =>
        {
            a.stc(); a.pushfd();
            a.cmc(); a.pushfd();
            a.cmc(); a.pushfd();
            a.clc(); a.pushfd();
            a.std(); a.pushfd();
            a.cld(); a.pushfd();
        }),
        new("cmc_after_sub", a =>
        {
            a.mov(eax, 1);
            a.sub(eax, 2); // CF SF AF PF
            a.cmc();
            a.pushfd();
        }),
        new("lahf_after_add", a =>
        {
            a.mov(eax, 0xFFu);
            a.add(al, 1); // CF ZF AF PF
            a.lahf();
        }),
        new("lahf_all_set", a =>
        {
            a.push(0xAD7);
            a.popfd();
            a.mov(eax, 0x11111111u);
            a.lahf();
        }),
        new("sahf_keeps_of", a =>
        {
            a.push(0xA02);
            a.popfd();
            a.mov(eax, 0xFD00u); // SF ZF AF PF CF and the reserved bits 3, 5 (ignored)
            a.sahf();
            a.pushfd();
        }),
        new("sahf_clears", a =>
        {
            a.push(0xAD7);
            a.popfd();
            a.mov(eax, 0x0200u);
            a.sahf();
            a.pushfd();
        }),
        new("popfd_pushfd_roundtrip", a =>
        {
            a.push(0x00244ED7); // ID AC NT OF DF IF SF ZF AF PF CF
            a.popfd();
            a.pushfd();
        }) { FlagsMask = AllFlags },
        new("popfd_ignores_reserved_bits", a =>
        {
            a.push(0xFFC08228u); // reserved bits 3, 5, 15, 22..31; IF
            a.popfd();
            a.pushfd();
        }) { FlagsMask = AllFlags },
        new("pushf16", a =>
        {
            a.push(0x00200ED7); // (not AC: the host would then fault on the misaligned stack)
            a.popfd();
            a.db(0x66, 0x9C); // pushf: low 16 bits only
        }) { FlagsMask = AllFlags },
        new("popf16_keeps_upper_half", a =>
        {
            a.push(0x00040202); // AC
            a.popfd();
            a.db(0x66, 0x68, 0x95, 0x0A); // push word 0A95h
            a.db(0x66, 0x9D);             // popf (16-bit)
            a.pushfd();
        }) { FlagsMask = AllFlags },
        new("popfd_then_adc_uses_carry", a =>
        {
            a.push(0x203);
            a.popfd();
            a.mov(eax, 5);
            a.adc(eax, 0);
            a.pushfd();
        }),
    };

    private static readonly Dictionary<string, NativeResult> Recorded = new()
    {
        ["stc_clc_cmc_std_cld"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007ffe8, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100c, [0x0007ffe8, 0x00000202, 0x0007ffec, 0x00000602, 0x0007fff0, 0x00000202, 0x0007fff4, 0x00000203, 0x0007fff8, 0x00000202, 0x0007fffc, 0x00000203]),
        ["cmc_after_sub"] = new([0xffffffff, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00000296, -1, 0x0000100c, [0x0007fffc, 0x00000296]),
        ["lahf_after_add"] = new([0x00005700, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000257, -1, 0x00001008, []),
        ["lahf_all_set"] = new([0x1111d711, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000ad7, -1, 0x0000100c, [0x0007fffc, 0x00000ad7]),
        ["sahf_keeps_of"] = new([0x0000fd00, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00000ad7, -1, 0x0000100d, [0x0007fffc, 0x00000ad7]),
        ["sahf_clears"] = new([0x00000200, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00000a02, -1, 0x0000100d, [0x0007fffc, 0x00000a02]),
        ["popfd_pushfd_roundtrip"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00244ed7, -1, 0x00001007, [0x0007fffc, 0x00244ed7]),
        ["popfd_ignores_reserved_bits"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001007, [0x0007fffc, 0x00000202]),
        ["pushf16"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fffe, 0x00000000, 0x00000000, 0x00000000], 0x00200ed7, -1, 0x00001008, [0x0007fffc, 0x0ed70ed7]),
        ["popf16_keeps_upper_half"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00040a97, -1, 0x0000100d, [0x0007fffc, 0x00040a97]),
        ["popfd_then_adc_uses_carry"] = new([0x00000006, 0x00000000, 0x00000000, 0x00000000, 0x0007fffc, 0x00000000, 0x00000000, 0x00000000], 0x00000206, -1, 0x00001011, [0x0007fffc, 0x00000206]),
    };

    public static IEnumerable<object[]> Matrix => NativeOracle.Matrix(NativeCases);

    [Theory]
    [MemberData(nameof(Matrix))]
    public void MatchesHardware(string backend, string name) => NativeOracle.Check(backend, NativeCases, Recorded, name);

    // ------------------------------------------------------------------ CPL 0 behaviour (not checkable natively)

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PopfAtCpl0WritesIfAndIoplButNotRfVmVifVip(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.push(0x003F3DD7u); // everything from CF to ID, IOPL 3, IF clear
            a.popfd();
            a.pushfd();
            a.pop(ebx);
            a.push(0x00000202u);
            a.popfd();
            a.pushfd();
            a.pop(ecx);
        });
        // Writable at CPL 0: CF PF AF ZF SF TF DF OF IOPL NT AC ID (IF clear here); not RF VM VIF VIP.
        Assert.Equal(0x00243DD7u, r.State.Ebx);
        Assert.Equal(0x00000202u, r.State.Ecx);
        Assert.Equal(0x00000202u, r.State.GetEflags());
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PushfClearsRfAndVmInTheImage(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.State.SetEflags(0x00030202 | EflagsBits.AC); // RF VM AC IF
        r.Run(a =>
        {
            a.pushfd();
            a.pop(eax);
            a.db(0x66, 0x9C); // pushf
            a.pop(bx);
        });
        Assert.Equal(0x00040202u, r.State.Eax);
        Assert.Equal(0x0202u, r.State.Ebx);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PopfEndsTheBlock(string backend)
    {
        // POPF may set IF, so the VMM must get control right after it: the HLT is a second block.
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.push(0x202);
            a.popfd();
            a.nop();
        });
        Assert.Equal(1, r.BlocksRun);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PopfAtCpl3KeepsIoplAndIfWhenIoplIsLower(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend)) { Mode = new DecodeMode(32, true, 3, 4) };
        r.Run(a =>
        {
            a.push(0x3AD7); // IOPL 3, OF IF SF ZF AF PF CF
            a.popfd();
            a.pushfd();
            a.pop(eax);
        });
        Assert.Equal(0x08D7u, r.State.Eax);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PopfAtCpl3ChangesIfWhenIoplAllows(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend)) { Mode = new DecodeMode(32, true, 3, 4) };
        r.State.SetEflags(0x3002); // IOPL 3, IF clear
        r.Run(a =>
        {
            a.push(0x0202);
            a.popfd();
            a.pushfd();
            a.pop(eax);
        });
        Assert.Equal(0x3202u, r.State.Eax);
    }
}
