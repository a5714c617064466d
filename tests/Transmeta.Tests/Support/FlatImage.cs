using Iced.Intel;

namespace Transmeta.Tests.Support;

/// <summary>Builds a Multiboot image with the a.out kludge around code assembled by Iced, so a
/// test can run a few instructions on a whole machine (devices, hypercalls, fault delivery).</summary>
public static class FlatImage
{
    public const uint LoadAddress = 0x100000;
    public const uint CodeAddress = LoadAddress + 32;

    public static byte[] Build(Action<Assembler> program)
    {
        var asm = new Assembler(32);
        program(asm);
        var code = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(code), CodeAddress);
        var image = new byte[32 + code.Length];
        uint[] header =
        [
            0x1BADB002, 0x0001_0000, unchecked(0u - 0x1BADB002 - 0x0001_0000),
            LoadAddress, LoadAddress, 0, 0, CodeAddress,
        ];
        Buffer.BlockCopy(header, 0, image, 0, 32);
        code.ToArray().CopyTo(image, 32);
        return image;
    }
}
