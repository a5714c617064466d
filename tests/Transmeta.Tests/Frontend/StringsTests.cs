using Iced.Intel;
using Transmeta.Frontend.State;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>MOVS STOS LODS CMPS SCAS, REP forms, DF, 16-bit addressing, segment override,
/// and REP loops leaving at the deadline. Expected values: <see cref="NativeOracle"/>.</summary>
public class StringsTests
{
    private const uint Src = 0x20000, Dst = 0x21000;

    /// <summary>Stores dwords at <paramref name="address"/> with MOVs (part of the snippet, so
    /// the hardware recording sets up the same data).</summary>
    internal static void Data(Assembler a, uint address, params uint[] dwords)
    {
        for (int i = 0; i < dwords.Length; i++) a.mov(__dword_ptr[address + 4 * (uint)i], dwords[i]);
    }

    private static void Pointers(Assembler a, uint source, uint destination, uint count)
    {
        a.mov(esi, source);
        a.mov(edi, destination);
        a.mov(ecx, count);
    }

    public static NativeCase[] NativeCases { get; } =
    {
        new("movsb_movsw_movsd", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src, Dst, 0);
            a.movsb(); a.movsw(); a.movsd();
        }),
        new("movs_backward", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src + 8, Dst + 8, 0);
            a.std();
            a.movsd(); a.movsw(); a.movsb();
        }),
        new("rep_movsb_forward", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99, 0x00FFEEDD);
            Pointers(a, Src, Dst, 13);
            a.rep.movsb();
        }),
        new("rep_movsd_backward", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99, 0x00FFEEDD, 0x12345678);
            Pointers(a, Src + 12, Dst + 12, 4);
            a.std();
            a.rep.movsd();
        }),
        new("rep_movsw_forward", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src, Dst, 5);
            a.rep.movsw();
        }),
        new("rep_movsb_overlapping", a =>
        {
            // Element by element: copying to src+1 replicates the first byte.
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src, Src + 1, 9);
            a.rep.movsb();
        }),
        new("rep_movsd_across_pages", a =>
        {
            a.mov(eax, 0x5A5A0000u);
            Pointers(a, 0, Src + 0xFE0, 20);
            var fill = a.CreateLabel();
            a.Label(ref fill);
            a.stosd();
            a.inc(eax);
            a.dec(ecx);
            a.jnz(fill);
            Pointers(a, Src + 0xFE0, Dst + 0xFF0, 20);
            a.rep.movsd();
        }),
        new("rep_zero_count_changes_nothing", a =>
        {
            a.mov(eax, 0x7FFFFFFFu);
            a.add(eax, 1); // OF SF AF PF set
            Pointers(a, Src, Dst, 0);
            a.rep.stosd();
            a.rep.movsb();
            a.repe.cmpsb();
            a.repne.scasd();
            a.rep.lodsw();
        }),
        new("rep_stos_all_sizes", a =>
        {
            a.mov(eax, 0x11223344u);
            Pointers(a, 0, Dst, 3);
            a.rep.stosb();
            a.mov(ecx, 3);
            a.rep.stosw();
            a.mov(ecx, 3);
            a.rep.stosd();
        }),
        new("rep_stosd_backward", a =>
        {
            a.mov(eax, 0xCAFEBABEu);
            Pointers(a, 0, Dst + 16, 4);
            a.std();
            a.rep.stosd();
        }),
        new("stos_single_backward", a =>
        {
            a.mov(eax, 0xA1B2C3D4u);
            Pointers(a, 0, Dst + 16, 0);
            a.std();
            a.stosb(); a.stosw(); a.stosd();
        }),
        new("lods_all_sizes", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src, 0, 0);
            a.mov(eax, 0xFFFFFFFFu);
            a.lodsb(); a.mov(ebx, eax);
            a.lodsw(); a.mov(edx, eax);
            a.lodsd();
        }),
        new("lods_backward", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src + 8, 0, 0);
            a.std();
            a.lodsd(); a.mov(ebx, eax);
            a.lodsw(); a.mov(edx, eax);
            a.lodsb();
        }),
        new("rep_lodsb", a =>
        {
            Data(a, Src, 0x44332211);
            Pointers(a, Src, 0, 3);
            a.rep.lodsb();
        }),
        new("cmpsb_less", a =>
        {
            Data(a, Src, 0x00000010);
            Data(a, Dst, 0x00000020);
            Pointers(a, Src, Dst, 0);
            a.cmpsb();
        }),
        new("cmpsw_signed_overflow", a =>
        {
            Data(a, Src, 0x00008000);
            Data(a, Dst, 0x00000001);
            Pointers(a, Src, Dst, 0);
            a.cmpsw();
        }),
        new("cmpsd_equal_backward", a =>
        {
            Data(a, Src, 0xDEADBEEF);
            Data(a, Dst, 0xDEADBEEF);
            Pointers(a, Src, Dst, 0);
            a.std();
            a.cmpsd();
        }),
        new("repe_cmpsb_mismatch", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655, 0xCCBBAA99);
            Data(a, Dst, 0x44332211, 0x88707655, 0xCCBBAA99);
            Pointers(a, Src, Dst, 12);
            a.repe.cmpsb();
        }),
        new("repe_cmpsb_all_equal", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655);
            Data(a, Dst, 0x44332211, 0x88776655);
            Pointers(a, Src, Dst, 8);
            a.repe.cmpsb();
        }),
        new("repe_cmpsd_backward", a =>
        {
            Data(a, Src, 0x00000005, 0x88776655, 0xCCBBAA99);
            Data(a, Dst, 0x00000009, 0x88776655, 0xCCBBAA99);
            Pointers(a, Src + 8, Dst + 8, 3);
            a.std();
            a.repe.cmpsd();
        }),
        new("repne_cmpsw_finds_equal", a =>
        {
            Data(a, Src, 0x00020001, 0x00040003, 0x00060005);
            Data(a, Dst, 0x00070008, 0x00040009, 0x00060005);
            Pointers(a, Src, Dst, 6);
            a.repne.cmpsw();
        }),
        new("repne_scasb_strlen", a =>
        {
            Data(a, Src, 0x6C6C6568, 0x6F77206F, 0x00646C72); // "hello world"
            Pointers(a, 0, Src, 0xFFFFFFFF);
            a.xor(eax, eax);
            a.repne.scasb();
            a.not(ecx);
            a.dec(ecx);
        }),
        new("repne_scasb_not_found", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655);
            Pointers(a, 0, Src, 8);
            a.mov(eax, 0x99u);
            a.repne.scasb();
        }),
        new("repe_scasd_backward", a =>
        {
            Data(a, Src, 0x12345678, 0x77777777, 0x77777777);
            Pointers(a, 0, Src + 8, 10);
            a.mov(eax, 0x77777777u);
            a.std();
            a.repe.scasd();
        }),
        new("scasw_single", a =>
        {
            Data(a, Src, 0x00008001);
            Pointers(a, 0, Src, 0);
            a.mov(eax, 0x12340001u);
            a.scasw();
        }),
        new("a16_rep_movsb", a =>
        {
            Data(a, 0x3000, 0x44332211, 0x88776655);
            a.mov(esi, 0xABCD3000u);
            a.mov(edi, 0x12343100u);
            a.mov(ecx, 0xFFFF0005u);
            a.db(0x67, 0xF3, 0xA4); // rep movsb with SI/DI/CX
        }),
        new("a16_rep_stosw_backward", a =>
        {
            a.mov(eax, 0x5555AAAAu);
            a.mov(edi, 0x77773108u);
            a.mov(ecx, 0x88880003u);
            a.std();
            a.db(0x67, 0xF3, 0xAB); // rep stosw with DI/CX
        }),
        new("a16_lodsb_wraps_si", a =>
        {
            a.mov(__byte_ptr[0xFFFF], 0x7E);
            a.mov(esi, 0x1234FFFFu);
            a.db(0x67, 0xAC); // lodsb from DS:SI
        }),
        new("a16_stosb_wraps_di", a =>
        {
            a.mov(eax, 0x42u);
            a.mov(edi, 0x9999FFFFu);
            a.db(0x67, 0xAA); // stosb to ES:DI = FFFF, DI becomes 0 (EDI's upper half kept)
        }),
        new("a16_repne_scasb", a =>
        {
            Data(a, 0x3000, 0x44332211, 0x88776655);
            a.mov(eax, 0x55u);
            a.mov(edi, 0xFFFF3000u);
            a.mov(ecx, 0xFFFF0010u);
            a.db(0x67, 0xF2, 0xAE); // repne scasb with DI/CX
        }),
        new("a16_repe_cmpsw", a =>
        {
            Data(a, 0x3000, 0x44332211, 0x88776655);
            Data(a, 0x3100, 0x44332211, 0x88776656);
            a.mov(esi, 0x00013000u);
            a.mov(edi, 0x00023100u);
            a.mov(ecx, 0x00030004u);
            a.db(0x67, 0xF3, 0xA7); // repe cmpsw with SI/DI/CX
        }),
        new("fs_rep_movsb", a =>
        {
            Data(a, 0x30100, 0x44332211, 0x88776655);
            Pointers(a, 0x100, Dst, 7);
            a.db(0x64, 0xF3, 0xA4); // rep movsb fs:[esi] -> es:[edi]
        }) { FsBase = 0x30000 },
        new("fs_lodsd_cmpsb", a =>
        {
            Data(a, 0x30100, 0x44332211, 0x88776655);
            Data(a, Dst, 0x88776655);
            Pointers(a, 0x100, Dst, 0);
            a.db(0x64, 0xAD); // lodsd from fs:[esi]
            a.db(0x64, 0xA6); // cmpsb fs:[esi], es:[edi]
        }) { FsBase = 0x30000 },
        new("repne_prefix_on_movsb_repeats", a =>
        {
            Data(a, Src, 0x44332211, 0x88776655);
            Pointers(a, Src, Dst, 6);
            a.db(0xF2, 0xA4); // repne movsb
        }),
        new("rep_movsb_faults_midway", a =>
        {
            // The destination runs off the end of RAM: the fault leaves ECX/ESI/EDI as after
            // the iterations that completed, EIP at the instruction.
            Data(a, Src, 0x44332211, 0x88776655);
            Pointers(a, Src, 0xFFFFC, 8);
            a.rep.movsb();
        }),
    };

    private static readonly Dictionary<string, NativeResult> Recorded = new()
    {
        ["movsb_movsw_movsd"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020007, 0x00021007], 0x00000202, -1, 0x00001031, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x00021000, 0x44332211, 0x00021004, 0x00776655]),
        ["movs_backward"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020001, 0x00021001], 0x00000602, -1, 0x00001032, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x00021000, 0x00330000, 0x00021004, 0x00006655, 0x00021008, 0xccbbaa99]),
        ["rep_movsb_forward"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x0002000d, 0x0002100d], 0x00000202, -1, 0x00001039, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x0002000c, 0x00ffeedd, 0x00021000, 0x44332211, 0x00021004, 0x88776655, 0x00021008, 0xccbbaa99, 0x0002100c, 0x000000dd]),
        ["rep_movsd_backward"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x0001fffc, 0x00020ffc], 0x00000602, -1, 0x00001044, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x0002000c, 0x00ffeedd, 0x00020010, 0x12345678, 0x00021000, 0x44332211, 0x00021004, 0x88776655, 0x00021008, 0xccbbaa99, 0x0002100c, 0x00ffeedd]),
        ["rep_movsw_forward"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x0002000a, 0x0002100a], 0x00000202, -1, 0x00001030, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x00021000, 0x44332211, 0x00021004, 0x88776655, 0x00021008, 0x0000aa99]),
        ["rep_movsb_overlapping"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020009, 0x0002000a], 0x00000202, -1, 0x0000102f, [0x00020000, 0x11111111, 0x00020004, 0x11111111, 0x00020008, 0xccbb1111]),
        ["rep_movsd_across_pages"] = new([0x5a5a0014, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00021030, 0x00022040], 0x00000246, -1, 0x0000102a, [0x00020fe0, 0x5a5a0000, 0x00020fe4, 0x5a5a0001, 0x00020fe8, 0x5a5a0002, 0x00020fec, 0x5a5a0003, 0x00020ff0, 0x5a5a0004, 0x00020ff4, 0x5a5a0005, 0x00020ff8, 0x5a5a0006, 0x00020ffc, 0x5a5a0007, 0x00021000, 0x5a5a0008, 0x00021004, 0x5a5a0009, 0x00021008, 0x5a5a000a, 0x0002100c, 0x5a5a000b, 0x00021010, 0x5a5a000c, 0x00021014, 0x5a5a000d, 0x00021018, 0x5a5a000e, 0x0002101c, 0x5a5a000f, 0x00021020, 0x5a5a0010, 0x00021024, 0x5a5a0011, 0x00021028, 0x5a5a0012, 0x0002102c, 0x5a5a0013, 0x00021ff0, 0x5a5a0000, 0x00021ff4, 0x5a5a0001, 0x00021ff8, 0x5a5a0002, 0x00021ffc, 0x5a5a0003, 0x00022000, 0x5a5a0004, 0x00022004, 0x5a5a0005, 0x00022008, 0x5a5a0006, 0x0002200c, 0x5a5a0007, 0x00022010, 0x5a5a0008, 0x00022014, 0x5a5a0009, 0x00022018, 0x5a5a000a, 0x0002201c, 0x5a5a000b, 0x00022020, 0x5a5a000c, 0x00022024, 0x5a5a000d, 0x00022028, 0x5a5a000e, 0x0002202c, 0x5a5a000f, 0x00022030, 0x5a5a0010, 0x00022034, 0x5a5a0011, 0x00022038, 0x5a5a0012, 0x0002203c, 0x5a5a0013]),
        ["rep_zero_count_changes_nothing"] = new([0x80000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020000, 0x00021000], 0x00000a96, -1, 0x00001024, []),
        ["rep_stos_all_sizes"] = new([0x11223344, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00021015], 0x00000202, -1, 0x00001025, [0x00021000, 0x44444444, 0x00021004, 0x44334433, 0x00021008, 0x22334433, 0x0002100c, 0x22334411, 0x00021010, 0x22334411, 0x00021014, 0x00000011]),
        ["rep_stosd_backward"] = new([0xcafebabe, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00021000], 0x00000602, -1, 0x00001017, [0x00021004, 0xcafebabe, 0x00021008, 0xcafebabe, 0x0002100c, 0xcafebabe, 0x00021010, 0xcafebabe]),
        ["stos_single_backward"] = new([0xa1b2c3d4, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00021009], 0x00000602, -1, 0x00001019, [0x0002100c, 0xb2c3d400, 0x00021010, 0x000000a1]),
        ["lods_all_sizes"] = new([0x77665544, 0x00000000, 0xffff3322, 0xffffff11, 0x00080000, 0x00000000, 0x00020007, 0x00000000], 0x00000202, -1, 0x0000103a, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99]),
        ["lods_backward"] = new([0xccbb6633, 0x00000000, 0xccbb6655, 0xccbbaa99, 0x00080000, 0x00000000, 0x00020001, 0x00000000], 0x00000602, -1, 0x00001036, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99]),
        ["rep_lodsb"] = new([0x00000033, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020003, 0x00000000], 0x00000202, -1, 0x0000101b, [0x00020000, 0x44332211]),
        ["cmpsb_less"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020001, 0x00021001], 0x00000287, -1, 0x00001024, [0x00020000, 0x00000010, 0x00021000, 0x00000020]),
        ["cmpsw_signed_overflow"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020002, 0x00021002], 0x00000a16, -1, 0x00001025, [0x00020000, 0x00008000, 0x00021000, 0x00000001]),
        ["cmpsd_equal_backward"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x0001fffc, 0x00020ffc], 0x00000646, -1, 0x00001025, [0x00020000, 0xdeadbeef, 0x00021000, 0xdeadbeef]),
        ["repe_cmpsb_mismatch"] = new([0x00000000, 0x00000006, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020006, 0x00021006], 0x00000287, -1, 0x0000104d, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x00021000, 0x44332211, 0x00021004, 0x88707655, 0x00021008, 0xccbbaa99]),
        ["repe_cmpsb_all_equal"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020008, 0x00021008], 0x00000246, -1, 0x00001039, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00021000, 0x44332211, 0x00021004, 0x88776655]),
        ["repe_cmpsd_backward"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x0001fffc, 0x00020ffc], 0x00000697, -1, 0x0000104e, [0x00020000, 0x00000005, 0x00020004, 0x88776655, 0x00020008, 0xccbbaa99, 0x00021000, 0x00000009, 0x00021004, 0x88776655, 0x00021008, 0xccbbaa99]),
        ["repne_cmpsw_finds_equal"] = new([0x00000000, 0x00000002, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020008, 0x00021008], 0x00000246, -1, 0x0000104e, [0x00020000, 0x00020001, 0x00020004, 0x00040003, 0x00020008, 0x00060005, 0x00021000, 0x00070008, 0x00021004, 0x00040009, 0x00021008, 0x00060005]),
        ["repne_scasb_strlen"] = new([0x00000000, 0x0000000b, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x0002000c], 0x00000202, -1, 0x00001034, [0x00020000, 0x6c6c6568, 0x00020004, 0x6f77206f, 0x00020008, 0x00646c72]),
        ["repne_scasb_not_found"] = new([0x00000099, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00020008], 0x00000206, -1, 0x0000102a, [0x00020000, 0x44332211, 0x00020004, 0x88776655]),
        ["repe_scasd_backward"] = new([0x77777777, 0x00000007, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x0001fffc], 0x00000616, -1, 0x00001035, [0x00020000, 0x12345678, 0x00020004, 0x77777777, 0x00020008, 0x77777777]),
        ["scasw_single"] = new([0x12340001, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x00020002], 0x00000a87, -1, 0x00001020, [0x00020000, 0x00008001]),
        ["a16_rep_movsb"] = new([0x00000000, 0xffff0000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0xabcd3005, 0x12343105], 0x00000202, -1, 0x00001026, [0x00003000, 0x44332211, 0x00003004, 0x88776655, 0x00003100, 0x44332211, 0x00003104, 0x00000055]),
        ["a16_rep_stosw_backward"] = new([0x5555aaaa, 0x88880000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x777730fc], 0x00000602, -1, 0x00001013, [0x00003100, 0x5555aaaa, 0x00003104, 0x5555aaaa, 0x00003108, 0x5555aaaa]),
        ["a16_lodsb_wraps_si"] = new([0x0000007e, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x12340000, 0x00000000], 0x00000202, -1, 0x0000100e, [0x0000fffc, 0x7e000000]),
        ["a16_stosb_wraps_di"] = new([0x00000042, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0x99990000], 0x00000202, -1, 0x0000100c, [0x0000fffc, 0x42000000]),
        ["a16_repne_scasb"] = new([0x00000055, 0xffff000b, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000000, 0xffff3005], 0x00000246, -1, 0x00001026, [0x00003000, 0x44332211, 0x00003004, 0x88776655]),
        ["a16_repe_cmpsw"] = new([0x00000000, 0x00030002, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00013008, 0x00023108], 0x00000297, -1, 0x0000103a, [0x00003000, 0x44332211, 0x00003004, 0x88776655, 0x00003100, 0x44332211, 0x00003104, 0x88776656]),
        ["fs_rep_movsb"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000107, 0x00021007], 0x00000202, -1, 0x00001026, [0x00021000, 0x44332211, 0x00021004, 0x00776655, 0x00030100, 0x44332211, 0x00030104, 0x88776655]),
        ["fs_lodsd_cmpsb"] = new([0x44332211, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00000105, 0x00021001], 0x00000246, -1, 0x00001031, [0x00021000, 0x88776655, 0x00030100, 0x44332211, 0x00030104, 0x88776655]),
        ["repne_prefix_on_movsb_repeats"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020006, 0x00021006], 0x00000202, -1, 0x00001025, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x00021000, 0x44332211, 0x00021004, 0x00006655]),
        ["rep_movsb_faults_midway"] = new([0x00000000, 0x00000004, 0x00000000, 0x00000000, 0x00080000, 0x00000000, 0x00020004, 0x00100000], 0x00010202, 14, 0x00001023, [0x00020000, 0x44332211, 0x00020004, 0x88776655, 0x000ffffc, 0x44332211]),
    };

    public static IEnumerable<object[]> Matrix => NativeOracle.Matrix(NativeCases);

    [Theory]
    [MemberData(nameof(Matrix))]
    public void MatchesHardware(string backend, string name) => NativeOracle.Check(backend, NativeCases, Recorded, name);

    // ------------------------------------------------------------------ deadline

    private static void LongCopy(Assembler a)
    {
        a.mov(esi, Src);
        a.mov(edi, Dst);
        a.mov(ecx, 1000);
        a.rep.movsb();
    }

    private const uint RepAddress = SnippetRunner.CodeBase + 15; // after three 5-byte MOVs

    private static void FillSource(SnippetRunner r)
    {
        for (int i = 0; i < 1000; i++) r.Ram[(int)Src + i] = (byte)(i * 7 + 1);
    }

    private static void AssertCopied(SnippetRunner r)
    {
        Assert.Equal(0u, r.State.Ecx);
        Assert.Equal(Src + 1000, r.State.Esi);
        Assert.Equal(Dst + 1000, r.State.Edi);
        Assert.True(r.Ram.Slice((int)Src, 1000).SequenceEqual(r.Ram.Slice((int)Dst, 1000)));
        Assert.Equal(0, r.Ram[(int)Dst + 1000]);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void RepLeavesAtDeadlineAndResumes(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        FillSource(r);
        r.State.Deadline = 100;
        Assert.Throws<TimeoutException>(() => r.Run(LongCopy, maxBlocks: 1));
        // 100 iterations were counted when the deadline came; the three MOVs with the exit.
        Assert.Equal(1, r.Interruptions);
        Assert.Equal(RepAddress, r.State.Eip);
        Assert.Equal(900u, r.State.Ecx);
        Assert.Equal(Src + 100, r.State.Esi);
        Assert.Equal(Dst + 100, r.State.Edi);
        Assert.Equal(103ul, r.State.Retired);
        Assert.Equal(r.Ram[(int)Src + 99], r.Ram[(int)Dst + 99]);
        Assert.Equal(0, r.Ram[(int)Dst + 100]);

        r.State.Deadline = ulong.MaxValue;
        r.Continue();
        AssertCopied(r);
        // Every iteration is one retired instruction: 3 MOVs + 1000 iterations (HLT is the VMM's).
        Assert.Equal(1003ul, r.State.Retired);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void RepMakesProgressWhenDeadlineStaysPast(string backend)
    {
        // A deadline already reached still lets each entry do one iteration, so the loop ends.
        using var r = new SnippetRunner(TestBackends.Create(backend));
        FillSource(r);
        r.State.Deadline = 10;
        r.Run(LongCopy);
        AssertCopied(r);
        Assert.True(r.Interruptions >= 990, $"{r.Interruptions} interruptions");
        Assert.Equal(1003ul, r.State.Retired);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void RepeCmpsbResumedAfterDeadlineStopsAtMismatch(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        for (int i = 0; i < 300; i++) r.Ram[(int)Src + i] = r.Ram[(int)Dst + i] = (byte)i;
        r.Ram[(int)Dst + 250] = 0xFF; // src byte 250 (0xFA) < 0xFF
        r.State.Deadline = 50;
        r.Run(a =>
        {
            a.mov(esi, Src);
            a.mov(edi, Dst);
            a.mov(ecx, 300);
            a.repe.cmpsb();
        });
        Assert.True(r.Interruptions > 0);
        Assert.Equal(300u - 251, r.State.Ecx);
        Assert.Equal(Src + 251, r.State.Esi);
        Assert.Equal(Dst + 251, r.State.Edi);
        // 0xFA - 0xFF: CF=1 ZF=0 SF=1.
        Assert.Equal(0x81u, r.State.GetEflags() & 0xC1);
        Assert.Equal(3ul + 251, r.State.Retired);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void RepStosdThenCodeContinuesInSameBlock(string backend)
    {
        // The loop sits inside the block; instructions after it use the registers it left.
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            a.mov(eax, 0x01020304u);
            a.mov(edi, Dst);
            a.mov(ecx, 64);
            a.rep.stosd();
            a.mov(ebx, edi);
            a.sub(ebx, Dst);
            a.mov(edx, __dword_ptr[Dst + 252]);
        });
        Assert.Equal(256u, r.State.Ebx);
        Assert.Equal(0x01020304u, r.State.Edx);
        Assert.Equal(0u, r.State.Ecx);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void SseMovsdAndCmpsdAreNotStringInstructions(string backend)
    {
        // MOVSD/CMPSD xmm, xmm share the mnemonics: the string lifter must not take them (#UD here).
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a => a.movsd(xmm0, xmm1));
        Assert.Equal(ExceptionVectors.InvalidOpcode, r.FaultVector);
        Assert.Equal(SnippetRunner.CodeBase, r.State.Eip);
        r.Reset();
        r.Run(a => a.cmpsd(xmm0, xmm1, 0));
        Assert.Equal(ExceptionVectors.InvalidOpcode, r.FaultVector);
        Assert.Equal(0u, r.State.Esi);
    }
}
