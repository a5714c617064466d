namespace Transmeta.Vmm.Io;

/// <summary>
/// A device that claims a range of the x86 I/O port space (IN/OUT/INS/OUTS, Intel SDM Vol. 1 §19).
/// </summary>
/// <remarks>
/// <para><paramref name="port"/> is the absolute port number (not an offset), so one device type can
/// sit at a configurable base. <c>size</c> is 1, 2 or 4 bytes. The bus only hands a device a
/// multi-byte access when every byte of it falls in ports registered to that same device; otherwise it
/// splits the access into byte accesses, as the ISA bus does with a 16-bit cycle to an 8-bit device.
/// A device that only implements byte registers may therefore still see size 2 or 4 when it owns the
/// neighbouring ports, and decides itself how to split.</para>
/// <para>Values are right-aligned: a 1-byte read returns 0..0xFF, and the bus masks whatever a device
/// returns to the access size. Calls come from the thread running the guest.</para>
/// </remarks>
public interface IIoPortDevice
{
    /// <summary>Handles an IN of <paramref name="size"/> bytes from <paramref name="port"/>.</summary>
    uint Read(ushort port, int size);

    /// <summary>Handles an OUT of <paramref name="size"/> bytes of <paramref name="value"/> to <paramref name="port"/>.</summary>
    void Write(ushort port, int size, uint value);
}
