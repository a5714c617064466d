using Transmeta.Frontend.Decoding;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Execution;

/// <summary>Feeds guest code bytes to the frontend through the guest's view of memory.
/// Addresses outside RAM read as 0xFF, as on a PC bus (which then decodes as an invalid opcode).</summary>
public sealed unsafe class GuestCodeReader(GuestMemory memory) : IGuestCodeReader
{
    public int Read(uint linear, Span<byte> buffer)
    {
        GuestRam ram = memory.Ram;
        for (int i = 0; i < buffer.Length; i++)
        {
            uint phys = memory.Translate(linear + (uint)i);
            buffer[i] = phys < ram.Size ? ram.Base[phys] : (byte)0xFF;
        }
        return buffer.Length;
    }
}
