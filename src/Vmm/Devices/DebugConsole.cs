using Transmeta.Vmm.Io;

namespace Transmeta.Vmm.Devices;

/// <summary>
/// The Bochs/QEMU debug console on port 0xE9: every byte written appears on the console, with no
/// UART to program. Reading the port returns 0xE9, the value Bochs (and QEMU's isa-debugcon with its
/// default readback) return, so a guest can detect the port's presence.
/// </summary>
/// <remarks>
/// It writes into the same <see cref="OutputSink"/> as the UART when built on the same stream, so
/// output from the two keeps the guest's order. Only the low byte of a write is used; the port is one
/// byte wide, so the bus splits wider accesses and the extra bytes go to the (unclaimed) next port.
/// </remarks>
public sealed class DebugConsole : IIoPortDevice
{
    public const ushort DefaultPort = 0xE9;

    /// <summary>Value read back from the port (Bochs convention).</summary>
    public const byte ReadbackValue = 0xE9;

    private readonly OutputSink _output;

    public DebugConsole(Stream output, ushort port = DefaultPort) : this(OutputSink.For(output), port) { }

    public DebugConsole(OutputSink output, ushort port = DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Port = port;
    }

    public ushort Port { get; }

    public OutputSink Output => _output;

    /// <summary>Bytes written by the guest.</summary>
    public long BytesWritten { get; private set; }

    public IoPortRegistration AttachTo(IoPortBus bus) => bus.Register(Port, 1, this, $"debug console @0x{Port:X2}");

    public uint Read(ushort port, int size) => ReadbackValue;

    public void Write(ushort port, int size, uint value)
    {
        _output.Write((byte)value);
        BytesWritten++;
    }

    public void Flush() => _output.Flush();
}
