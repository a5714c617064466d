namespace Transmeta.Vmm.Io;

/// <summary>
/// The x86 I/O port address space (64 Ki byte-addressed ports) and the devices that claim parts of it.
/// </summary>
/// <remarks>
/// <para>
/// Lookup is one array load: a 65536-entry table maps each port to its registration (or null), so
/// port I/O hypercalls from translated code cost no search. Ports nobody claims behave like a PC's
/// floating ISA bus: reads return all ones (0xFF, 0xFFFF, 0xFFFFFFFF) and writes are dropped. Linux
/// and BIOS-style probes depend on exactly that (a missing UART reads LSR = 0xFF, for instance).
/// </para>
/// <para>
/// A multi-byte access whose bytes all belong to one registration is passed to the device whole;
/// one that straddles registrations (or unclaimed ports) is split into byte accesses at increasing
/// port numbers, assembled little-endian — what the ISA bus does for a 16-bit cycle to an 8-bit
/// device. Bytes past port 0xFFFF are unclaimed.
/// </para>
/// <para>Not thread-safe: register devices before the guest runs; accesses come from the guest thread.</para>
/// </remarks>
public sealed class IoPortBus
{
    public const int PortCount = 65536;

    private readonly IoPortRegistration?[] _map = new IoPortRegistration?[PortCount];
    private readonly List<IoPortRegistration> _registrations = new();

    /// <summary>All claimed ranges, in registration order.</summary>
    public IReadOnlyList<IoPortRegistration> Registrations => _registrations;

    /// <summary>Reads from ports nobody claims (counted per byte access piece).</summary>
    public long UnclaimedReads { get; private set; }

    /// <summary>Writes to ports nobody claims (counted per byte access piece).</summary>
    public long UnclaimedWrites { get; private set; }

    /// <summary>
    /// Claims ports [first, first + count) for <paramref name="device"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 1 or the range passes port 0xFFFF.</exception>
    /// <exception cref="InvalidOperationException">a port in the range is already claimed.</exception>
    public IoPortRegistration Register(ushort first, int count, IIoPortDevice device, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (count < 1 || first + count > PortCount)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"port range 0x{first:X4}+{count} must hold at least one port and end at or before 0xFFFF");
        for (int p = first; p < first + count; p++)
        {
            if (_map[p] is { } other)
                throw new InvalidOperationException(
                    $"port 0x{p:X4} is already claimed by {other.Name} [0x{other.First:X4}-0x{other.Last:X4}]");
        }

        var reg = new IoPortRegistration(first, count, device, name ?? device.GetType().Name);
        for (int p = first; p < first + count; p++)
            _map[p] = reg;
        _registrations.Add(reg);
        return reg;
    }

    /// <summary>The registration that owns <paramref name="port"/>, or null.</summary>
    public IoPortRegistration? Lookup(ushort port) => _map[port];

    /// <summary>Executes an IN of <paramref name="size"/> (1, 2 or 4) bytes.</summary>
    public uint In(ushort port, int size)
    {
        uint mask = SizeMask(size);
        IoPortRegistration? reg = _map[port];
        if (reg != null && port + size - 1 <= reg.Last)
        {
            reg.Reads++;
            return reg.Device.Read(port, size) & mask;
        }
        if (reg == null && size == 1)
        {
            UnclaimedReads++;
            return 0xFF;
        }

        // Straddles devices (or unclaimed space): byte by byte, little-endian.
        uint value = 0;
        for (int i = 0; i < size; i++)
            value |= ReadByte(port + i) << (8 * i);
        return value;
    }

    /// <summary>Executes an OUT of <paramref name="size"/> (1, 2 or 4) bytes.</summary>
    public void Out(ushort port, int size, uint value)
    {
        uint mask = SizeMask(size);
        IoPortRegistration? reg = _map[port];
        if (reg != null && port + size - 1 <= reg.Last)
        {
            reg.Writes++;
            reg.Device.Write(port, size, value & mask);
            return;
        }
        if (reg == null && size == 1)
        {
            UnclaimedWrites++;
            return;
        }

        for (int i = 0; i < size; i++)
            WriteByte(port + i, (byte)(value >> (8 * i)));
    }

    private uint ReadByte(int port)
    {
        IoPortRegistration? reg = port < PortCount ? _map[port] : null;
        if (reg == null)
        {
            UnclaimedReads++;
            return 0xFF;
        }
        reg.Reads++;
        return reg.Device.Read((ushort)port, 1) & 0xFF;
    }

    private void WriteByte(int port, byte value)
    {
        IoPortRegistration? reg = port < PortCount ? _map[port] : null;
        if (reg == null)
        {
            UnclaimedWrites++;
            return;
        }
        reg.Writes++;
        reg.Device.Write((ushort)port, 1, value);
    }

    private static uint SizeMask(int size) => size switch
    {
        1 => 0xFFu,
        2 => 0xFFFFu,
        4 => 0xFFFF_FFFFu,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "I/O access size must be 1, 2 or 4 bytes"),
    };
}
