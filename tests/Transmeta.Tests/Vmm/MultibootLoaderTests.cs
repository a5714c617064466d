using System.Text;
using Transmeta.Vmm.Loaders;
using Transmeta.Vmm.Memory;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class MultibootLoaderTests
{
    private static GuestRam RamFilledWith(int mib, byte value)
    {
        var ram = new GuestRam(mib);
        ram.Fill(0, ram.Size, value);
        return ram;
    }

    [Fact]
    public void Loads_An_Elf32_Kernel_At_Its_Physical_Addresses()
    {
        byte[] file = TestImages.Elf();
        using var ram = RamFilledWith(32, 0xAA);
        LoadedImage img = MultibootLoader.Load(ram, file, "console=ttyS0");

        Assert.Equal("ELF32", img.Kind);
        Assert.Equal(0x0010000Cu, img.Entry);
        Assert.Equal(0x00100000u, img.ImageLow);
        Assert.Equal(0x00101000u, img.ImageHigh);
        Assert.Equal(0x00009000u, img.MultibootInfoAddress);
        Assert.Equal(0x2BADB002u, LoadedImage.BootMagic);
        Assert.Empty(img.Notes);
        Assert.Equal(new[] { new LoadSegment(0x100, 0x100000, 0x40, 0x1000) }, img.Segments);

        // File bytes landed at p_paddr...
        var loaded = new byte[TestImages.ElfSegmentFileSize];
        ram.ReadBytes(0x100000, loaded);
        Assert.Equal(file.AsSpan(TestImages.ElfSegmentOffset, TestImages.ElfSegmentFileSize).ToArray(), loaded);
        Assert.Equal(0x1BADB002u, ram.Read32(0x100000));
        Assert.Equal((byte)0xF4, ram.Read8(0x10003F));
        // ...the p_memsz − p_filesz tail is zeroed...
        Assert.Equal(0u, ram.Read32(0x100040));
        Assert.Equal(0u, ram.Read32(0x100FFC));
        // ...and nothing past the image was touched.
        Assert.Equal(0xAAAAAAAAu, ram.Read32(0x101000));
        Assert.Equal(0xAAAAAAAAu, ram.Read32(0x0FFFFC));
    }

    [Fact]
    public void Records_Function_Object_And_Label_Symbols_Only()
    {
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf());
        Assert.Equal(new (uint, uint, string)[]
        {
            (0x0010000C, 4, "_start"),
            (0x00100010, 0, "loop_label"),
            (0x00100020, 8, "data_obj"),
        }, img.Symbols);

        Assert.True(img.TryFindSymbol(0x0010000E, out var s1));
        Assert.Equal("_start", s1.Name);
        Assert.True(img.TryFindSymbol(0x0010001F, out var s2)); // a size-0 label covers up to the next symbol
        Assert.Equal("loop_label", s2.Name);
        Assert.True(img.TryFindSymbol(0x00100027, out var s3));
        Assert.Equal("data_obj", s3.Name);
        Assert.False(img.TryFindSymbol(0x00100028, out _));    // past data_obj's 8 bytes
        Assert.False(img.TryFindSymbol(0x00100000, out _));    // below every symbol
    }

    [Fact]
    public void Stripped_Elf_Has_No_Symbols()
    {
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf(withSymbols: false));
        Assert.Empty(img.Symbols);
        Assert.Equal(0x0010000Cu, img.Entry);
    }

    [Fact]
    public void Higher_Half_Elf_Entry_Is_Translated_To_Physical()
    {
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf(paddr: 0x100000, vaddr: 0xC0100000));
        Assert.Equal(0x0010000Cu, img.Entry);
        Assert.Equal(0x00100000u, img.ImageLow);
        Assert.Equal(0x1BADB002u, ram.Read32(0x100000));
        Assert.Equal((0xC010000Cu, 4u, "_start"), img.Symbols[0]);
    }

    [Fact]
    public void Loads_An_Aout_Kludge_Flat_Image_And_Zeroes_Its_Bss()
    {
        byte[] file = TestImages.Aout(loadAddr: 0x100000, fileSize: 0x80, bssEndAddr: 0x102000);
        using var ram = RamFilledWith(8, 0xAA);
        LoadedImage img = MultibootLoader.Load(ram, file);

        Assert.Equal("a.out kludge", img.Kind);
        Assert.Equal(0x00100020u, img.Entry);
        Assert.Equal(0x00100000u, img.ImageLow);
        Assert.Equal(0x00102000u, img.ImageHigh);
        Assert.Empty(img.Symbols);
        Assert.Equal(new[] { new LoadSegment(0, 0x100000, 0x80, 0x2000) }, img.Segments);
        Assert.Equal(0x1BADB002u, ram.Read32(0x100000));
        Assert.Equal(0x00100000u, ram.Read32(0x10000C)); // header_addr
        Assert.Equal(0xF4F4F4F4u, ram.Read32(0x10007C));
        Assert.Equal(0u, ram.Read32(0x100080));           // bss
        Assert.Equal(0u, ram.Read32(0x101FFC));
        Assert.Equal(0xAAAAAAAAu, ram.Read32(0x102000));
    }

    [Fact]
    public void Aout_Load_Starts_At_Header_Offset_Minus_Header_Distance()
    {
        // Header at file offset 0x40, 0x20 bytes after load_addr: file bytes [0, 0x20) are not loaded.
        byte[] file = TestImages.Aout(loadAddr: 0x200000, headerOffset: 0x40, fileSize: 0x100,
            headerAddr: 0x200020, loadEndAddr: 0x200080, entryAddr: 0x200040);
        file[0x1F] = 0x22;
        file[0x20] = 0x11;
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, file);

        Assert.Equal(new[] { new LoadSegment(0x20, 0x200000, 0x80, 0x80) }, img.Segments);
        Assert.Equal((byte)0x11, ram.Read8(0x200000));
        Assert.Equal((byte)0x00, ram.Read8(0x1FFFFF));
        Assert.Equal(0x1BADB002u, ram.Read32(0x200020));
        Assert.Equal((byte)0xF4, ram.Read8(0x20007F));
        Assert.Equal((byte)0x00, ram.Read8(0x200080)); // load_end_addr: the rest of the file is not loaded
        Assert.Equal(0x00200080u, img.ImageHigh);
        Assert.Equal(0x00200040u, img.Entry);
    }

    [Fact]
    public void Garbage_Is_Not_A_Multiboot_Image()
    {
        byte[] file = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("garbage!", 1024)));
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.Equal(
            "not a Multiboot image: no Multiboot header (magic 0x1BADB002 with a valid checksum, 4-byte aligned) in the first 8192 bytes",
            e.Message);
    }

    [Fact]
    public void Empty_File_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, Array.Empty<byte>()));
        Assert.Equal("the image file is empty", e.Message);
    }

    [Fact]
    public void Header_Beyond_8KiB_Is_Not_Found()
    {
        byte[] file = new byte[0x3000];
        TestImages.Aout(fileSize: 0x40).CopyTo(file, 0x2000);
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.StartsWith("not a Multiboot image: no Multiboot header", e.Message);
    }

    [Fact]
    public void Image_Larger_Than_Ram_Is_Rejected_Without_Touching_Ram()
    {
        byte[] file = TestImages.Elf(memSize: 0x1000000); // 1 MiB + 16 MiB
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.Equal(
            "image needs 17 MiB of RAM but the guest has 8 MiB (segment [0x00100000, 0x01100000) ends beyond guest RAM; give the guest more memory)",
            e.Message);
        Assert.Equal(0u, ram.Read32(0x100000));
        Assert.Equal(0u, ram.Read32(0x9000));
    }

    [Fact]
    public void Aout_Image_Larger_Than_Ram_Is_Rejected()
    {
        byte[] file = TestImages.Aout(loadAddr: 0x100000, bssEndAddr: 0x900000);
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.StartsWith("image needs 9 MiB of RAM but the guest has 8 MiB", e.Message);
    }

    [Fact]
    public void Truncated_Elf_Segment_Is_Reported()
    {
        byte[] file = TestImages.Elf().AsSpan(0, 0x120).ToArray();
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.Equal(
            "file is truncated: the ELF segment 0 (PT_LOAD) occupies file bytes [0x100, 0x140) but the file has only 288 (0x120) bytes",
            e.Message);
    }

    [Fact]
    public void Truncated_Elf_Section_Headers_Are_Reported()
    {
        byte[] file = TestImages.Elf().AsSpan(0, 0x240).ToArray();
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.Equal(
            "file is truncated: the ELF section header table occupies file bytes [0x200, 0x278) but the file has only 576 (0x240) bytes",
            e.Message);
    }

    [Fact]
    public void Truncated_Aout_Image_Is_Reported()
    {
        byte[] file = TestImages.Aout(loadAddr: 0x100000, fileSize: 0x80, loadEndAddr: 0x100100);
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.Equal(
            "file is truncated: the a.out kludge header loads 0x100 bytes from file offset 0x0 (load_addr 0x00100000 to load_end_addr 0x00100100) but the file has only 128 (0x80) bytes",
            e.Message);
    }

    [Fact]
    public void Bad_Checksum_Is_Reported()
    {
        byte[] file = TestImages.Elf(checksum: 0x12345678);
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
        Assert.Equal(
            "bad Multiboot header checksum at file offset 0x100: magic + flags + checksum = 0x2DE2067D, must be 0",
            e.Message);
    }

    [Fact]
    public void Elf64_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Elf(elfClass: 2)));
        Assert.Equal(
            "ELF is 64-bit (ELFCLASS64); a Multiboot v1 guest must be a 32-bit (ELFCLASS32) i386 executable — link with -m elf_i386 / -m32",
            e.Message);
    }

    [Fact]
    public void Non_I386_Elf_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Elf(machine: 62)));
        Assert.Equal("ELF is not for i386: e_machine = 62 (EM_X86_64), expected 3 (EM_386)", e.Message);
    }

    [Fact]
    public void Non_Executable_Elf_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Elf(type: 3)));
        Assert.Equal(
            "ELF is not an executable: e_type = 3 (ET_DYN, a shared object or PIE), expected 2 (ET_EXEC) — link a static, non-PIE kernel",
            e.Message);
    }

    [Fact]
    public void Big_Endian_Elf_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Elf(elfData: 2)));
        Assert.Equal("ELF is not little-endian: EI_DATA = 2, expected 1 (ELFDATA2LSB)", e.Message);
    }

    [Fact]
    public void Unknown_Required_Flag_Bits_Are_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() =>
            MultibootLoader.Load(ram, TestImages.Elf(multibootFlags: 0x00000009)));
        Assert.Equal(
            "Multiboot header flags 0x00000009 set requirement bit(s) 0x0008 that this loader does not support; " +
            "the Multiboot spec (§3.1.2) requires refusing such an image",
            e.Message);
    }

    [Fact]
    public void Video_Mode_Request_Is_Noted_And_Ignored()
    {
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf(multibootFlags: 0x00000007));
        Assert.Equal(0x0010000Cu, img.Entry);
        Assert.Single(img.Notes);
        Assert.StartsWith("the image requests a video mode (flags bit 2", img.Notes[0]);
    }

    [Fact]
    public void Unknown_Optional_Flag_Bits_Are_Accepted()
    {
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf(multibootFlags: 0x80000003));
        Assert.Equal(0x80000003u, img.Header.Flags);
    }

    [Fact]
    public void Elf_Entry_Outside_Every_Segment_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Elf(entryOffset: 0x2000)));
        Assert.Equal("ELF entry point e_entry = 0x00102000 is not inside any PT_LOAD segment", e.Message);
    }

    [Fact]
    public void Aout_Entry_Outside_The_Image_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() =>
            MultibootLoader.Load(ram, TestImages.Aout(fileSize: 0x80, entryAddr: 0x100080)));
        Assert.Equal(
            "a.out kludge: entry_addr 0x00100080 lies outside the loaded image [0x00100000, 0x00100080)",
            e.Message);
    }

    [Fact]
    public void Aout_Load_Addr_Above_Header_Addr_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() =>
            MultibootLoader.Load(ram, TestImages.Aout(loadAddr: 0x100000, headerAddr: 0x0FFFF0)));
        Assert.Equal(
            "a.out kludge: load_addr 0x00100000 is above header_addr 0x000FFFF0; the header must lie inside the loaded text",
            e.Message);
    }

    [Fact]
    public void Flat_Binary_Without_Address_Fields_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Aout(flags: 0x00000003)));
        Assert.Equal(
            "the Multiboot header at file offset 0x0 has flags 0x00000003 without bit 16 (address fields), so the file must be an ELF executable, " +
            "but it is not ELF — set bit 16 and the address fields for a flat binary",
            e.Message);
    }

    [Fact]
    public void Every_Error_Message_Is_One_Line()
    {
        var bad = new List<byte[]>
        {
            new byte[100],
            TestImages.Elf(checksum: 1),
            TestImages.Elf(elfClass: 2),
            TestImages.Elf().AsSpan(0, 0x120).ToArray(),
            TestImages.Elf(memSize: 0x1000000),
            TestImages.Aout(loadEndAddr: 0x200000),
        };
        using var ram = new GuestRam(8);
        foreach (byte[] file in bad)
        {
            var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, file));
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
        }
    }

    [Fact]
    public void Missing_File_Gives_A_Clear_Error()
    {
        using var ram = new GuestRam(8);
        string path = Path.Combine(Path.GetTempPath(), $"transmeta-missing-{Guid.NewGuid():N}.elf");
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.LoadFile(ram, path));
        Assert.StartsWith($"cannot read the guest image '{path}': ", e.Message);
    }

    [Fact]
    public void LoadFile_Reads_The_Image()
    {
        string path = Path.Combine(Path.GetTempPath(), $"transmeta-test-{Guid.NewGuid():N}.elf");
        File.WriteAllBytes(path, TestImages.Elf());
        try
        {
            using var ram = new GuestRam(8);
            LoadedImage img = MultibootLoader.LoadFile(ram, path, "x");
            Assert.Equal(0x0010000Cu, img.Entry);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
