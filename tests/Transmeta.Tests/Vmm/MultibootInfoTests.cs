using System.Text;
using Transmeta.Vmm.Loaders;
using Transmeta.Vmm.Memory;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class MultibootInfoTests
{
    private static string ReadCString(GuestRam ram, uint address)
    {
        var bytes = new List<byte>();
        for (uint a = address; ; a++)
        {
            byte b = ram.Read8(a);
            if (b == 0)
                return Encoding.UTF8.GetString(bytes.ToArray());
            bytes.Add(b);
        }
    }

    [Fact]
    public void Info_Structure_Fields_For_A_32MiB_Guest()
    {
        using var ram = new GuestRam(32);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf(), "console=ttyS0 debug");
        const uint info = 0x9000;
        Assert.Equal(info, img.MultibootInfoAddress);

        Assert.Equal(0x0000024Du, ram.Read32(info + 0));   // flags: bits 0, 2, 3, 6, 9
        Assert.Equal(639u, ram.Read32(info + 4));          // mem_lower (KiB)
        Assert.Equal(31744u, ram.Read32(info + 8));        // mem_upper = (32 MiB − 1 MiB) / 1024
        Assert.Equal(0u, ram.Read32(info + 12));           // boot_device: not provided
        Assert.Equal(0x000090ECu, ram.Read32(info + 16));  // cmdline
        Assert.Equal(0u, ram.Read32(info + 20));           // mods_count
        Assert.Equal(0x00009100u, ram.Read32(info + 24));  // mods_addr: end of the structure, empty list
        Assert.Equal(96u, ram.Read32(info + 44));          // mmap_length: 4 entries × 24
        Assert.Equal(0x00009080u, ram.Read32(info + 48));  // mmap_addr
        Assert.Equal(0x000090E0u, ram.Read32(info + 64));  // boot_loader_name
        Assert.Equal(0u, ram.Read32(info + 68));           // apm_table: not provided

        Assert.Equal("console=ttyS0 debug", ReadCString(ram, 0x90EC));
        Assert.Equal("Transmeta", ReadCString(ram, 0x90E0));

        Assert.Equal(new MultibootInfoLayout(0x9000, 0x24D, 0x9080, 96, 0x90E0, 0x90EC, 0x9100), img.Info);
    }

    [Fact]
    public void Memory_Map_Entries_Have_Size_20_And_Describe_A_PC()
    {
        using var ram = new GuestRam(32);
        MultibootLoader.Load(ram, TestImages.Elf());
        uint mmap = ram.Read32(0x9000 + 48);
        uint length = ram.Read32(0x9000 + 44);
        Assert.Equal(0x9080u, mmap);

        // Walk the map as the spec says a kernel should: next = entry + size + 4.
        var entries = new List<(uint Size, ulong Base, ulong Length, uint Type)>();
        for (uint at = mmap; at < mmap + length; at += ram.Read32(at) + 4)
        {
            ulong b = ram.Read32(at + 4) | ((ulong)ram.Read32(at + 8) << 32);
            ulong l = ram.Read32(at + 12) | ((ulong)ram.Read32(at + 16) << 32);
            entries.Add((ram.Read32(at), b, l, ram.Read32(at + 20)));
        }
        Assert.Equal(new (uint, ulong, ulong, uint)[]
        {
            (20, 0x00000000, 0x0009FC00, 1),
            (20, 0x0009FC00, 0x00000400, 2),
            (20, 0x000F0000, 0x00010000, 2),
            (20, 0x00100000, 0x01F00000, 1),
        }, entries);
    }

    [Fact]
    public void Empty_Command_Line_Is_An_Empty_String()
    {
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, TestImages.Elf());
        uint cmdline = ram.Read32(0x9000 + 16);
        Assert.Equal(0x90ECu, cmdline);
        Assert.Equal((byte)0, ram.Read8(cmdline));
        Assert.Equal(7168u, ram.Read32(0x9000 + 8)); // (8 MiB − 1 MiB) / 1024
        Assert.Equal(0x90F0u, img.Info.End);
    }

    [Fact]
    public void Info_Structure_Moves_When_The_Image_Covers_0x9000()
    {
        byte[] file = TestImages.Aout(loadAddr: 0x8000, fileSize: 0x80, bssEndAddr: 0xB000);
        using var ram = new GuestRam(8);
        LoadedImage img = MultibootLoader.Load(ram, file, "x");
        Assert.Equal(0x1000u, img.MultibootInfoAddress);
        Assert.Equal(0x0000024Du, ram.Read32(0x1000));
        Assert.Equal(0x1080u, ram.Read32(0x1000 + 48));
        Assert.Equal(0u, ram.Read32(0x9000)); // inside the image's bss: left zero
    }

    [Fact]
    public void Nul_In_The_Command_Line_Is_Rejected()
    {
        using var ram = new GuestRam(8);
        var e = Assert.Throws<ImageLoadException>(() => MultibootLoader.Load(ram, TestImages.Elf(), "a\0b"));
        Assert.Equal("the command line contains a NUL character, which would end the C string early", e.Message);
    }

    [Fact]
    public void Memory_Map_Helpers()
    {
        Assert.Equal(130048u, MultibootInfo.MemUpperKiB(128u * 1024 * 1024));
        Assert.Equal(0u, MultibootInfo.MemUpperKiB(1024 * 1024));
        Assert.Equal(new[]
        {
            new MemoryMapEntry(0, 0x9FC00, 1),
            new MemoryMapEntry(0x9FC00, 0x400, 2),
            new MemoryMapEntry(0xF0000, 0x10000, 2),
        }, MultibootInfo.BuildMemoryMap(1024 * 1024));
        Assert.Equal(0x80u + 96 + 12 + 4, MultibootInfo.RequiredSize(8u * 1024 * 1024, "abc", "Transmeta"));
    }
}
