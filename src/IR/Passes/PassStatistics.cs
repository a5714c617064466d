namespace Transmeta.IR.Passes;

/// <summary>
/// What the passes did, summed over the blocks they ran on (for <c>--stats</c>). Pass one
/// instance to <see cref="PassPipeline.Optimize(IrBlock, PassStatistics?, bool)"/> or to a pass's
/// <c>Run(block, stats)</c>. Not thread-safe: use one per thread and <see cref="Add"/> them.
/// </summary>
public sealed class PassStatistics
{
    /// <summary>Blocks given to the pipeline.</summary>
    public long Blocks;
    /// <summary>Instructions before and after the pipeline.</summary>
    public long InstructionsIn, InstructionsOut;
    /// <summary>Pipeline rounds run (each runs every pass once).</summary>
    public long Rounds;

    /// <summary>ConstantFolding: instructions evaluated to a constant.</summary>
    public long ConstantsFolded;
    /// <summary>ConstantFolding: instructions replaced by one of their operands (x+0, x&amp;x, ...)
    /// or rewritten into a cheaper form (and of and).</summary>
    public long IdentitiesSimplified;
    /// <summary>ConstantFolding: conditional branches with a constant condition.</summary>
    public long BranchesFolded;
    /// <summary>ConstantFolding: pure helper calls evaluated at translation time.</summary>
    public long HelpersFolded;

    /// <summary>StateForwarding: state loads replaced by a known value.</summary>
    public long LoadsForwarded;
    /// <summary>StateForwarding: stores of the value the state already holds.</summary>
    public long RedundantStoresRemoved;

    /// <summary>DeadStateStoreElimination: stores overwritten before anything could see them.</summary>
    public long DeadStoresRemoved;

    /// <summary>DeadCodeElimination: unused values removed.</summary>
    public long DeadValuesRemoved;
    /// <summary>DeadCodeElimination: unreachable instructions removed.</summary>
    public long UnreachableRemoved;
    /// <summary>DeadCodeElimination: labels nothing jumps to and jumps to the next instruction.</summary>
    public long ControlRemoved;

    public long InstructionsRemoved => InstructionsIn - InstructionsOut;

    public void Add(PassStatistics other)
    {
        Blocks += other.Blocks;
        InstructionsIn += other.InstructionsIn;
        InstructionsOut += other.InstructionsOut;
        Rounds += other.Rounds;
        ConstantsFolded += other.ConstantsFolded;
        IdentitiesSimplified += other.IdentitiesSimplified;
        BranchesFolded += other.BranchesFolded;
        HelpersFolded += other.HelpersFolded;
        LoadsForwarded += other.LoadsForwarded;
        RedundantStoresRemoved += other.RedundantStoresRemoved;
        DeadStoresRemoved += other.DeadStoresRemoved;
        DeadValuesRemoved += other.DeadValuesRemoved;
        UnreachableRemoved += other.UnreachableRemoved;
        ControlRemoved += other.ControlRemoved;
    }

    public override string ToString() =>
        $"blocks {Blocks}, ops {InstructionsIn} -> {InstructionsOut} (-{InstructionsRemoved}), rounds {Rounds}; " +
        $"folded {ConstantsFolded}, simplified {IdentitiesSimplified}, branches {BranchesFolded}, helpers {HelpersFolded}; " +
        $"loads forwarded {LoadsForwarded}, redundant stores {RedundantStoresRemoved}, dead stores {DeadStoresRemoved}; " +
        $"dead values {DeadValuesRemoved}, unreachable {UnreachableRemoved}, labels/jumps {ControlRemoved}";
}
