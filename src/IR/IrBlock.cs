namespace Transmeta.IR;

/// <summary>
/// A translated guest block in IR: instructions, the type of every temporary, and what the
/// backends need to know about the guest (state layout, helpers). Produced by a frontend,
/// rewritten by passes, consumed by backends.
/// </summary>
public sealed class IrBlock
{
    public IrBlock(uint guestAddress, IrInstruction[] instructions, int count, List<IrType> tempTypes,
        int labelCount, HelperTable helpers, StateLayout layout)
    {
        GuestAddress = guestAddress;
        Instructions = instructions;
        Count = count;
        TempTypes = tempTypes;
        LabelCount = labelCount;
        Helpers = helpers;
        Layout = layout;
    }

    /// <summary>Guest (linear) address of the first instruction.</summary>
    public uint GuestAddress { get; }
    /// <summary>Instructions; only the first <see cref="Count"/> are valid.</summary>
    public IrInstruction[] Instructions { get; set; }
    public int Count { get; set; }
    public List<IrType> TempTypes { get; }
    public int TempCount => TempTypes.Count;
    public int LabelCount { get; set; }
    public HelperTable Helpers { get; }
    public StateLayout Layout { get; }

    /// <summary>Guest instructions in the block (straight-line count; for a region, the sum over
    /// its joined blocks).</summary>
    public int GuestInstructionCount { get; set; }
    /// <summary>Guest code bytes of the block (for a region, of its entry block; all of its code
    /// is in <see cref="GuestRanges"/>).</summary>
    public int GuestByteLength { get; set; }

    /// <summary>Exits that leave for a constant guest address: the index of the Exit instruction
    /// (in the block as the frontend produced it, before any pass) and the address. A region
    /// former uses them to join blocks into one unit.</summary>
    public List<(int ExitIndex, uint Target)> DirectExits { get; } = new();

    /// <summary>Guest code the block was translated from (several ranges for a region).</summary>
    public List<(uint Start, int Length)> GuestRanges { get; } = new();

    /// <summary>How many guest blocks were joined into this unit (1 for a plain block).</summary>
    public int RegionBlocks { get; set; } = 1;

    /// <summary>Name for generated methods and profiles, e.g. <c>blk_00101234</c>.</summary>
    public string Name => $"blk_{GuestAddress:x8}";

    public ReadOnlySpan<IrInstruction> Span => Instructions.AsSpan(0, Count);
}
