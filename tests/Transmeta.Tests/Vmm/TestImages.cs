using System.Buffers.Binary;
using System.Text;

namespace Transmeta.Tests.Vmm;

/// <summary>
/// Builds small guest images byte by byte, so the loader tests need no toolchain and every field
/// value is known exactly.
/// </summary>
internal static class TestImages
{
    public const uint MultibootMagic = 0x1BADB002;

    /// <summary>File offset of the single PT_LOAD segment's data in <see cref="Elf"/> images.</summary>
    public const int ElfSegmentOffset = 0x100;

    /// <summary>Bytes of segment data (Multiboot header + code) in <see cref="Elf"/> images.</summary>
    public const int ElfSegmentFileSize = 0x40;

    /// <summary>File offset of the section header table in <see cref="Elf"/> images with symbols.</summary>
    public const int ElfSectionHeadersOffset = 0x200;

    public static uint Checksum(uint flags) => unchecked(0u - MultibootMagic - flags);

    /// <summary>
    /// An ELF32 executable with one PT_LOAD segment at file offset 0x100: a Multiboot header (12 bytes)
    /// followed by code bytes 0x90 (nop) ... 0xF4 (hlt) filling 0x40 bytes. With symbols, a
    /// .symtab (0x140) and .strtab (0x1C0) follow, and the section headers at 0x200.
    /// </summary>
    public static byte[] Elf(
        uint paddr = 0x100000,
        uint? vaddr = null,
        uint memSize = 0x1000,
        uint entryOffset = 0xC,
        uint multibootFlags = 0x00000003,
        uint? checksum = null,
        byte elfClass = 1,
        byte elfData = 1,
        ushort type = 2,
        ushort machine = 3,
        bool withSymbols = true)
    {
        uint va = vaddr ?? paddr;
        int size = withSymbols ? ElfSectionHeadersOffset + 3 * 40 : ElfSegmentOffset + ElfSegmentFileSize;
        var f = new byte[size];

        // e_ident
        f[0] = 0x7F; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
        f[4] = elfClass; f[5] = elfData; f[6] = 1; // EI_VERSION
        W16(f, 16, type);
        W16(f, 18, machine);
        W32(f, 20, 1);                 // e_version
        W32(f, 24, va + entryOffset);  // e_entry
        W32(f, 28, 52);                // e_phoff
        W32(f, 32, withSymbols ? (uint)ElfSectionHeadersOffset : 0); // e_shoff
        W16(f, 40, 52);                // e_ehsize
        W16(f, 42, 32);                // e_phentsize
        W16(f, 44, 1);                 // e_phnum
        W16(f, 46, 40);                // e_shentsize
        W16(f, 48, (ushort)(withSymbols ? 3 : 0)); // e_shnum
        W16(f, 50, 0);                 // e_shstrndx: none

        // PT_LOAD
        W32(f, 52, 1);
        W32(f, 56, ElfSegmentOffset);
        W32(f, 60, va);
        W32(f, 64, paddr);
        W32(f, 68, ElfSegmentFileSize);
        W32(f, 72, memSize);
        W32(f, 76, 7);                 // RWX
        W32(f, 80, 0x1000);

        // Segment data: Multiboot header, then code.
        W32(f, ElfSegmentOffset, MultibootMagic);
        W32(f, ElfSegmentOffset + 4, multibootFlags);
        W32(f, ElfSegmentOffset + 8, checksum ?? Checksum(multibootFlags));
        for (int i = ElfSegmentOffset + 12; i < ElfSegmentOffset + ElfSegmentFileSize - 1; i++)
            f[i] = 0x90;
        f[ElfSegmentOffset + ElfSegmentFileSize - 1] = 0xF4;

        if (withSymbols)
            WriteSymbols(f, va);
        return f;
    }

    private static void WriteSymbols(byte[] f, uint va)
    {
        // .strtab at 0x1C0
        const int strtabOff = 0x1C0;
        byte[] strtab = Encoding.ASCII.GetBytes("\0_start\0data_obj\0a_section\0undef_fn\0file.c\0loop_label\0abs_const\0");
        strtab.CopyTo(f, strtabOff);
        uint NameOf(string s) => (uint)Encoding.ASCII.GetString(strtab).IndexOf("\0" + s + "\0", StringComparison.Ordinal) + 1;

        // .symtab at 0x140: 8 entries of 16 bytes (null, data_obj, _start, section, undef, file, label, abs)
        const int symtabOff = 0x140;
        void Sym(int index, uint name, uint value, uint size, byte info, ushort shndx)
        {
            int at = symtabOff + index * 16;
            W32(f, at, name);
            W32(f, at + 4, value);
            W32(f, at + 8, size);
            f[at + 12] = info;
            W16(f, at + 14, shndx);
        }
        Sym(1, NameOf("data_obj"), va + 0x20, 8, 0x11, 1);   // STB_GLOBAL, STT_OBJECT
        Sym(2, NameOf("_start"), va + 0xC, 4, 0x12, 1);      // STB_GLOBAL, STT_FUNC
        Sym(3, NameOf("a_section"), va, 0, 0x03, 1);         // STT_SECTION: skipped
        Sym(4, NameOf("undef_fn"), 0, 0, 0x12, 0);           // undefined: skipped
        Sym(5, NameOf("file.c"), 0, 0, 0x04, 0xFFF1);        // STT_FILE: skipped
        Sym(6, NameOf("loop_label"), va + 0x10, 0, 0x00, 1); // STT_NOTYPE in .text (a NASM label): kept
        Sym(7, NameOf("abs_const"), 0x1234, 0, 0x10, 0xFFF1); // STT_NOTYPE, SHN_ABS: skipped

        // Section headers at 0x200: [0] null, [1] .symtab, [2] .strtab
        int sh1 = ElfSectionHeadersOffset + 40;
        W32(f, sh1 + 4, 2);            // SHT_SYMTAB
        W32(f, sh1 + 16, symtabOff);
        W32(f, sh1 + 20, 8 * 16);
        W32(f, sh1 + 24, 2);           // sh_link -> .strtab
        W32(f, sh1 + 36, 16);
        int sh2 = ElfSectionHeadersOffset + 80;
        W32(f, sh2 + 4, 3);            // SHT_STRTAB
        W32(f, sh2 + 16, strtabOff);
        W32(f, sh2 + 20, (uint)strtab.Length);
    }

    /// <summary>
    /// A flat binary with the a.out kludge: the Multiboot header at file offset
    /// <paramref name="headerOffset"/>, loaded so that file offset 0 lands at <paramref name="loadAddr"/>.
    /// Code bytes are 0xF4 (hlt) after the header; the file is <paramref name="fileSize"/> bytes.
    /// </summary>
    public static byte[] Aout(
        uint loadAddr = 0x100000,
        int headerOffset = 0,
        int fileSize = 0x80,
        uint loadEndAddr = 0,
        uint bssEndAddr = 0,
        uint? entryAddr = null,
        uint? headerAddr = null,
        uint flags = 0x00010003)
    {
        var f = new byte[fileSize];
        for (int i = 0; i < f.Length; i++)
            f[i] = 0xF4;
        W32(f, headerOffset, MultibootMagic);
        W32(f, headerOffset + 4, flags);
        W32(f, headerOffset + 8, Checksum(flags));
        W32(f, headerOffset + 12, headerAddr ?? loadAddr + (uint)headerOffset);
        W32(f, headerOffset + 16, loadAddr);
        W32(f, headerOffset + 20, loadEndAddr);
        W32(f, headerOffset + 24, bssEndAddr);
        W32(f, headerOffset + 28, entryAddr ?? loadAddr + (uint)headerOffset + 32);
        return f;
    }

    public static void W16(byte[] b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
    public static void W32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
}
