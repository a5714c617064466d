namespace Transmeta.IR.Passes;

/// <summary>
/// The optimization pipeline a block goes through between the frontend and a backend. One round
/// runs, in order:
/// <list type="number">
/// <item><see cref="StateForwarding"/>: state loads become the temps stored/loaded earlier, which
/// exposes constants and identical operands to folding;</item>
/// <item><see cref="ConstantFolding"/>: constants, identities, constant branches;</item>
/// <item><see cref="DeadStateStoreElimination"/>: overwritten state stores (dead lazy flags);</item>
/// <item><see cref="DeadCodeElimination"/>: the values those stores computed, unreachable code,
/// unused labels.</item>
/// </list>
/// Rounds repeat while any pass changes the block, at most <see cref="MaxRounds"/> times.
/// With verification on, the block is verified before the first pass and after every pass, and a
/// failure names the pass that broke it.
/// </summary>
public static class PassPipeline
{
    public const int MaxRounds = 3;

    /// <summary>Verify after each pass when the caller does not say: on in DEBUG builds.</summary>
    public static bool VerifyByDefault { get; set; } =
#if DEBUG
        true;
#else
        false;
#endif

    public static void Optimize(IrBlock block) => Optimize(block, null, VerifyByDefault);

    /// <summary>Optimizes <paramref name="block"/> in place; adds what was done to
    /// <paramref name="stats"/> when given; verifies after every pass when <paramref name="verify"/>.</summary>
    public static void Optimize(IrBlock block, PassStatistics? stats, bool verify)
    {
        if (stats != null)
        {
            stats.Blocks++;
            stats.InstructionsIn += block.Count;
        }
        if (verify) Check(block, "input (before any pass)");
        for (int round = 0; round < MaxRounds; round++)
        {
            if (stats != null) stats.Rounds++;
            bool changed = false;
            changed |= StateForwarding.Run(block, stats);
            if (verify) Check(block, nameof(StateForwarding));
            changed |= ConstantFolding.Run(block, stats);
            if (verify) Check(block, nameof(ConstantFolding));
            changed |= DeadStateStoreElimination.Run(block, stats);
            if (verify) Check(block, nameof(DeadStateStoreElimination));
            changed |= DeadCodeElimination.Run(block, stats);
            if (verify) Check(block, nameof(DeadCodeElimination));
            if (!changed) break;
        }
        if (stats != null) stats.InstructionsOut += block.Count;
    }

    private static void Check(IrBlock block, string after)
    {
        try
        {
            IrVerifier.Verify(block);
        }
        catch (IrVerificationException e)
        {
            throw new IrVerificationException($"after {after}: {e.Message}");
        }
    }
}
