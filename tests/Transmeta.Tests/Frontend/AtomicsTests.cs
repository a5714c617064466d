using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>XADD, CMPXCHG, CMPXCHG8B (with and without LOCK). Expected values: <see cref="NativeOracle"/>.</summary>
public class AtomicsTests
{
    private const uint M = 0x20000;

    /// <summary>Sets CF SF OF (and IF), so a test can see which flags an instruction keeps.</summary>
    private static void PresetFlags(Assembler a)
    {
        a.push(0xA83);
        a.popfd();
    }

    public static NativeCase[] NativeCases { get; } =
    {
        new("xadd_reg_reg", a =>
        {
            a.mov(eax, 0x7FFFFFFFu);
            a.mov(ecx, 1);
            a.xadd(eax, ecx);
        }),
        new("xadd_same_register", a =>
        {
            a.mov(edx, 0x40000001u);
            a.xadd(edx, edx);
        }),
        new("xadd_mem32_lock", a =>
        {
            StringsTests.Data(a, M, 0xFFFFFFF0);
            a.mov(ebx, 0x20u);
            a.@lock.xadd(__dword_ptr[M], ebx);
        }),
        new("xadd_mem16", a =>
        {
            StringsTests.Data(a, M, 0x5555FFFF);
            a.mov(ebx, 0xAAAA0001u);
            a.xadd(__word_ptr[M], bx);
        }),
        new("xadd_mem8_high_byte", a =>
        {
            StringsTests.Data(a, M, 0x11223380);
            a.mov(ebx, 0x00008000u);
            a.xadd(__byte_ptr[M], bh);
        }),
        new("xadd_r8_r8_overlapping", a =>
        {
            a.mov(eax, 0x00000305u);
            a.xadd(al, ah);
        }),
        new("cmpxchg_r32_success", a =>
        {
            PresetFlags(a);
            a.mov(eax, 5); a.mov(ebx, 5); a.mov(ecx, 9);
            a.cmpxchg(ebx, ecx);
        }),
        new("cmpxchg_r32_failure", a =>
        {
            PresetFlags(a);
            a.mov(eax, 5); a.mov(ebx, 7); a.mov(ecx, 9);
            a.cmpxchg(ebx, ecx);
        }),
        new("cmpxchg_accumulator_destination", a =>
        {
            a.mov(eax, 0x80000000u); a.mov(ecx, 0x1234u);
            a.cmpxchg(eax, ecx);
        }),
        new("cmpxchg_mem32_success_lock", a =>
        {
            StringsTests.Data(a, M, 0x10);
            a.mov(eax, 0x10); a.mov(edx, 0xFEEDFACEu);
            a.@lock.cmpxchg(__dword_ptr[M], edx);
        }),
        new("cmpxchg_mem32_failure", a =>
        {
            StringsTests.Data(a, M, 0x10);
            a.mov(eax, 0x11); a.mov(edx, 0xFEEDFACEu);
            a.cmpxchg(__dword_ptr[M], edx);
        }),
        new("cmpxchg_mem16_failure", a =>
        {
            StringsTests.Data(a, M, 0x77778000);
            a.mov(eax, 0x12340001u); a.mov(edx, 0xFFFFu);
            a.cmpxchg(__word_ptr[M], dx);
        }),
        new("cmpxchg_mem8_success", a =>
        {
            StringsTests.Data(a, M, 0x776655AA);
            a.mov(eax, 0x123456AAu); a.mov(edx, 0x42u);
            a.cmpxchg(__byte_ptr[M], dl);
        }),
        new("cmpxchg_r8_high_failure", a =>
        {
            a.mov(eax, 0x0000F001u); a.mov(ecx, 0x55u);
            a.cmpxchg(ah, cl);
        }),
        new("cmpxchg_faulting_destination", a =>
        {
            a.mov(eax, 1); a.mov(ecx, 2);
            a.cmpxchg(__dword_ptr[0x300000], ecx);
        }),
        new("cmpxchg8b_success", a =>
        {
            PresetFlags(a);
            StringsTests.Data(a, M, 0x11111111, 0x22222222);
            a.mov(eax, 0x11111111u); a.mov(edx, 0x22222222u);
            a.mov(ebx, 0xBBBBBBBBu); a.mov(ecx, 0xCCCCCCCCu);
            a.cmpxchg8b(__qword_ptr[M]);
        }) { FlagsMask = NativeOracle.ArithmeticFlags },
        new("cmpxchg8b_failure_high_half", a =>
        {
            PresetFlags(a);
            StringsTests.Data(a, M, 0x11111111, 0x22222222);
            a.mov(eax, 0x11111111u); a.mov(edx, 0x22222223u);
            a.mov(ebx, 0xBBBBBBBBu); a.mov(ecx, 0xCCCCCCCCu);
            a.@lock.cmpxchg8b(__qword_ptr[M]);
        }) { FlagsMask = NativeOracle.ArithmeticFlags },
        new("cmpxchg8b_failure_keeps_zf_clear_others", a =>
        {
            a.xor(eax, eax); // ZF PF set, CF SF OF clear
            StringsTests.Data(a, M + 8, 0x11111111, 0x22222222);
            a.mov(esi, M + 8);
            a.mov(ebx, 0xBBBBBBBBu); a.mov(ecx, 0xCCCCCCCCu);
            a.cmpxchg8b(__qword_ptr[esi]);
        }) { FlagsMask = NativeOracle.ArithmeticFlags },
        new("cmpxchg8b_second_half_faults_writes_nothing", a =>
        {
            StringsTests.Data(a, 0xFFFFC, 0x11111111);
            a.mov(eax, 0x11111111u); a.mov(edx, 0);
            a.mov(ebx, 0xBBBBBBBBu); a.mov(ecx, 0xCCCCCCCCu);
            a.cmpxchg8b(__qword_ptr[0xFFFFC]); // the high half is past the end of RAM
        }) { FlagsMask = NativeOracle.ArithmeticFlags },
    };

    private static readonly Dictionary<string, NativeResult> Recorded = new()
    {
        ["xadd_reg_reg"] = new([0x80000000, 0x7fffffff, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000a96, -1, 0x0000100d, []),
        ["xadd_same_register"] = new([0x00000000, 0x00000000, 0x80000002, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000a82, -1, 0x00001008, []),
        ["xadd_mem32_lock"] = new([0x00000000, 0x00000000, 0x00000000, 0xfffffff0, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000203, -1, 0x00001017, [0x00020000, 0x00000010]),
        ["xadd_mem16"] = new([0x00000000, 0x00000000, 0x00000000, 0xaaaaffff, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000257, -1, 0x00001017, [0x00020000, 0x55550000]),
        ["xadd_mem8_high_byte"] = new([0x00000000, 0x00000000, 0x00000000, 0x00008000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000a47, -1, 0x00001016, [0x00020000, 0x11223300]),
        ["xadd_r8_r8_overlapping"] = new([0x00000508, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001008, []),
        ["cmpxchg_r32_success"] = new([0x00000005, 0x00000009, 0x00000000, 0x00000009, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000246, -1, 0x00001018, [0x0007fffc, 0x00000a83]),
        ["cmpxchg_r32_failure"] = new([0x00000007, 0x00000009, 0x00000000, 0x00000007, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000293, -1, 0x00001018, [0x0007fffc, 0x00000a83]),
        ["cmpxchg_accumulator_destination"] = new([0x00001234, 0x00001234, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000246, -1, 0x0000100d, []),
        ["cmpxchg_mem32_success_lock"] = new([0x00000010, 0x00000000, 0xfeedface, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000246, -1, 0x0000101c, [0x00020000, 0xfeedface]),
        ["cmpxchg_mem32_failure"] = new([0x00000010, 0x00000000, 0xfeedface, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000101b, [0x00020000, 0x00000010]),
        ["cmpxchg_mem16_failure"] = new([0x12348000, 0x00000000, 0x0000ffff, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000a83, -1, 0x0000101c, [0x00020000, 0x77778000]),
        ["cmpxchg_mem8_success"] = new([0x123456aa, 0x00000000, 0x00000042, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000246, -1, 0x0000101b, [0x00020000, 0x77665542]),
        ["cmpxchg_r8_high_failure"] = new([0x0000f0f0, 0x00000055, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000207, -1, 0x0000100d, []),
        ["cmpxchg_faulting_destination"] = new([0x00000001, 0x00000002, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00010202, 14, 0x0000100a, []),
        ["cmpxchg8b_success"] = new([0x11111111, 0xcccccccc, 0x22222222, 0xbbbbbbbb, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000ac3, -1, 0x00001035, [0x00020000, 0xbbbbbbbb, 0x00020004, 0xcccccccc, 0x0007fffc, 0x00000a83]),
        ["cmpxchg8b_failure_high_half"] = new([0x11111111, 0xcccccccc, 0x22222222, 0xbbbbbbbb, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00000a83, -1, 0x00001036, [0x00020000, 0x11111111, 0x00020004, 0x22222222, 0x0007fffc, 0x00000a83]),
        ["cmpxchg8b_failure_keeps_zf_clear_others"] = new([0x11111111, 0xcccccccc, 0x22222222, 0xbbbbbbbb, 0x00080000, 0x00000000, 0x00020008, 0x00000000], 0x00000206, -1, 0x00001028, [0x00020008, 0x11111111, 0x0002000c, 0x22222222]),
        ["cmpxchg8b_second_half_faults_writes_nothing"] = new([0x11111111, 0xcccccccc, 0x00000000, 0xbbbbbbbb, 0x00080000, 0x00000000, 0x00000000, 0x00000000], 0x00010202, 14, 0x0000101e, [0x000ffffc, 0x11111111]),
    };

    public static IEnumerable<object[]> Matrix => NativeOracle.Matrix(NativeCases);

    [Theory]
    [MemberData(nameof(Matrix))]
    public void MatchesHardware(string backend, string name) => NativeOracle.Check(backend, NativeCases, Recorded, name);
}
