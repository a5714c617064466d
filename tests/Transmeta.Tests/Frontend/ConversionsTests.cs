using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>CBW CWDE CWD CDQ, BSWAP (and the undefined 16-bit form), XLAT.
/// Expected values: <see cref="NativeOracle"/>.</summary>
public class ConversionsTests
{
    private static void Table(Assembler a, uint address) =>
        StringsTests.Data(a, address, 0x03020100, 0x07060504, 0x0B0A0908, 0x0F0E0D0C);

    public static NativeCase[] NativeCases { get; } =
    {
        new("cbw_negative", a => { a.mov(eax, 0x12345680u); a.cbw(); }),
        new("cbw_positive", a => { a.mov(eax, 0x1234FF7Fu); a.cbw(); }),
        new("cwde_negative", a => { a.mov(eax, 0x12348000u); a.cwde(); }),
        new("cwde_positive", a => { a.mov(eax, 0xFFFF7FFFu); a.cwde(); }),
        new("cwd_negative", a => { a.mov(eax, 0x00008000u); a.mov(edx, 0x12345678u); a.cwd(); }),
        new("cwd_positive", a => { a.mov(eax, 0xFFFF7FFFu); a.mov(edx, 0x12345678u); a.cwd(); }),
        new("cdq_negative", a => { a.mov(eax, 0x80000000u); a.mov(edx, 0x12345678u); a.cdq(); }),
        new("cdq_positive", a => { a.mov(eax, 0x7FFFFFFFu); a.mov(edx, 0x12345678u); a.cdq(); }),
        new("bswap_r32", a =>
        {
            a.mov(eax, 0x12345678u); a.bswap(eax);
            a.mov(esi, 0xAABBCCDDu); a.bswap(esi);
            a.mov(esp, 0x01020304u); a.bswap(esp); a.mov(ecx, esp); a.mov(esp, 0x80000u);
        }),
        new("bswap_r16_undefined", a =>
        {
            a.mov(eax, 0x12345678u); a.db(0x66, 0x0F, 0xC8); // bswap ax
            a.mov(edi, 0xAABBCCDDu); a.db(0x66, 0x0F, 0xCF); // bswap di
        }),
        new("xlatb", a =>
        {
            Table(a, 0x20000);
            a.mov(ebx, 0x20000);
            a.mov(eax, 0xAAAAAA0Du);
            a.xlatb();
        }),
        new("xlatb_high_al", a =>
        {
            StringsTests.Data(a, 0x200FC, 0x44332211);
            a.mov(ebx, 0x20000);
            a.mov(eax, 0x000000FEu);
            a.xlatb();
        }),
        new("xlat_fs", a =>
        {
            Table(a, 0x30100);
            a.mov(ebx, 0x100);
            a.mov(eax, 0x5u);
            a.db(0x64, 0xD7); // xlat fs:[ebx + al]
        }) { FsBase = 0x30000 },
        new("xlat_a16", a =>
        {
            Table(a, 0x30F0);
            a.mov(ebx, 0xFFFF30F0u); // only BX counts
            a.mov(eax, 0x7u);
            a.db(0x67, 0xD7); // xlat [bx + al]
        }),
        new("xlat_a16_wraps", a =>
        {
            Table(a, 0x30000);
            a.mov(ebx, 0x0000FFF8u);
            a.mov(eax, 0x9u); // BX + AL = 10001h wraps to 1
            a.db(0x64, 0x67, 0xD7); // xlat fs:[bx + al]
        }) { FsBase = 0x30000 },
    };

    private static readonly Dictionary<string, NativeResult> Recorded = new()
    {
        ["cbw_negative"] = new([0x1234ff80, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001007, []),
        ["cbw_positive"] = new([0x1234007f, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001007, []),
        ["cwde_negative"] = new([0xffff8000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001006, []),
        ["cwde_positive"] = new([0x00007fff, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001006, []),
        ["cwd_negative"] = new([0x00008000, 0x00000000, 0x1234ffff, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100c, []),
        ["cwd_positive"] = new([0xffff7fff, 0x00000000, 0x12340000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100c, []),
        ["cdq_negative"] = new([0x80000000, 0x00000000, 0xffffffff, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100b, []),
        ["cdq_positive"] = new([0x7fffffff, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000100b, []),
        ["bswap_r32"] = new([0x78563412, 0x04030201, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0xddccbbaa, 0x00000000], 0x00000202, -1, 0x0000101c, []),
        ["bswap_r16_undefined"] = new([0x12340000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0xaabb0000], 0x00000202, -1, 0x00001010, []),
        ["xlatb"] = new([0xaaaaaa0d, 0x00000000, 0x00000000, 0x00020000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001033, [0x00020000, 0x03020100, 0x00020004, 0x07060504, 0x00020008, 0x0b0a0908, 0x0002000c, 0x0f0e0d0c]),
        ["xlatb_high_al"] = new([0x00000033, 0x00000000, 0x00000000, 0x00020000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001015, [0x000200fc, 0x44332211]),
        ["xlat_fs"] = new([0x00000005, 0x00000000, 0x00000000, 0x00000100, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001034, [0x00030100, 0x03020100, 0x00030104, 0x07060504, 0x00030108, 0x0b0a0908, 0x0003010c, 0x0f0e0d0c]),
        ["xlat_a16"] = new([0x00000007, 0x00000000, 0x00000000, 0xffff30f0, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001034, [0x000030f0, 0x03020100, 0x000030f4, 0x07060504, 0x000030f8, 0x0b0a0908, 0x000030fc, 0x0f0e0d0c]),
        ["xlat_a16_wraps"] = new([0x00000001, 0x00000000, 0x00000000, 0x0000fff8, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001035, [0x00030000, 0x03020100, 0x00030004, 0x07060504, 0x00030008, 0x0b0a0908, 0x0003000c, 0x0f0e0d0c]),
    };

    public static IEnumerable<object[]> Matrix => NativeOracle.Matrix(NativeCases);

    [Theory]
    [MemberData(nameof(Matrix))]
    public void MatchesHardware(string backend, string name) => NativeOracle.Check(backend, NativeCases, Recorded, name);
}
