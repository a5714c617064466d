namespace Transmeta.Vmm.Profiling;

/// <summary>Everything <c>transmeta run --profile</c> reports: the hot blocks from the dispatcher's
/// exact counters, the VMM exits, and (with the sampler) where the time went.</summary>
public sealed class ProfileReport
{
    public string Image { get; init; } = "";
    public string Backend { get; init; } = "";
    public double WallSeconds { get; init; }
    public ulong GuestInstructions { get; init; }
    public long BlocksTranslated { get; init; }
    public long BlocksInvalidated { get; init; }
    /// <summary>Times the dispatcher entered a block (a block looping inside itself counts once a dispatch).</summary>
    public long Dispatches { get; init; }
    public double TranslateMs { get; init; }
    public double CompileMs { get; init; }
    public string SymbolSource { get; init; } = "";
    /// <summary>Every block translated during the run (invalidated ones included), hottest first.</summary>
    public List<BlockProfile> Blocks { get; init; } = new();
    /// <summary>Why control came back to the VMM: block-chain returns, hypercalls, faults, SMC.</summary>
    public List<NamedCount> Exits { get; init; } = new();
    public List<NamedCount> Hypercalls { get; init; } = new();
    public SampleResult? Sampling { get; set; }
}

/// <summary>One translated guest block in a profile.</summary>
public sealed class BlockProfile
{
    public required string Name { get; init; }
    public required uint Address { get; init; }
    public uint PhysicalAddress { get; init; }
    public string? Symbol { get; init; }
    /// <summary>Dispatches of the block.</summary>
    public long Executions { get; init; }
    /// <summary>Guest instructions retired inside the block (exact: in-block loop iterations included).</summary>
    public long GuestInstructions { get; init; }
    /// <summary>Instructions in the block's straight-line body.</summary>
    public int BlockInstructions { get; init; }
    public int GuestBytes { get; init; }
    /// <summary>Guest blocks joined into this compiled unit (a region), 1 for a plain block.</summary>
    public int RegionBlocks { get; init; } = 1;
    /// <summary>The guest code the unit covers (several ranges for a region).</summary>
    public List<GuestRange> GuestRanges { get; init; } = new();
    /// <summary>Guest instructions per dispatch: far above the body length when the unit loops inside itself.</summary>
    public double InstructionsPerExecution => Executions == 0 ? 0 : (double)GuestInstructions / Executions;
    public bool Covers(uint address) => GuestRanges.Count == 0
        ? address - Address < (uint)Math.Max(GuestBytes, 1)
        : GuestRanges.Any(r => address - r.Start < (uint)r.Length);
    /// <summary>Share of all guest instructions (0..1).</summary>
    public double InstructionShare { get; set; }
    /// <summary>Share of sampled time (0..1), when sampled.</summary>
    public double? TimeShare { get; set; }
    public long Samples { get; set; }
    public string Tier { get; init; } = "";
    public double CompileMs { get; init; }
    public int NativeBytes { get; set; }
    public bool Invalidated { get; init; }
}

public sealed record NamedCount(string Name, long Count);

public sealed record GuestRange(uint Start, int Length);

/// <summary>What the out-of-process sampler found: samples by VMM component and by guest block,
/// and the folded stacks (outermost frame first, frames separated by ';').</summary>
public sealed class SampleResult
{
    public int Samples { get; set; }
    /// <summary>Samples that could not be taken (thread not stopped, stack walk failed).</summary>
    public int Failed { get; set; }
    public double IntervalMs { get; set; }
    /// <summary>Mean time the VM thread was stopped per sample (ms).</summary>
    public double MeanPauseMs { get; set; }
    public double MeanWalkMs { get; set; }
    public double DurationSeconds { get; set; }
    public Dictionary<string, long> Components { get; set; } = new();
    /// <summary>Samples by guest block start address (hex, "00101234").</summary>
    public Dictionary<string, long> Blocks { get; set; } = new();
    public Dictionary<string, long> Stacks { get; set; } = new();
    public string? Error { get; set; }
}
