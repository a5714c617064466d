using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Loaders;

/// <summary>
/// Loads a Multiboot v1 kernel (ELF32 or a.out-kludge flat binary) into guest RAM and writes the
/// Multiboot information structure, the way GRUB or QEMU's <c>-kernel</c> would.
/// </summary>
/// <remarks>
/// <para>Steps: <see cref="MultibootImage.Parse"/> validates the file and says where each piece goes;
/// this class checks it fits in RAM, picks a place for the information structure, copies the segments
/// (zeroing each bss tail), and writes the structure with <see cref="MultibootInfo.Write"/>. Nothing is
/// written to RAM unless every check passed.</para>
/// <para>The information structure goes at 0x9000 (below 0x10000, in conventional memory where no
/// Multiboot kernel loads — they load at or above 1 MiB, §3.1.3 advises against lower addresses). If
/// the image does use that area, the first free 4 KiB-aligned spot in [0x1000, 0x9FC00) is used, then
/// the first page after the image.</para>
/// <para>Setting up the CPU from the result is the execution engine's job; see <see cref="LoadedImage"/>.</para>
/// </remarks>
public static class MultibootLoader
{
    /// <summary>Preferred address of the Multiboot information structure.</summary>
    public const uint DefaultInfoAddress = 0x9000;

    /// <summary>The name written to boot_loader_name.</summary>
    public const string DefaultBootLoaderName = "Transmeta";

    private const uint MiB = 1024 * 1024;

    /// <summary>Reads <paramref name="path"/> and loads it (see <see cref="Load"/>).</summary>
    /// <exception cref="ImageLoadException">the file cannot be read or loaded.</exception>
    public static LoadedImage LoadFile(GuestRam ram, string path, string? commandLine = null,
        string bootLoaderName = DefaultBootLoaderName)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"cannot read the guest image '{path}': {e.Message}", e);
        }
        return Load(ram, bytes, commandLine, bootLoaderName);
    }

    /// <summary>
    /// Loads the image in <paramref name="file"/> into <paramref name="ram"/> and writes the Multiboot
    /// information structure with <paramref name="commandLine"/> (the kernel sees it verbatim; QEMU
    /// prefixes the image's file name, GRUB the path — a runner wanting the same can pass that).
    /// </summary>
    /// <exception cref="ImageLoadException">the image is not loadable or does not fit; RAM is untouched.</exception>
    public static LoadedImage Load(GuestRam ram, ReadOnlySpan<byte> file, string? commandLine = null,
        string bootLoaderName = DefaultBootLoaderName)
    {
        ArgumentNullException.ThrowIfNull(ram);
        commandLine ??= "";
        MultibootImage image = MultibootImage.Parse(file);

        if (image.ImageEnd > ram.Size)
        {
            ulong neededMiB = (image.ImageEnd + MiB - 1) / MiB;
            LoadSegment worst = image.Segments.MaxBy(s => s.End);
            throw new ImageLoadException(
                $"image needs {neededMiB} MiB of RAM but the guest has {ram.SizeMiB} MiB " +
                $"(segment [0x{worst.Address:X8}, 0x{worst.End:X8}) ends beyond guest RAM; give the guest more memory)");
        }

        uint infoSize;
        try
        {
            infoSize = MultibootInfo.RequiredSize(ram.Size, commandLine, bootLoaderName);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ImageLoadException($"cannot build the Multiboot memory map: {e.Message}", e);
        }
        uint infoAddress = ChooseInfoAddress(image, ram.Size, infoSize);

        var notes = new List<string>(image.Notes);
        foreach (LoadSegment s in image.Segments)
        {
            if (s.Address < MultibootInfo.HighMemoryStart && s.End > MultibootInfo.ExtendedBiosDataArea)
                notes.Add($"segment [0x{s.Address:X8}, 0x{s.End:X8}) overlaps the PC's reserved area [0x9FC00, 0x100000), " +
                          "which the memory map does not report as RAM");
        }

        // Every check passed: now write.
        foreach (LoadSegment s in image.Segments)
        {
            ram.WriteBytes(s.Address, file.Slice(s.FileOffset, (int)s.FileSize));
            if (s.MemorySize > s.FileSize)
                ram.Fill(s.Address + s.FileSize, s.MemorySize - s.FileSize);
        }
        MultibootInfoLayout info = MultibootInfo.Write(ram, infoAddress, commandLine, bootLoaderName);

        return new LoadedImage
        {
            Entry = image.Entry,
            MultibootInfoAddress = info.Address,
            ImageLow = image.ImageLow,
            ImageHigh = (uint)image.ImageEnd, // ≤ ram.Size, so it fits
            Kind = image.Kind,
            Symbols = image.Symbols,
            Segments = image.Segments,
            Info = info,
            Header = image.Header,
            Notes = notes,
        };
    }

    private static uint ChooseInfoAddress(MultibootImage image, uint ramSize, uint size)
    {
        bool Free(ulong at, ulong limit) =>
            at + size <= limit && !image.Overlaps((uint)at, size);

        if (Free(DefaultInfoAddress, MultibootInfo.ExtendedBiosDataArea))
            return DefaultInfoAddress;
        for (uint at = 0x1000; at < MultibootInfo.ExtendedBiosDataArea; at += GuestRam.PageSize)
        {
            if (Free(at, MultibootInfo.ExtendedBiosDataArea))
                return at;
        }
        ulong after = (image.ImageEnd + GuestRam.PageSize - 1) & ~(ulong)(GuestRam.PageSize - 1);
        if (Free(after, ramSize))
            return (uint)after;
        throw new ImageLoadException(
            $"no room for the {size}-byte Multiboot information structure: the image covers low memory and ends too close to the end of RAM; " +
            "give the guest more memory or shorten the command line");
    }
}
