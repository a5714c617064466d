using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>DAA DAS AAA AAS AAM AAD. Expected values: <see cref="NativeOracle"/>. The sweeps run
/// the instruction on every AL with every CF/AF input (and four AH values, and with the other
/// flags clear and set), folding AX and the flags into a hash in EBX, which the host computed too.</summary>
public class BcdTests
{
    private const uint Defined = NativeOracle.ArithmeticFlags;

    /// <summary>Runs <paramref name="insn"/> for i = 0 .. 8191: AL = i &amp; FF, CF = bit 8, AF = bit 9,
    /// AH = {00, 7F, 80, FF}[bits 10-11], OF SF ZF PF = bit 12; hashes EAX and EFLAGS &amp; <paramref name="mask"/>.</summary>
    private static Action<Assembler> Sweep(Action<Assembler> insn, uint mask) => a =>
    {
        a.mov(__dword_ptr[0x20000], 0xFF807F00u);
        a.xor(ebx, ebx);
        a.xor(edi, edi);
        var top = a.CreateLabel();
        a.Label(ref top);
        a.mov(eax, edi);
        a.shr(eax, 10);
        a.and(eax, 3);
        a.movzx(eax, __byte_ptr[eax + 0x20000]);
        a.shl(eax, 8);
        a.mov(ecx, edi);
        a.and(ecx, 0xFF);
        a.or(eax, ecx);
        a.mov(edx, edi);
        a.shr(edx, 8);
        a.and(edx, 1);
        a.mov(ecx, edi);
        a.shr(ecx, 5);
        a.and(ecx, 0x10);
        a.or(edx, ecx);
        a.mov(ecx, edi);
        a.shr(ecx, 12);
        a.and(ecx, 1);
        a.neg(ecx);
        a.and(ecx, 0x8C4);
        a.or(edx, ecx);
        a.or(edx, 0x202);
        a.push(edx);
        a.popfd();
        insn(a);
        a.pushfd();
        a.pop(edx);
        a.and(edx, mask);
        a.lea(ebx, __[ebx + ebx * 8]);
        a.lea(ebx, __[ebx + ebx * 2]);
        a.xor(ebx, eax);
        a.lea(ebx, __[ebx + ebx * 4]);
        a.add(ebx, edx);
        a.inc(edi);
        a.cmp(edi, 8192);
        a.jb(top);
    };

    private static Action<Assembler> Ax(uint ax, uint flags, Action<Assembler> insn) => a =>
    {
        a.push(flags | 0x202);
        a.popfd();
        a.mov(eax, 0x12340000u | ax);
        insn(a);
    };

    public static NativeCase[] NativeCases { get; } =
    {
        // Single cases (the SDM examples and the corners): defined flags only.
        new("daa_9a", Ax(0x9A, 0, a => a.daa())) { FlagsMask = Defined & ~0x800u },
        new("daa_af_set", Ax(0x12, 0x10, a => a.daa())) { FlagsMask = Defined & ~0x800u },
        new("daa_cf_set", Ax(0x05, 0x01, a => a.daa())) { FlagsMask = Defined & ~0x800u },
        new("daa_af_cf_ff", Ax(0xFF, 0x11, a => a.daa())) { FlagsMask = Defined & ~0x800u },
        new("das_9a", Ax(0x9A, 0, a => a.das())) { FlagsMask = Defined & ~0x800u },
        new("das_af_set_low_borrow", Ax(0x03, 0x10, a => a.das())) { FlagsMask = Defined & ~0x800u },
        new("das_cf_set", Ax(0x35, 0x01, a => a.das())) { FlagsMask = Defined & ~0x800u },
        new("aaa_0f", Ax(0x050F, 0, a => a.aaa())) { FlagsMask = 0x11 },
        new("aaa_af_set", Ax(0x0502, 0x10, a => a.aaa())) { FlagsMask = 0x11 },
        new("aaa_ah_wraps", Ax(0xFFFA, 0, a => a.aaa())) { FlagsMask = 0x11 },
        new("aaa_no_adjust", Ax(0x0509, 0x01, a => a.aaa())) { FlagsMask = 0x11 },
        new("aas_0f", Ax(0x050F, 0, a => a.aas())) { FlagsMask = 0x11 },
        new("aas_af_borrow_into_ah", Ax(0x0002, 0x10, a => a.aas())) { FlagsMask = 0x11 },
        new("aam_10", Ax(0xAA4F, 0, a => a.aam(10))) { FlagsMask = 0xC4 },
        new("aam_16", Ax(0x00FE, 0, a => a.aam(16))) { FlagsMask = 0xC4 },
        new("aam_0_divide_error", Ax(0x0123, 0, a => a.aam(0))) { FlagsMask = Defined },
        new("aad_10", Ax(0x0709, 0, a => a.aad(10))) { FlagsMask = 0xC4 },
        new("aad_7", Ax(0x0506, 0, a => a.aad(7))) { FlagsMask = 0xC4 },
        new("aad_zero_result", Ax(0x1000, 0, a => a.aad(16))) { FlagsMask = 0xC4 },

        // Sweeps over the defined flags (SDM semantics) ...
        new("sweep_daa_defined", Sweep(a => a.daa(), Defined & ~0x800u)),
        new("sweep_das_defined", Sweep(a => a.das(), Defined & ~0x800u)),
        new("sweep_aaa_defined", Sweep(a => a.aaa(), 0x11)),
        new("sweep_aas_defined", Sweep(a => a.aas(), 0x11)),
        new("sweep_aam10_defined", Sweep(a => a.aam(10), 0xC4)),
        new("sweep_aam7_defined", Sweep(a => a.aam(7), 0xC4)),
        new("sweep_aam255_defined", Sweep(a => a.aam(255), 0xC4)),
        new("sweep_aad10_defined", Sweep(a => a.aad(10), 0xC4)),
        new("sweep_aad7_defined", Sweep(a => a.aad(7), 0xC4)),
        new("sweep_aad255_defined", Sweep(a => a.aad(255), 0xC4)),
        // ... and over all six (the flags the SDM leaves undefined as the host sets them).
        new("sweep_daa_all", Sweep(a => a.daa(), Defined)),
        new("sweep_das_all", Sweep(a => a.das(), Defined)),
        new("sweep_aaa_all", Sweep(a => a.aaa(), Defined)),
        new("sweep_aas_all", Sweep(a => a.aas(), Defined)),
        new("sweep_aam16_all", Sweep(a => a.aam(16), Defined)),
        new("sweep_aad16_all", Sweep(a => a.aad(16), Defined)),
        new("sweep_aad3_all", Sweep(a => a.aad(3), Defined)),
    };

    private static readonly Dictionary<string, NativeResult> Recorded = new()
    {
        ["daa_9a"] = new([0x12340000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000257, -1, 0x0000100c, [0x0007fffc, 0x00000202]),
        ["daa_af_set"] = new([0x12340018, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000216, -1, 0x0000100c, [0x0007fffc, 0x00000212]),
        ["daa_cf_set"] = new([0x12340065, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000207, -1, 0x0000100c, [0x0007fffc, 0x00000203]),
        ["daa_af_cf_ff"] = new([0x12340065, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000217, -1, 0x0000100c, [0x0007fffc, 0x00000213]),
        ["das_9a"] = new([0x12340034, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000a13, -1, 0x0000100c, [0x0007fffc, 0x00000202]),
        ["das_af_set_low_borrow"] = new([0x123400fd, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000293, -1, 0x0000100c, [0x0007fffc, 0x00000212]),
        ["das_cf_set"] = new([0x123400d5, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000283, -1, 0x0000100c, [0x0007fffc, 0x00000203]),
        ["aaa_0f"] = new([0x12340605, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000213, -1, 0x0000100c, [0x0007fffc, 0x00000202]),
        ["aaa_af_set"] = new([0x12340608, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000213, -1, 0x0000100c, [0x0007fffc, 0x00000212]),
        ["aaa_ah_wraps"] = new([0x12340100, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000217, -1, 0x0000100c, [0x0007fffc, 0x00000202]),
        ["aaa_no_adjust"] = new([0x12340509, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000206, -1, 0x0000100c, [0x0007fffc, 0x00000203]),
        ["aas_0f"] = new([0x12340409, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000217, -1, 0x0000100c, [0x0007fffc, 0x00000202]),
        ["aas_af_borrow_into_ah"] = new([0x1234fe0c, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000297, -1, 0x0000100c, [0x0007fffc, 0x00000212]),
        ["aam_10"] = new([0x12340709, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000206, -1, 0x0000100d, [0x0007fffc, 0x00000202]),
        ["aam_16"] = new([0x12340f0e, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100d, [0x0007fffc, 0x00000202]),
        ["aam_0_divide_error"] = new([0x12340123, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00010202, 0, 0x0000100b, [0x0007fffc, 0x00000202]),
        ["aad_10"] = new([0x1234004f, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100d, [0x0007fffc, 0x00000202]),
        ["aad_7"] = new([0x12340029, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100d, [0x0007fffc, 0x00000202]),
        ["aad_zero_result"] = new([0x12340000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000246, -1, 0x0000100d, [0x0007fffc, 0x00000202]),
        ["sweep_daa_defined"] = new([0x0000ff65, 0x000008c4, 0x00000015, 0xb54091e0, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001077, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000217]),
        ["sweep_das_defined"] = new([0x0000ff99, 0x000008c4, 0x00000095, 0x0dadb2d0, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001077, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000297]),
        ["sweep_aaa_defined"] = new([0x00000105, 0x000008c4, 0x00000011, 0xddd1aa00, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001074, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000217]),
        ["sweep_aas_defined"] = new([0x0000fe09, 0x000008c4, 0x00000011, 0x9f057e00, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001074, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000297]),
        ["sweep_aam10_defined"] = new([0x00001905, 0x000008c4, 0x00000004, 0xaa1a9e80, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000206]),
        ["sweep_aam7_defined"] = new([0x00002403, 0x000008c4, 0x00000004, 0xbe9df080, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000206]),
        ["sweep_aam255_defined"] = new([0x00000100, 0x000008c4, 0x00000044, 0x9f65d000, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000246]),
        ["sweep_aad10_defined"] = new([0x000000f5, 0x000008c4, 0x00000084, 0xdb095800, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000297]),
        ["sweep_aad7_defined"] = new([0x000000f8, 0x000008c4, 0x00000080, 0xd439a000, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000293]),
        ["sweep_aad255_defined"] = new([0x00000000, 0x000008c4, 0x00000044, 0xd106a800, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000257]),
        ["sweep_daa_all"] = new([0x0000ff65, 0x000008c4, 0x00000015, 0x2bfe91e0, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001077, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000217]),
        ["sweep_das_all"] = new([0x0000ff99, 0x000008c4, 0x00000095, 0x870f72d0, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001077, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000297]),
        ["sweep_aaa_all"] = new([0x00000105, 0x000008c4, 0x00000015, 0xb37aab00, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001077, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000217]),
        ["sweep_aas_all"] = new([0x0000fe09, 0x000008c4, 0x00000095, 0xd91f8700, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001077, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000297]),
        ["sweep_aam16_all"] = new([0x00000f0f, 0x000008c4, 0x00000004, 0xd40d4000, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000206]),
        ["sweep_aad16_all"] = new([0x000000ef, 0x000008c4, 0x00000081, 0xff22b800, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000283]),
        ["sweep_aad3_all"] = new([0x000000fc, 0x000008c4, 0x00000095, 0x7c242950, 0x00080000, 0x00000000, 0x00000000, 0x00002000], 0x00000246, -1, 0x00001078, [0x00020000, 0xff807f00, 0x0007fffc, 0x00000297]),
    };

    public static IEnumerable<object[]> Matrix => NativeOracle.Matrix(NativeCases);

    [Theory]
    [MemberData(nameof(Matrix))]
    public void MatchesHardware(string backend, string name) => NativeOracle.Check(backend, NativeCases, Recorded, name);
}
