namespace Transmeta.Vmm.Loaders;

/// <summary>A piece of the file copied to guest physical memory, followed by zeroed memory up to <see cref="MemorySize"/>.</summary>
public readonly record struct LoadSegment(int FileOffset, uint Address, uint FileSize, uint MemorySize)
{
    /// <summary>One past the last byte (as a 64-bit value, so a segment ending at 4 GiB does not wrap).</summary>
    public ulong End => (ulong)Address + MemorySize;
}

/// <summary>
/// What a Multiboot v1 image asks for — segments, entry point, symbols — parsed and validated without
/// touching guest memory. <see cref="MultibootLoader"/> places it into RAM; <see cref="ImageFormat"/>
/// uses it to describe a file.
/// </summary>
/// <remarks>
/// <para>Two ways to say where the kernel goes (Multiboot 0.6.96 §3.1):</para>
/// <list type="bullet">
/// <item><b>a.out kludge</b> (header flags bit 16, §3.1.3): the header's address fields. The file is
/// loaded from offset <c>header_offset − (header_addr − load_addr)</c> to <c>load_addr</c>, up to
/// <c>load_end_addr</c> (0 = to the end of the file); [load_end_addr, bss_end_addr) is zeroed
/// (bss_end_addr 0 = no bss); execution starts at entry_addr. Used whenever bit 16 is set, even in an
/// ELF file, as QEMU does.</item>
/// <item><b>ELF32</b> (bit 16 clear): the file must be an ELF32 i386 executable; every PT_LOAD segment
/// goes to its p_paddr, with [p_filesz, p_memsz) zeroed. The entry is e_entry, translated from virtual
/// to physical through the PT_LOAD segment whose virtual range contains it (as GRUB 2 does); for the
/// usual identity-linked kernel (p_vaddr = p_paddr) that is e_entry itself.</item>
/// </list>
/// <para>Requirement bits (flags 0-15, §3.1.2): bit 0 (page-aligned modules) and bit 1 (memory
/// information) are always satisfied — we load no modules and always pass mem_* and the memory map;
/// bit 2 (video mode) is noted and ignored, as QEMU does, since there is no framebuffer; any other
/// requirement bit makes the image unloadable, as the spec demands.</para>
/// </remarks>
public sealed class MultibootImage
{
    public const string KindElf = "ELF32";
    public const string KindAout = "a.out kludge";

    private MultibootImage(string kind, MultibootHeader header, uint entry, IReadOnlyList<LoadSegment> segments,
        IReadOnlyList<(uint Address, uint Size, string Name)> symbols, IReadOnlyList<string> notes)
    {
        Kind = kind;
        Header = header;
        Entry = entry;
        Segments = segments;
        Symbols = symbols;
        Notes = notes;
        ImageLow = segments.Min(s => s.Address);
        ImageEnd = segments.Max(s => s.End);
    }

    /// <summary><see cref="KindElf"/> or <see cref="KindAout"/>.</summary>
    public string Kind { get; }

    public MultibootHeader Header { get; }

    /// <summary>Physical entry address.</summary>
    public uint Entry { get; }

    /// <summary>Non-empty segments, in file order.</summary>
    public IReadOnlyList<LoadSegment> Segments { get; }

    public IReadOnlyList<(uint Address, uint Size, string Name)> Symbols { get; }

    public IReadOnlyList<string> Notes { get; }

    /// <summary>Lowest physical address loaded.</summary>
    public uint ImageLow { get; }

    /// <summary>One past the highest physical address loaded (64-bit: may be exactly 4 GiB).</summary>
    public ulong ImageEnd { get; }

    /// <summary>True if any segment overlaps [start, start + length).</summary>
    public bool Overlaps(uint start, uint length) =>
        Segments.Any(s => s.Address < (ulong)start + length && start < s.End);

    /// <summary>Parses and validates a Multiboot v1 image.</summary>
    /// <exception cref="ImageLoadException">the image cannot be loaded; the message says why.</exception>
    public static MultibootImage Parse(ReadOnlySpan<byte> file)
    {
        if (file.IsEmpty)
            throw new ImageLoadException("the image file is empty");

        MultibootHeader header = MultibootHeader.Find(file);
        if (header.UnknownRequiredBits != 0)
            throw new ImageLoadException(
                $"Multiboot header flags 0x{header.Flags:X8} set requirement bit(s) 0x{header.UnknownRequiredBits:X4} that this loader " +
                "does not support; the Multiboot spec (§3.1.2) requires refusing such an image");

        var notes = new List<string>();
        if (header.RequestsVideoMode)
            notes.Add($"the image requests a video mode (flags bit 2: mode_type {header.ModeType}, {header.Width}x{header.Height}x{header.Depth}); " +
                      "ignored, as QEMU does: there is no framebuffer, only the serial console");

        return header.HasAddressFields
            ? ParseAout(file, header, notes)
            : ParseElf(file, header, notes);
    }

    private static MultibootImage ParseAout(ReadOnlySpan<byte> file, MultibootHeader h, List<string> notes)
    {
        if (h.LoadAddr > h.HeaderAddr)
            throw new ImageLoadException(
                $"a.out kludge: load_addr 0x{h.LoadAddr:X8} is above header_addr 0x{h.HeaderAddr:X8}; the header must lie inside the loaded text");
        uint headerDelta = h.HeaderAddr - h.LoadAddr;
        if (headerDelta > (uint)h.FileOffset)
            throw new ImageLoadException(
                $"a.out kludge: header_addr − load_addr = 0x{headerDelta:X} but the header is at file offset 0x{h.FileOffset:X}, " +
                "so the load would start before the beginning of the file");
        int loadOffset = h.FileOffset - (int)headerDelta;

        ulong loadSize;
        if (h.LoadEndAddr == 0)
        {
            loadSize = (ulong)(file.Length - loadOffset);
        }
        else
        {
            if (h.LoadEndAddr < h.LoadAddr)
                throw new ImageLoadException(
                    $"a.out kludge: load_end_addr 0x{h.LoadEndAddr:X8} is below load_addr 0x{h.LoadAddr:X8}");
            loadSize = h.LoadEndAddr - h.LoadAddr;
            if ((ulong)loadOffset + loadSize > (ulong)file.Length)
                throw new ImageLoadException(
                    $"file is truncated: the a.out kludge header loads 0x{loadSize:X} bytes from file offset 0x{loadOffset:X} " +
                    $"(load_addr 0x{h.LoadAddr:X8} to load_end_addr 0x{h.LoadEndAddr:X8}) but the file has only {file.Length} (0x{file.Length:X}) bytes");
        }

        ulong loadEnd = h.LoadAddr + loadSize;
        ulong memEnd = loadEnd;
        if (h.BssEndAddr != 0)
        {
            if (h.BssEndAddr < loadEnd)
                throw new ImageLoadException(
                    $"a.out kludge: bss_end_addr 0x{h.BssEndAddr:X8} is below the end of the loaded text 0x{loadEnd:X8}");
            memEnd = h.BssEndAddr;
        }
        if (memEnd > 0x1_0000_0000UL)
            throw new ImageLoadException(
                $"a.out kludge: the image [0x{h.LoadAddr:X8}, 0x{memEnd:X8}) extends past 4 GiB");
        if (memEnd == h.LoadAddr)
            throw new ImageLoadException("a.out kludge: the address fields describe an empty image (nothing to load)");
        if (h.EntryAddr < h.LoadAddr || h.EntryAddr >= memEnd)
            throw new ImageLoadException(
                $"a.out kludge: entry_addr 0x{h.EntryAddr:X8} lies outside the loaded image [0x{h.LoadAddr:X8}, 0x{memEnd:X8})");

        var segment = new LoadSegment(loadOffset, h.LoadAddr, (uint)loadSize, (uint)(memEnd - h.LoadAddr));
        return new MultibootImage(KindAout, h, h.EntryAddr, new[] { segment },
            Array.Empty<(uint, uint, string)>(), notes);
    }

    private static MultibootImage ParseElf(ReadOnlySpan<byte> file, MultibootHeader h, List<string> notes)
    {
        if (!ElfImage.HasElfMagic(file))
            throw new ImageLoadException(
                $"the Multiboot header at file offset 0x{h.FileOffset:X} has flags 0x{h.Flags:X8} without bit 16 (address fields), " +
                "so the file must be an ELF executable, but it is not ELF — set bit 16 and the address fields for a flat binary");

        ElfImage elf = ElfImage.Parse(file);
        var segments = elf.LoadSegments
            .Select(p => new LoadSegment((int)p.Offset, p.PhysicalAddress, p.FileSize, p.MemorySize))
            .ToList();

        uint? entry = null;
        foreach (ElfProgramHeader p in elf.LoadSegments)
        {
            if (elf.Entry - p.VirtualAddress < p.MemorySize)
            {
                entry = elf.Entry - p.VirtualAddress + p.PhysicalAddress;
                break;
            }
        }
        if (entry == null && segments.Any(s => elf.Entry - s.Address < s.MemorySize))
            entry = elf.Entry; // already a physical address inside the image
        if (entry == null)
            throw new ImageLoadException(
                $"ELF entry point e_entry = 0x{elf.Entry:X8} is not inside any PT_LOAD segment");

        return new MultibootImage(KindElf, h, entry.Value, segments, elf.Symbols, notes);
    }
}
