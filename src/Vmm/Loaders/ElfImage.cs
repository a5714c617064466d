using System.Buffers.Binary;
using System.Text;

namespace Transmeta.Vmm.Loaders;

/// <summary>One ELF32 program header (System V ABI, "Program Header"; Elf32_Phdr, 32 bytes).</summary>
public readonly record struct ElfProgramHeader(
    int Index,
    uint Type,
    uint Offset,
    uint VirtualAddress,
    uint PhysicalAddress,
    uint FileSize,
    uint MemorySize,
    uint Flags,
    uint Align)
{
    public bool IsLoad => Type == ElfImage.PtLoad;
}

/// <summary>
/// A parsed, validated ELF32 little-endian i386 executable: the parts a Multiboot loader and a
/// profiler need (entry, program headers, symbol table). Parsing copies what it keeps, so the file
/// buffer can be dropped afterwards.
/// </summary>
/// <remarks>
/// Layouts from the System V ABI (gABI, "Object Files") and its Intel386 supplement:
/// Elf32_Ehdr is 52 bytes — e_ident[16], e_type@16, e_machine@18, e_version@20, e_entry@24,
/// e_phoff@28, e_shoff@32, e_flags@36, e_ehsize@40, e_phentsize@42, e_phnum@44, e_shentsize@46,
/// e_shnum@48, e_shstrndx@50. Elf32_Shdr is 40 bytes, Elf32_Sym 16 bytes. Every offset and size
/// taken from the file is checked against the file length before use; a check that fails is
/// reported as a truncated file, since that is how a short copy or interrupted download looks.
/// </remarks>
public sealed class ElfImage
{
    public const int HeaderSize = 52;
    public const int ProgramHeaderSize = 32;
    public const int SectionHeaderSize = 40;
    public const int SymbolSize = 16;

    public const byte ElfClass32 = 1, ElfClass64 = 2;
    public const byte ElfData2Lsb = 1;
    public const ushort EtExec = 2, EtDyn = 3, EtRel = 1, EtCore = 4;
    public const ushort EmI386 = 3;
    public const uint PtLoad = 1;
    public const uint ShtSymtab = 2;
    public const byte SttNoType = 0, SttObject = 1, SttFunc = 2;
    public const ushort ShnUndef = 0, ShnLoReserve = 0xFF00;

    private ElfImage(uint entry, IReadOnlyList<ElfProgramHeader> programHeaders,
        IReadOnlyList<(uint Address, uint Size, string Name)> symbols)
    {
        Entry = entry;
        ProgramHeaders = programHeaders;
        Symbols = symbols;
    }

    /// <summary>e_entry, a virtual address.</summary>
    public uint Entry { get; }

    public IReadOnlyList<ElfProgramHeader> ProgramHeaders { get; }

    /// <summary>PT_LOAD program headers with a non-zero memory size, in file order.</summary>
    public IEnumerable<ElfProgramHeader> LoadSegments => ProgramHeaders.Where(p => p.IsLoad && p.MemorySize != 0);

    /// <summary>
    /// Defined STT_FUNC and STT_OBJECT symbols, and STT_NOTYPE labels defined in a section, of the
    /// .symtab section (virtual addresses, st_value), sorted by address then name. Empty for a
    /// stripped image.
    /// </summary>
    public IReadOnlyList<(uint Address, uint Size, string Name)> Symbols { get; }

    /// <summary>True when the file starts with the ELF magic "\x7FELF".</summary>
    public static bool HasElfMagic(ReadOnlySpan<byte> file) =>
        file.Length >= 4 && file[0] == 0x7F && file[1] == (byte)'E' && file[2] == (byte)'L' && file[3] == (byte)'F';

    /// <summary>Parses and validates an ELF32 i386 executable.</summary>
    /// <exception cref="ImageLoadException">not ELF, not 32-bit, not little-endian, not i386, not ET_EXEC, or truncated.</exception>
    public static ElfImage Parse(ReadOnlySpan<byte> file)
    {
        if (!HasElfMagic(file))
            throw new ImageLoadException("not an ELF file (no \\x7FELF magic)");
        if (file.Length < HeaderSize)
            throw new ImageLoadException(
                $"file is truncated: {file.Length} bytes is shorter than the {HeaderSize}-byte ELF32 header");

        byte elfClass = file[4];
        if (elfClass == ElfClass64)
            throw new ImageLoadException(
                "ELF is 64-bit (ELFCLASS64); a Multiboot v1 guest must be a 32-bit (ELFCLASS32) i386 executable — link with -m elf_i386 / -m32");
        if (elfClass != ElfClass32)
            throw new ImageLoadException($"ELF is not 32-bit: EI_CLASS = {elfClass}, expected 1 (ELFCLASS32)");
        if (file[5] != ElfData2Lsb)
            throw new ImageLoadException($"ELF is not little-endian: EI_DATA = {file[5]}, expected 1 (ELFDATA2LSB)");

        ushort type = U16(file, 16);
        ushort machine = U16(file, 18);
        if (machine != EmI386)
            throw new ImageLoadException(
                $"ELF is not for i386: e_machine = {machine} ({MachineName(machine)}), expected 3 (EM_386)");
        if (type != EtExec)
            throw new ImageLoadException(
                $"ELF is not an executable: e_type = {type} ({TypeName(type)}), expected 2 (ET_EXEC) — link a static, non-PIE kernel");

        uint entry = U32(file, 24);
        uint phoff = U32(file, 28);
        uint shoff = U32(file, 32);
        ushort phentsize = U16(file, 42);
        ushort phnum = U16(file, 44);
        ushort shentsize = U16(file, 46);
        ushort shnum = U16(file, 48);

        if (phnum == 0)
            throw new ImageLoadException("ELF has no program headers (e_phnum = 0): nothing to load");
        if (phentsize < ProgramHeaderSize)
            throw new ImageLoadException($"ELF program header size e_phentsize = {phentsize} is smaller than {ProgramHeaderSize}");
        CheckRange(file, phoff, (ulong)phnum * phentsize, "program header table");

        var phdrs = new List<ElfProgramHeader>(phnum);
        for (int i = 0; i < phnum; i++)
        {
            int at = (int)(phoff + (uint)(i * phentsize));
            var ph = new ElfProgramHeader(
                Index: i,
                Type: U32(file, at),
                Offset: U32(file, at + 4),
                VirtualAddress: U32(file, at + 8),
                PhysicalAddress: U32(file, at + 12),
                FileSize: U32(file, at + 16),
                MemorySize: U32(file, at + 20),
                Flags: U32(file, at + 24),
                Align: U32(file, at + 28));
            if (ph.IsLoad)
            {
                if (ph.FileSize > ph.MemorySize)
                    throw new ImageLoadException(
                        $"ELF segment {i} is malformed: p_filesz 0x{ph.FileSize:X} is larger than p_memsz 0x{ph.MemorySize:X}");
                CheckRange(file, ph.Offset, ph.FileSize, $"segment {i} (PT_LOAD)");
                if ((ulong)ph.PhysicalAddress + ph.MemorySize > 0x1_0000_0000UL)
                    throw new ImageLoadException(
                        $"ELF segment {i} at physical 0x{ph.PhysicalAddress:X8} with size 0x{ph.MemorySize:X} extends past 4 GiB");
            }
            phdrs.Add(ph);
        }
        if (!phdrs.Any(p => p.IsLoad && p.MemorySize != 0))
            throw new ImageLoadException("ELF has no PT_LOAD segment with a non-zero size: nothing to load");

        var symbols = ReadSymbols(file, shoff, shentsize, shnum);
        return new ElfImage(entry, phdrs, symbols);
    }

    /// <summary>
    /// Reads the SHT_SYMTAB section and its linked string table. Section headers are optional
    /// (e_shoff = 0 means none); when present they must be inside the file, because they usually sit
    /// at its very end and are the first thing a truncated copy loses.
    /// </summary>
    private static IReadOnlyList<(uint Address, uint Size, string Name)> ReadSymbols(
        ReadOnlySpan<byte> file, uint shoff, ushort shentsize, ushort shnum)
    {
        var result = new List<(uint Address, uint Size, string Name)>();
        if (shoff == 0 || shnum == 0)
            return result;
        if (shentsize < SectionHeaderSize)
            throw new ImageLoadException($"ELF section header size e_shentsize = {shentsize} is smaller than {SectionHeaderSize}");
        CheckRange(file, shoff, (ulong)shnum * shentsize, "section header table");

        int SectionAt(int index) => (int)(shoff + (uint)(index * shentsize));

        for (int i = 0; i < shnum; i++)
        {
            int sh = SectionAt(i);
            if (U32(file, sh + 4) != ShtSymtab)
                continue;
            uint symOffset = U32(file, sh + 16);
            uint symSize = U32(file, sh + 20);
            uint link = U32(file, sh + 24);
            uint entsize = U32(file, sh + 36);
            if (entsize == 0)
                entsize = SymbolSize;
            if (entsize < SymbolSize)
                throw new ImageLoadException($"ELF symbol table (section {i}) has sh_entsize {entsize}, smaller than {SymbolSize}");
            if (link >= shnum)
                throw new ImageLoadException($"ELF symbol table (section {i}) links to string table section {link}, but there are only {shnum} sections");
            CheckRange(file, symOffset, symSize, $"symbol table (section {i})");

            int str = SectionAt((int)link);
            uint strOffset = U32(file, str + 16);
            uint strSize = U32(file, str + 20);
            CheckRange(file, strOffset, strSize, $"symbol string table (section {link})");
            ReadOnlySpan<byte> strtab = file.Slice((int)strOffset, (int)strSize);

            uint count = symSize / entsize;
            for (uint s = 0; s < count; s++)
            {
                int at = (int)(symOffset + s * entsize);
                uint nameOff = U32(file, at);
                uint value = U32(file, at + 4);
                uint size = U32(file, at + 8);
                byte info = file[at + 12];
                ushort shndx = U16(file, at + 14);
                byte symType = (byte)(info & 0xF);
                if (!IsProfilerSymbol(symType, shndx) || nameOff == 0)
                    continue;
                if (nameOff >= strSize)
                    throw new ImageLoadException(
                        $"ELF symbol {s} has a name offset 0x{nameOff:X} outside its string table (0x{strSize:X} bytes)");
                ReadOnlySpan<byte> name = strtab.Slice((int)nameOff);
                int nul = name.IndexOf((byte)0);
                if (nul < 0)
                    throw new ImageLoadException($"ELF symbol {s} has an unterminated name (string table ends first)");
                if (nul == 0)
                    continue;
                result.Add((value, size, Encoding.UTF8.GetString(name.Slice(0, nul))));
            }
            break; // an executable has at most one SHT_SYMTAB (gABI)
        }

        result.Sort((a, b) =>
        {
            int c = a.Address.CompareTo(b.Address);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        return result;
    }

    /// <summary>
    /// Which symbols name code or data worth showing in a profile: defined STT_FUNC and STT_OBJECT
    /// symbols, and STT_NOTYPE labels defined in a real section — NASM emits plain labels as
    /// STT_NOTYPE unless declared <c>:function</c>, and our guest images are largely assembly.
    /// Section, file, undefined, absolute (SHN_ABS) and common symbols are not addresses of anything.
    /// </summary>
    private static bool IsProfilerSymbol(byte symType, ushort shndx)
    {
        if (shndx == ShnUndef || shndx >= ShnLoReserve)
            return false;
        return symType is SttFunc or SttObject or SttNoType;
    }

    private static void CheckRange(ReadOnlySpan<byte> file, uint offset, ulong size, string what)
    {
        if ((ulong)offset + size > (ulong)file.Length)
            throw new ImageLoadException(
                $"file is truncated: the ELF {what} occupies file bytes [0x{offset:X}, 0x{(ulong)offset + size:X}) " +
                $"but the file has only {file.Length} (0x{file.Length:X}) bytes");
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at));
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at));

    internal static string MachineName(ushort machine) => machine switch
    {
        0 => "EM_NONE",
        3 => "EM_386",
        8 => "EM_MIPS",
        20 => "EM_PPC",
        40 => "EM_ARM",
        62 => "EM_X86_64",
        183 => "EM_AARCH64",
        243 => "EM_RISCV",
        _ => "unknown machine",
    };

    internal static string TypeName(ushort type) => type switch
    {
        0 => "ET_NONE",
        EtRel => "ET_REL, a relocatable object file",
        EtExec => "ET_EXEC",
        EtDyn => "ET_DYN, a shared object or PIE",
        EtCore => "ET_CORE, a core dump",
        _ => "unknown type",
    };
}
