namespace Transmeta.IR.Passes;

/// <summary>
/// Removes guest-state stores nobody can observe: a StoreState all of whose bytes are overwritten
/// by later StoreStates before any LoadState of an overlapping byte and before any barrier. This
/// is what drops the lazy-flag fields that the frontend stores for every flag-setting instruction
/// when a later instruction sets them again.
/// <para>Walks backward keeping the set of state bytes that will be overwritten before they can
/// be seen. Barriers (where all of guest state is observable, so the set is emptied): Load and
/// Store (may fault; faults are precise), helpers that may fault or touch state, Label, Jump,
/// BranchIf, Exit. InsnStart is not a barrier, with one exception: the first InsnStart after a
/// guest instruction that wrote guest memory (a Store, or a helper that is not pure) may leave the
/// block there with "code modified" (see the interpreter), so it is a barrier too.</para>
/// </summary>
public static class DeadStateStoreElimination
{
    public static void Run(IrBlock block) => Run(block, null);

    /// <summary>Runs the pass; returns true if the block changed.</summary>
    public static bool Run(IrBlock block, PassStatistics? stats)
    {
        IrInstruction[] code = block.Instructions;
        int n = block.Count;
        HelperTable helpers = block.Helpers;

        long min = long.MaxValue, max = long.MinValue;
        int stores = 0;
        for (int i = 0; i < n; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            if (ins.Op is Opcode.StoreState or Opcode.LoadState or Opcode.ExtRaise or Opcode.ExtSetRoundedUp)
            {
                min = Math.Min(min, ins.Imm);
                max = Math.Max(max, ins.Imm + StateForwarding.Width(ins.Type));
                if (ins.Op == Opcode.StoreState) stores++;
            }
        }
        if (stores < 2) return false;

        bool[] insnStartBarrier = FindExitingInsnStarts(code, n, helpers);

        // covered[b - min] == generation: byte b is overwritten later, before being observable.
        // A barrier starts a new generation, which empties the set in O(1).
        var covered = new int[max - min];
        int generation = 1;
        var remove = new bool[n];
        int removed = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            ref readonly IrInstruction ins = ref code[i];
            switch (ins.Op)
            {
                case Opcode.StoreState:
                {
                    int start = (int)(ins.Imm - min), end = start + StateForwarding.Width(ins.Type);
                    bool dead = true;
                    for (int b = start; b < end; b++)
                    {
                        if (covered[b] != generation) dead = false;
                        covered[b] = generation;
                    }
                    if (dead)
                    {
                        remove[i] = true;
                        removed++;
                    }
                    break;
                }
                case Opcode.LoadState or Opcode.ExtRaise or Opcode.ExtSetRoundedUp: // these two read the field they change
                {
                    int start = (int)(ins.Imm - min), end = start + StateForwarding.Width(ins.Type);
                    for (int b = start; b < end; b++) covered[b] = 0;
                    break;
                }
                case Opcode.Load or Opcode.Store or Opcode.Label or Opcode.Jump or Opcode.BranchIf or Opcode.Exit:
                    generation++;
                    break;
                case Opcode.CallHelper when helpers[ins.Aux].MayFault || helpers[ins.Aux].TouchesState:
                    generation++;
                    break;
                case Opcode.InsnStart when insnStartBarrier[i]:
                    generation++;
                    break;
            }
        }
        if (removed == 0) return false;

        int w = 0;
        for (int i = 0; i < n; i++)
            if (!remove[i]) code[w++] = code[i];
        block.Count = w;
        if (stats != null) stats.DeadStoresRemoved += removed;
        return true;
    }

    /// <summary>The InsnStarts where a block may stop because the guest instruction before it
    /// wrote to translated code: those after a guest instruction with a Store or a helper call
    /// that is not pure. After a Label the previous instruction is unknown, so any memory write
    /// in the block counts.</summary>
    private static bool[] FindExitingInsnStarts(IrInstruction[] code, int n, HelperTable helpers)
    {
        bool anyWrite = false;
        for (int i = 0; i < n; i++)
            if (WritesMemory(code[i], helpers)) { anyWrite = true; break; }
        var result = new bool[n];
        if (!anyWrite) return result;
        bool pending = false;
        for (int i = 0; i < n; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            if (WritesMemory(ins, helpers)) pending = true;
            else if (ins.Op == Opcode.Label) pending = true;
            else if (ins.Op == Opcode.InsnStart)
            {
                result[i] = pending;
                pending = false;
            }
        }
        return result;
    }

    private static bool WritesMemory(in IrInstruction ins, HelperTable helpers) =>
        ins.Op == Opcode.Store || (ins.Op == Opcode.CallHelper && !helpers[ins.Aux].Pure);
}
