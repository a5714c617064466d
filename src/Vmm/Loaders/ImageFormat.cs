using System.Buffers.Binary;

namespace Transmeta.Vmm.Loaders;

/// <summary>What kind of guest image a file is.</summary>
public enum ImageKind
{
    /// <summary>Not something we can boot; <see cref="ImageFormatInfo.Reason"/> says why.</summary>
    NotLoadable,

    /// <summary>Multiboot v1 kernel in an ELF32 i386 executable.</summary>
    MultibootElf32,

    /// <summary>Multiboot v1 kernel loaded through the header's address fields (flat binary).</summary>
    MultibootAoutKludge,

    /// <summary>A Linux bzImage: boot it with the Linux boot protocol, not Multiboot.</summary>
    LinuxBzImage,
}

/// <summary>The answer of <see cref="ImageFormat.Detect"/>.</summary>
/// <param name="Description">"ELF32 Multiboot", "Multiboot (a.out kludge)", "Linux bzImage (boot protocol 2.15)" or "not loadable".</param>
/// <param name="Reason">For <see cref="ImageKind.NotLoadable"/>, the one-line reason; otherwise null.</param>
/// <param name="Image">For a Multiboot kind, the parsed image (entry, segments, symbols).</param>
public sealed record ImageFormatInfo(ImageKind Kind, string Description, string? Reason, MultibootImage? Image)
{
    public bool IsMultiboot => Kind is ImageKind.MultibootElf32 or ImageKind.MultibootAoutKludge;

    public override string ToString() => Reason == null ? Description : $"{Description}: {Reason}";
}

/// <summary>
/// Recognises guest image formats, for the runner's <c>inspect</c> command and for choosing a loader.
/// A Multiboot image is fully validated (same checks as loading, without RAM), so "ELF32 Multiboot"
/// means the loader will accept it given enough memory.
/// </summary>
public static class ImageFormat
{
    public const string ElfMultibootDescription = "ELF32 Multiboot";
    public const string AoutMultibootDescription = "Multiboot (a.out kludge)";

    /// <summary>Says what <paramref name="file"/> is, or why it cannot be booted.</summary>
    public static ImageFormatInfo Detect(ReadOnlySpan<byte> file)
    {
        // Linux first: a bzImage has no Multiboot header, and "use the Linux boot protocol" is a
        // better answer than "no Multiboot header".
        if (TryLinuxBootProtocol(file, out ushort version))
            return new ImageFormatInfo(ImageKind.LinuxBzImage,
                $"Linux bzImage (boot protocol {version >> 8}.{version & 0xFF})", null, null);
        try
        {
            MultibootImage image = MultibootImage.Parse(file);
            return image.Kind == MultibootImage.KindElf
                ? new ImageFormatInfo(ImageKind.MultibootElf32, ElfMultibootDescription, null, image)
                : new ImageFormatInfo(ImageKind.MultibootAoutKludge, AoutMultibootDescription, null, image);
        }
        catch (ImageLoadException e)
        {
            return new ImageFormatInfo(ImageKind.NotLoadable, "not loadable", e.Message, null);
        }
    }

    /// <summary>Reads and detects a file; an unreadable file is "not loadable" with the I/O error as reason.</summary>
    public static ImageFormatInfo DetectFile(string path)
    {
        try
        {
            return Detect(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ImageFormatInfo(ImageKind.NotLoadable, "not loadable", $"cannot read '{path}': {e.Message}", null);
        }
    }

    /// <summary>
    /// Linux x86 boot protocol (Documentation/arch/x86/boot.rst): boot_flag 0xAA55 at 0x1FE and the
    /// header signature "HdrS" at 0x202, with the protocol version at 0x206.
    /// </summary>
    internal static bool TryLinuxBootProtocol(ReadOnlySpan<byte> file, out ushort version)
    {
        version = 0;
        if (file.Length < 0x208)
            return false;
        if (BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(0x1FE)) != 0xAA55)
            return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(0x202)) != 0x53726448) // "HdrS"
            return false;
        version = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(0x206));
        return true;
    }

    /// <summary>
    /// A short "; the file looks like ..." suffix for the no-Multiboot-header message, so the user
    /// learns what they passed instead (empty when we cannot tell).
    /// </summary>
    internal static string DescribeForeignFormat(ReadOnlySpan<byte> file)
    {
        if (TryLinuxBootProtocol(file, out ushort v))
            return $"; the file is a Linux bzImage (boot protocol {v >> 8}.{v & 0xFF}): boot it with the Linux boot protocol";
        if (ElfImage.HasElfMagic(file) && file.Length >= 20)
        {
            string cls = file[4] switch { 1 => "ELF32", 2 => "ELF64", _ => "ELF" };
            ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(18));
            return $"; the file is an {cls} {ElfImage.MachineName(machine)} file without a Multiboot header";
        }
        if (file.Length >= 2 && file[0] == (byte)'M' && file[1] == (byte)'Z')
            return "; the file looks like a DOS/PE (MZ) executable";
        if (file.Length >= 2 && file[0] == 0x1F && file[1] == 0x8B)
            return "; the file is gzip-compressed: decompress it first";
        return "";
    }
}
