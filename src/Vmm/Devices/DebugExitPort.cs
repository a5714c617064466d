using Transmeta.Vmm.Io;

namespace Transmeta.Vmm.Devices;

/// <summary>
/// QEMU's <c>isa-debug-exit</c> device as configured for our guests
/// (<c>-device isa-debug-exit,iobase=0xf4,iosize=4</c>): a write of V to any of its ports ends the
/// run with process exit status <c>(V &lt;&lt; 1) | 1</c>.
/// </summary>
/// <remarks>
/// <para>
/// Why <c>(V &lt;&lt; 1) | 1</c>: QEMU's hw/misc/debugexit.c calls <c>exit((val &lt;&lt; 1) | 1)</c>, so
/// the status is always odd and a guest cannot fake QEMU's own success status 0; test harnesses
/// decode it back. We keep the same numbers so one image gives the same status on QEMU and here
/// (design.md, "Conventions shared with QEMU").
/// </para>
/// <para>
/// V is the value of the access as written, whatever its size: a 1-byte OUT of 0x7F gives V = 0x7F,
/// a 4-byte OUT gives the whole doubleword (QEMU passes the access value through unchanged). The
/// device only records the request; the execution loop checks <see cref="ExitRequested"/> after the
/// OUT completes and stops the guest. Reads return all ones, as an unclaimed port would.
/// </para>
/// </remarks>
public sealed class DebugExitPort : IIoPortDevice
{
    public const ushort DefaultPort = 0xF4;
    public const int DefaultSize = 4;

    public DebugExitPort(ushort port = DefaultPort, int size = DefaultSize)
    {
        if (size < 1 || port + size > IoPortBus.PortCount)
            throw new ArgumentOutOfRangeException(nameof(size), size, "the exit port range must be inside the I/O space");
        Port = port;
        Size = size;
    }

    public ushort Port { get; }

    /// <summary>Number of ports claimed (QEMU's iosize).</summary>
    public int Size { get; }

    /// <summary>Set by the first write; the run should end.</summary>
    public bool ExitRequested { get; private set; }

    /// <summary>The value the guest wrote (V).</summary>
    public uint ExitValue { get; private set; }

    /// <summary>(V &lt;&lt; 1) | 1, computed in 32 bits like QEMU's int argument to exit().</summary>
    public int ExitCode { get; private set; }

    /// <summary>The status a parent process observes: the low 8 bits of <see cref="ExitCode"/> (POSIX exit).</summary>
    public int ProcessExitStatus => ExitCode & 0xFF;

    public IoPortRegistration AttachTo(IoPortBus bus) =>
        bus.Register(Port, Size, this, $"debug exit @0x{Port:X2}");

    /// <summary>The status QEMU would exit with for a written value.</summary>
    public static int ComputeExitCode(uint value) => (int)((value << 1) | 1);

    public uint Read(ushort port, int size) => size switch
    {
        1 => 0xFFu,
        2 => 0xFFFFu,
        _ => 0xFFFF_FFFFu,
    };

    public void Write(ushort port, int size, uint value)
    {
        // QEMU exits inside the first write, so a later write cannot change the status.
        if (ExitRequested)
            return;
        ExitValue = value;
        ExitCode = ComputeExitCode(value);
        ExitRequested = true;
    }

    /// <summary>Forgets a recorded request (for a VM that is reset and run again).</summary>
    public void Clear()
    {
        ExitRequested = false;
        ExitValue = 0;
        ExitCode = 0;
    }
}
