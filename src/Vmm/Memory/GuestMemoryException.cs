namespace Transmeta.Vmm.Memory;

/// <summary>
/// Thrown when the VMM itself (a loader, a device model, a hypercall handler) touches guest physical
/// memory outside the RAM block. It is a host-side error, never a guest fault: translated code must
/// not reach this path, because managed exceptions may not cross generated code (see design.md,
/// "No managed exceptions across generated code"). Code running on behalf of the guest uses the
/// <c>Try*</c> methods of <see cref="GuestRam"/> and turns a <c>false</c> into a guest-visible
/// condition (e.g. reads of unbacked memory as all ones, like an open PC bus).
/// </summary>
public sealed class GuestMemoryException : Exception
{
    public GuestMemoryException(string message) : base(message) { }

    /// <summary>Physical address of the rejected access.</summary>
    public uint Address { get; init; }

    /// <summary>Length in bytes of the rejected access.</summary>
    public ulong Length { get; init; }

    internal static GuestMemoryException OutOfRange(uint phys, ulong length, uint ramSize) =>
        new($"guest physical access [0x{phys:X8}, 0x{(ulong)phys + length:X8}) of {length} byte(s) " +
            $"lies outside guest RAM [0, 0x{ramSize:X8}) ({ramSize / (1024 * 1024)} MiB)")
        {
            Address = phys,
            Length = length,
        };
}
