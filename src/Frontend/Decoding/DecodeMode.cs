namespace Transmeta.Frontend.Decoding;

/// <summary>
/// The CPU mode bits that change how guest code is decoded or lifted; part of the translation
/// cache key, so a block translated under one mode is never run under another.
/// </summary>
public readonly record struct DecodeMode(int Bitness, bool FlatSegments, int Cpl, int StackSize)
{
    /// <summary>32-bit protected mode with base-0 code/data/stack segments, as a Multiboot loader
    /// leaves the machine.</summary>
    public static readonly DecodeMode Flat32 = new(32, true, 0, 4);

    /// <summary>Lift without assumptions about run-time state (the x87 TOP and control word):
    /// where a specialized translation left with <c>BlockExit.Slow</c>.</summary>
    public bool Unspecialized { get; init; }

    /// <summary>A compact key for the translation cache.</summary>
    public uint Key => (uint)(Bitness == 32 ? 1 : 0) | (FlatSegments ? 2u : 0) | (uint)Cpl << 2 | (StackSize == 4 ? 16u : 0)
        | (Unspecialized ? 32u : 0);
}
