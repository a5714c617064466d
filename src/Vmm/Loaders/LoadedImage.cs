namespace Transmeta.Vmm.Loaders;

/// <summary>
/// The result of loading a Multiboot v1 kernel into guest RAM: everything the CPU setup needs.
/// </summary>
/// <remarks>
/// The loader only fills memory. Whoever starts the CPU (the execution engine) must establish the
/// machine state of Multiboot 0.6.96 §3.2 "Machine state" from this result:
/// <list type="bullet">
/// <item>EAX = <see cref="BootMagic"/> (0x2BADB002); EBX = <see cref="MultibootInfoAddress"/>;</item>
/// <item>CS = a 32-bit read/execute code segment, base 0, limit 0xFFFFFFFF; DS, ES, FS, GS, SS = 32-bit
/// read/write data segments, base 0, limit 0xFFFFFFFF (selector values are undefined by the spec);</item>
/// <item>CR0: PE = 1, PG = 0; EFLAGS: VM = 0, IF = 0; A20 enabled;</item>
/// <item>EIP = <see cref="Entry"/>; ESP, GDTR and IDTR are undefined — the OS sets its own.</item>
/// </list>
/// </remarks>
public sealed class LoadedImage
{
    /// <summary>Value the OS expects in EAX (Multiboot 0.6.96 §3.2).</summary>
    public const uint BootMagic = 0x2BADB002;

    /// <summary>Physical address to start executing at (EIP).</summary>
    public required uint Entry { get; init; }

    /// <summary>Physical address of the Multiboot information structure (EBX).</summary>
    public required uint MultibootInfoAddress { get; init; }

    /// <summary>Lowest physical address the image occupies.</summary>
    public required uint ImageLow { get; init; }

    /// <summary>One past the highest physical address the image occupies, bss included.</summary>
    public required uint ImageHigh { get; init; }

    /// <summary>"ELF32" or "a.out kludge".</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// Function, object and (assembly) label symbols of an ELF image — virtual addresses, sorted by
    /// address — for profiles; empty for a stripped ELF or an a.out-kludge image.
    /// </summary>
    public required IReadOnlyList<(uint Address, uint Size, string Name)> Symbols { get; init; }

    /// <summary>The segments copied into RAM.</summary>
    public required IReadOnlyList<LoadSegment> Segments { get; init; }

    /// <summary>Where the pieces of the information structure were written.</summary>
    public required MultibootInfoLayout Info { get; init; }

    /// <summary>The Multiboot header found in the image.</summary>
    public required MultibootHeader Header { get; init; }

    /// <summary>Things the user may want to know that did not stop the load (e.g. an ignored video mode request).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>
    /// The symbol whose [Address, Address + Size) contains <paramref name="address"/> (or, for a
    /// symbol of size 0, the nearest one at or below it), for profiles and traces.
    /// </summary>
    public bool TryFindSymbol(uint address, out (uint Address, uint Size, string Name) symbol)
    {
        // Binary search for the last symbol starting at or below the address.
        int lo = 0, hi = Symbols.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Symbols[mid].Address <= address)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        for (int i = found; i >= 0 && Symbols[i].Address == Symbols[found].Address; i--)
        {
            var s = Symbols[i];
            if (s.Size == 0 || address - s.Address < s.Size)
            {
                symbol = s;
                return true;
            }
        }
        symbol = default;
        return false;
    }
}
