using System.Buffers.Binary;

namespace Transmeta.Vmm.Loaders;

/// <summary>
/// The Multiboot v1 header of an OS image (Multiboot Specification 0.6.96, §3.1.1 "The layout of
/// Multiboot header"):
/// <code>
///   offset  field           required when
///   0       magic           always (0x1BADB002)
///   4       flags           always
///   8       checksum        always (magic + flags + checksum = 0 mod 2^32)
///   12      header_addr     flags bit 16
///   16      load_addr       flags bit 16
///   20      load_end_addr   flags bit 16
///   24      bss_end_addr    flags bit 16
///   28      entry_addr      flags bit 16
///   32      mode_type       flags bit 2
///   36      width           flags bit 2
///   40      height          flags bit 2
///   44      depth           flags bit 2
/// </code>
/// The header must lie, 32-bit aligned, within the first 8192 bytes of the image (§3.1).
/// </summary>
public readonly record struct MultibootHeader
{
    public const uint HeaderMagic = 0x1BADB002;

    /// <summary>The header must be contained in this many leading bytes of the file (§3.1).</summary>
    public const int SearchLimit = 8192;

    /// <summary>Bytes of the magic fields (magic, flags, checksum).</summary>
    public const int MagicFieldsSize = 12;

    /// <summary>Bytes up to the end of the address fields (used with flags bit 16).</summary>
    public const int AddressFieldsEnd = 32;

    /// <summary>Bytes up to the end of the graphics fields (used with flags bit 2).</summary>
    public const int GraphicsFieldsEnd = 48;

    /// <summary>flags bit 0: boot modules must be page aligned.</summary>
    public const uint FlagPageAlignModules = 1u << 0;

    /// <summary>flags bit 1: mem_* (and, if available, the memory map) must be provided.</summary>
    public const uint FlagMemoryInfo = 1u << 1;

    /// <summary>flags bit 2: video mode table must be provided (graphics fields are valid).</summary>
    public const uint FlagVideoMode = 1u << 2;

    /// <summary>flags bit 16: the address fields are valid (the "a.out kludge").</summary>
    public const uint FlagAddressFields = 1u << 16;

    /// <summary>
    /// Bits 0-15 are requirements: "if the boot loader does not understand all the requirements
    /// bits, it must notify the user and fail to load the OS image" (§3.1.2). Bits 16-31 are optional.
    /// </summary>
    public const uint RequiredBitsMask = 0x0000_FFFF;

    /// <summary>The requirement bits this loader understands: 0 and 1 (satisfied), 2 (noted and ignored, as QEMU does).</summary>
    public const uint KnownRequiredBits = FlagPageAlignModules | FlagMemoryInfo | FlagVideoMode;

    /// <summary>File offset of the header.</summary>
    public int FileOffset { get; init; }

    public uint Flags { get; init; }
    public uint Checksum { get; init; }
    public uint HeaderAddr { get; init; }
    public uint LoadAddr { get; init; }
    public uint LoadEndAddr { get; init; }
    public uint BssEndAddr { get; init; }
    public uint EntryAddr { get; init; }
    public uint ModeType { get; init; }
    public uint Width { get; init; }
    public uint Height { get; init; }
    public uint Depth { get; init; }

    public bool HasAddressFields => (Flags & FlagAddressFields) != 0;
    public bool RequestsVideoMode => (Flags & FlagVideoMode) != 0;

    /// <summary>Requirement bits set in the header that this loader does not know.</summary>
    public uint UnknownRequiredBits => Flags & RequiredBitsMask & ~KnownRequiredBits;

    /// <summary>
    /// Finds the first header with the magic and a valid checksum at a 4-byte-aligned offset whose
    /// magic fields lie within the first 8192 bytes, as GRUB does (a stray magic value with a wrong
    /// checksum is skipped, not fatal).
    /// </summary>
    /// <exception cref="ImageLoadException">
    /// no header (the message also says what the file looks like), or only headers with a bad
    /// checksum, or a header whose address/graphics fields are cut off by the end of the file.
    /// </exception>
    public static MultibootHeader Find(ReadOnlySpan<byte> file)
    {
        int limit = Math.Min(file.Length, SearchLimit);
        int badChecksumAt = -1;
        uint badSum = 0;
        for (int off = 0; off + MagicFieldsSize <= limit; off += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(off)) != HeaderMagic)
                continue;
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(off + 4));
            uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(off + 8));
            uint sum = unchecked(HeaderMagic + flags + checksum);
            if (sum != 0)
            {
                if (badChecksumAt < 0)
                {
                    badChecksumAt = off;
                    badSum = sum;
                }
                continue;
            }
            return Parse(file, off, flags, checksum);
        }

        if (badChecksumAt >= 0)
            throw new ImageLoadException(
                $"bad Multiboot header checksum at file offset 0x{badChecksumAt:X}: magic + flags + checksum = 0x{badSum:X8}, must be 0");
        throw new ImageLoadException(
            $"not a Multiboot image: no Multiboot header (magic 0x{HeaderMagic:X8} with a valid checksum, 4-byte aligned) " +
            $"in the first {SearchLimit} bytes{ImageFormat.DescribeForeignFormat(file)}");
    }

    private static MultibootHeader Parse(ReadOnlySpan<byte> file, int off, uint flags, uint checksum)
    {
        var header = new MultibootHeader { FileOffset = off, Flags = flags, Checksum = checksum };
        if ((flags & FlagAddressFields) != 0)
        {
            if (off + AddressFieldsEnd > file.Length)
                throw new ImageLoadException(
                    $"file is truncated: the Multiboot header at offset 0x{off:X} sets flags bit 16 (address fields) " +
                    $"but the file ends at {file.Length} bytes, before the fields end at 0x{off + AddressFieldsEnd:X}");
            header = header with
            {
                HeaderAddr = Field(file, off + 12),
                LoadAddr = Field(file, off + 16),
                LoadEndAddr = Field(file, off + 20),
                BssEndAddr = Field(file, off + 24),
                EntryAddr = Field(file, off + 28),
            };
        }
        if ((flags & FlagVideoMode) != 0 && off + GraphicsFieldsEnd <= file.Length)
        {
            // The graphics fields are only informative here (no framebuffer), so a file cut short
            // inside them is not an error.
            header = header with { ModeType = Field(file, off + 32), Width = Field(file, off + 36), Height = Field(file, off + 40), Depth = Field(file, off + 44) };
        }
        return header;
    }

    private static uint Field(ReadOnlySpan<byte> file, int at) => BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(at));
}
