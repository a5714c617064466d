using System.Text;
using Transmeta.Vmm.Loaders;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class ImageFormatTests
{
    [Fact]
    public void Detects_Elf32_Multiboot()
    {
        ImageFormatInfo info = ImageFormat.Detect(TestImages.Elf());
        Assert.Equal(ImageKind.MultibootElf32, info.Kind);
        Assert.Equal("ELF32 Multiboot", info.Description);
        Assert.Null(info.Reason);
        Assert.True(info.IsMultiboot);
        Assert.Equal(0x0010000Cu, info.Image!.Entry);
        Assert.Equal(0x00101000UL, info.Image.ImageEnd);
    }

    [Fact]
    public void Detects_Aout_Kludge()
    {
        ImageFormatInfo info = ImageFormat.Detect(TestImages.Aout());
        Assert.Equal(ImageKind.MultibootAoutKludge, info.Kind);
        Assert.Equal("Multiboot (a.out kludge)", info.Description);
        Assert.Equal("Multiboot (a.out kludge)", info.ToString());
    }

    [Fact]
    public void Garbage_Is_Not_Loadable_With_A_Reason()
    {
        ImageFormatInfo info = ImageFormat.Detect(Encoding.ASCII.GetBytes("just some text, not a kernel"));
        Assert.Equal(ImageKind.NotLoadable, info.Kind);
        Assert.False(info.IsMultiboot);
        Assert.Equal(
            "not a Multiboot image: no Multiboot header (magic 0x1BADB002 with a valid checksum, 4-byte aligned) in the first 8192 bytes",
            info.Reason);
    }

    [Fact]
    public void Elf_Without_Multiboot_Header_Says_What_It_Is()
    {
        byte[] file = TestImages.Elf(elfClass: 2, machine: 62);
        file[TestImages.ElfSegmentOffset] = 0; // destroy the Multiboot magic
        ImageFormatInfo info = ImageFormat.Detect(file);
        Assert.Equal(ImageKind.NotLoadable, info.Kind);
        Assert.Equal(
            "not a Multiboot image: no Multiboot header (magic 0x1BADB002 with a valid checksum, 4-byte aligned) in the first 8192 bytes; " +
            "the file is an ELF64 EM_X86_64 file without a Multiboot header",
            info.Reason);
    }

    [Fact]
    public void Gzip_Gets_A_Hint()
    {
        ImageFormatInfo info = ImageFormat.Detect(new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        Assert.EndsWith("; the file is gzip-compressed: decompress it first", info.Reason);
    }

    [Fact]
    public void Detects_Linux_BzImage()
    {
        byte[] file = new byte[0x1000];
        file[0x1FE] = 0x55;
        file[0x1FF] = 0xAA;
        Encoding.ASCII.GetBytes("HdrS").CopyTo(file, 0x202);
        TestImages.W16(file, 0x206, 0x020F);
        ImageFormatInfo info = ImageFormat.Detect(file);
        Assert.Equal(ImageKind.LinuxBzImage, info.Kind);
        Assert.Equal("Linux bzImage (boot protocol 2.15)", info.Description);
        Assert.Null(info.Image);
    }

    [Fact]
    public void Invalid_Multiboot_Image_Reports_The_Loader_Error()
    {
        ImageFormatInfo info = ImageFormat.Detect(TestImages.Elf(machine: 62));
        Assert.Equal(ImageKind.NotLoadable, info.Kind);
        Assert.Equal("ELF is not for i386: e_machine = 62 (EM_X86_64), expected 3 (EM_386)", info.Reason);
        Assert.Equal("not loadable: ELF is not for i386: e_machine = 62 (EM_X86_64), expected 3 (EM_386)", info.ToString());
    }
}
