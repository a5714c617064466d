using System.Text;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Loaders;

/// <summary>One entry of the Multiboot memory map (Multiboot 0.6.96 §3.3, mmap_*).</summary>
/// <param name="Type">1 = available RAM; any other value = reserved (we use 2).</param>
public readonly record struct MemoryMapEntry(ulong BaseAddress, ulong Length, uint Type)
{
    public const uint Available = 1;
    public const uint Reserved = 2;
}

/// <summary>Where the pieces of a written Multiboot information structure lie in guest memory.</summary>
public readonly record struct MultibootInfoLayout(
    uint Address,
    uint Flags,
    uint MemoryMapAddress,
    uint MemoryMapLength,
    uint BootLoaderNameAddress,
    uint CommandLineAddress,
    uint End);

/// <summary>
/// Builds the Multiboot information structure (Multiboot 0.6.96 §3.3 "Boot information format") in
/// guest memory. The OS finds it through EBX at entry.
/// </summary>
/// <remarks>
/// <para>Layout written at <c>address</c> (all of it 4-byte aligned, inside one block):</para>
/// <code>
///   +0x000  multiboot_info       0x80 bytes, zeroed first (the spec's fields end at 0x74 with the
///                                framebuffer fields; unused fields stay 0)
///   +0x080  memory map           4 entries × 24 bytes (3 when RAM is exactly 1 MiB)
///   +0x0E0  boot_loader_name     NUL-terminated
///   ...     cmdline              NUL-terminated, 4-byte aligned
///   ...     (module list)        empty: mods_count = 0, mods_addr points here
/// </code>
/// <para>
/// Fields and flags we provide: flags bit 0 mem_lower/mem_upper, bit 2 cmdline, bit 3 mods_count =
/// 0, bit 6 mmap_length/mmap_addr, bit 9 boot_loader_name. mem_lower = 639 KiB (conventional memory up
/// to the EBDA at 0x9FC00; the spec's maximum is 640); mem_upper = KiB of RAM above 1 MiB.
/// </para>
/// <para>
/// Each memory map entry is <c>size, base_addr (u64), length (u64), type</c>, and "size is the size
/// of the associated structure in bytes" not counting the size field itself — 20 — so the next entry
/// is at +24; mmap_addr points at the first size field, i.e. the fields of an entry are found at
/// offset −4 of base_addr (§3.3). The map describes a PC: [0, 0x9FC00) RAM, [0x9FC00, 0xA0000) EBDA
/// (reserved), [0xA0000, 0xF0000) unlisted (VGA window, option ROMs), [0xF0000, 0x100000) BIOS ROM
/// (reserved), [0x100000, end of RAM) RAM.
/// </para>
/// </remarks>
public static class MultibootInfo
{
    // Field offsets in multiboot_info (§3.3).
    public const int FlagsOffset = 0;
    public const int MemLowerOffset = 4;
    public const int MemUpperOffset = 8;
    public const int BootDeviceOffset = 12;
    public const int CmdlineOffset = 16;
    public const int ModsCountOffset = 20;
    public const int ModsAddrOffset = 24;
    public const int MmapLengthOffset = 44;
    public const int MmapAddrOffset = 48;
    public const int BootLoaderNameOffset = 64;

    // Flags (§3.3).
    public const uint FlagMemory = 1u << 0;
    public const uint FlagCmdline = 1u << 2;
    public const uint FlagModules = 1u << 3;
    public const uint FlagMemoryMap = 1u << 6;
    public const uint FlagBootLoaderName = 1u << 9;

    /// <summary>Flags of every structure this class writes (0x24D).</summary>
    public const uint WrittenFlags = FlagMemory | FlagCmdline | FlagModules | FlagMemoryMap | FlagBootLoaderName;

    /// <summary>Bytes reserved for multiboot_info itself.</summary>
    public const uint InfoSize = 0x80;

    /// <summary>Bytes of one memory map entry including its size field.</summary>
    public const uint MemoryMapEntryStride = 24;

    /// <summary>Value of each entry's size field: the entry without the size field.</summary>
    public const uint MemoryMapEntrySize = 20;

    /// <summary>mem_lower in KiB: conventional memory below the EBDA at 0x9FC00.</summary>
    public const uint MemLowerKiB = 639;

    public const uint ExtendedBiosDataArea = 0x9FC00;
    public const uint BiosRomStart = 0xF0000;
    public const uint HighMemoryStart = 0x100000;

    /// <summary>The PC memory map for <paramref name="ramSize"/> bytes of RAM (see the class remarks).</summary>
    public static IReadOnlyList<MemoryMapEntry> BuildMemoryMap(uint ramSize)
    {
        if (ramSize < HighMemoryStart)
            throw new ArgumentOutOfRangeException(nameof(ramSize), ramSize, "a PC memory map needs at least 1 MiB of RAM");
        var map = new List<MemoryMapEntry>(4)
        {
            new(0, ExtendedBiosDataArea, MemoryMapEntry.Available),
            new(ExtendedBiosDataArea, 0xA0000 - ExtendedBiosDataArea, MemoryMapEntry.Reserved),
            new(BiosRomStart, HighMemoryStart - BiosRomStart, MemoryMapEntry.Reserved),
        };
        if (ramSize > HighMemoryStart)
            map.Add(new(HighMemoryStart, ramSize - HighMemoryStart, MemoryMapEntry.Available));
        return map;
    }

    /// <summary>mem_upper in KiB: RAM above 1 MiB.</summary>
    public static uint MemUpperKiB(uint ramSize) => ramSize <= HighMemoryStart ? 0 : (ramSize - HighMemoryStart) / 1024;

    /// <summary>Bytes <see cref="Write"/> needs for these strings (rounded up to 4).</summary>
    public static uint RequiredSize(uint ramSize, string commandLine, string bootLoaderName)
    {
        uint mapBytes = (uint)BuildMemoryMap(ramSize).Count * MemoryMapEntryStride;
        return InfoSize + mapBytes + Align4(CStringLength(bootLoaderName)) + Align4(CStringLength(commandLine));
    }

    /// <summary>
    /// Writes the structure at <paramref name="address"/> (4-byte aligned) and returns where each
    /// piece went. The caller has chosen an address whose <see cref="RequiredSize"/> bytes are free.
    /// </summary>
    /// <exception cref="ImageLoadException">a string contains a NUL character.</exception>
    /// <exception cref="GuestMemoryException">the structure does not fit in RAM at that address.</exception>
    public static MultibootInfoLayout Write(GuestRam ram, uint address, string commandLine, string bootLoaderName)
    {
        ArgumentNullException.ThrowIfNull(ram);
        if ((address & 3) != 0)
            throw new ArgumentException($"the Multiboot information address 0x{address:X} must be 4-byte aligned", nameof(address));
        byte[] cmdline = ToCString(commandLine, "command line");
        byte[] name = ToCString(bootLoaderName, "boot loader name");
        IReadOnlyList<MemoryMapEntry> map = BuildMemoryMap(ram.Size);

        uint size = RequiredSize(ram.Size, commandLine, bootLoaderName);
        if (!ram.Contains(address, size))
            throw GuestMemoryExceptionFor(ram, address, size);
        ram.Fill(address, InfoSize);

        uint mmapAddr = address + InfoSize;
        uint mmapLength = (uint)map.Count * MemoryMapEntryStride;
        uint at = mmapAddr;
        foreach (MemoryMapEntry e in map)
        {
            ram.Write32(at, MemoryMapEntrySize);
            ram.Write32(at + 4, (uint)e.BaseAddress);
            ram.Write32(at + 8, (uint)(e.BaseAddress >> 32));
            ram.Write32(at + 12, (uint)e.Length);
            ram.Write32(at + 16, (uint)(e.Length >> 32));
            ram.Write32(at + 20, e.Type);
            at += MemoryMapEntryStride;
        }

        uint nameAddr = mmapAddr + mmapLength;
        ram.WriteBytes(nameAddr, name);
        uint cmdlineAddr = nameAddr + Align4((uint)name.Length);
        ram.WriteBytes(cmdlineAddr, cmdline);
        uint end = cmdlineAddr + Align4((uint)cmdline.Length);

        ram.Write32(address + FlagsOffset, WrittenFlags);
        ram.Write32(address + MemLowerOffset, MemLowerKiB);
        ram.Write32(address + MemUpperOffset, MemUpperKiB(ram.Size));
        ram.Write32(address + CmdlineOffset, cmdlineAddr);
        ram.Write32(address + ModsCountOffset, 0);
        ram.Write32(address + ModsAddrOffset, end);
        ram.Write32(address + MmapLengthOffset, mmapLength);
        ram.Write32(address + MmapAddrOffset, mmapAddr);
        ram.Write32(address + BootLoaderNameOffset, nameAddr);

        return new MultibootInfoLayout(address, WrittenFlags, mmapAddr, mmapLength, nameAddr, cmdlineAddr, end);
    }

    private static GuestMemoryException GuestMemoryExceptionFor(GuestRam ram, uint address, uint size) =>
        new($"the Multiboot information structure [0x{address:X8}, 0x{(ulong)address + size:X8}) does not fit in " +
            $"guest RAM ({ram.SizeMiB} MiB)") { Address = address, Length = size };

    private static uint CStringLength(string s) => (uint)Encoding.UTF8.GetByteCount(s) + 1;

    private static uint Align4(uint n) => (n + 3) & ~3u;

    private static byte[] ToCString(string s, string what)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Contains('\0'))
            throw new ImageLoadException($"the {what} contains a NUL character, which would end the C string early");
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
