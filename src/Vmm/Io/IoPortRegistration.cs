namespace Transmeta.Vmm.Io;

/// <summary>
/// One claimed port range on the <see cref="IoPortBus"/>, with access counters (how many IN and OUT
/// instructions reached the device — a profiler's first question about an I/O-bound guest).
/// </summary>
public sealed class IoPortRegistration
{
    internal IoPortRegistration(ushort first, int count, IIoPortDevice device, string name)
    {
        First = first;
        Count = count;
        Device = device;
        Name = name;
    }

    /// <summary>First port of the range.</summary>
    public ushort First { get; }

    /// <summary>Number of consecutive ports claimed.</summary>
    public int Count { get; }

    /// <summary>Last port of the range (inclusive).</summary>
    public ushort Last => (ushort)(First + Count - 1);

    public IIoPortDevice Device { get; }

    /// <summary>A name for reports (defaults to the device's type name).</summary>
    public string Name { get; }

    /// <summary>Number of reads (IN) dispatched to this range; a split access counts once per piece.</summary>
    public long Reads { get; internal set; }

    /// <summary>Number of writes (OUT) dispatched to this range; a split access counts once per piece.</summary>
    public long Writes { get; internal set; }

    public override string ToString() =>
        $"{Name} [0x{First:X4}-0x{Last:X4}] reads={Reads} writes={Writes}";
}
