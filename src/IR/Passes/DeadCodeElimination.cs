namespace Transmeta.IR.Passes;

/// <summary>
/// Dead code elimination:
/// <list type="bullet">
/// <item>Jump and BranchIf to a label that immediately follows (only labels in between) are removed.</item>
/// <item>Unreachable instructions (not reachable from the block start through fall-through and
/// jumps) are removed, except a value a kept instruction still names (only possible in IR that
/// reads a temp on a path where it was never defined; kept so the block still verifies).</item>
/// <item>Labels that no reachable jump targets are removed.</item>
/// <item>Instructions without side effects (<see cref="IrInstruction.HasSideEffect"/>; calls to pure
/// helpers that neither fault nor touch state count as such) whose result nothing uses are removed.
/// One backward walk reaches the fixed point, because every use comes after its definition.</item>
/// </list>
/// The whole is repeated until nothing changes (removing code can put a jump next to its label).
/// The block keeps ending with a terminator: the last reachable instruction of a valid block is one.
/// </summary>
public static class DeadCodeElimination
{
    public static void Run(IrBlock block) => Run(block, null);

    /// <summary>Runs the pass; returns true if the block changed.</summary>
    public static bool Run(IrBlock block, PassStatistics? stats)
    {
        bool changed = false;
        while (RunOnce(block, stats)) changed = true;
        return changed;
    }

    private static bool RunOnce(IrBlock block, PassStatistics? stats)
    {
        IrInstruction[] code = block.Instructions;
        int n = block.Count;
        HelperTable helpers = block.Helpers;
        int removedControl = RemoveJumpsToNext(code, ref n);

        // Reachability over the linear code: fall through unless Jump/Exit; follow jump targets.
        var labelAt = new int[block.LabelCount];
        Array.Fill(labelAt, -1);
        for (int i = 0; i < n; i++)
            if (code[i].Op == Opcode.Label && (uint)code[i].Aux < (uint)labelAt.Length) labelAt[code[i].Aux] = i;
        var reachable = new bool[n];
        var labelUsed = new bool[block.LabelCount];
        var work = new Stack<int>();
        if (n > 0) work.Push(0);
        while (work.Count > 0)
        {
            for (int i = work.Pop(); i < n && !reachable[i]; i++)
            {
                reachable[i] = true;
                Opcode op = code[i].Op;
                if (op is Opcode.Jump or Opcode.BranchIf)
                {
                    int target = code[i].Aux;
                    labelUsed[target] = true;
                    if (labelAt[target] >= 0) work.Push(labelAt[target]);
                    if (op == Opcode.Jump) break;
                }
                else if (op == Opcode.Exit) break;
            }
        }

        // Backward walk: keep what has an effect (if reachable) or defines a needed value.
        var needed = new bool[block.TempCount];
        var keep = new bool[n];
        int removedDead = 0, removedUnreachable = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            ref readonly IrInstruction ins = ref code[i];
            bool k;
            if (!reachable[i]) k = ins.HasDst && needed[ins.Dst];
            else if (ins.Op == Opcode.Label) k = labelUsed[ins.Aux];
            else if (ins.HasSideEffect && !IsRemovableCall(ins, helpers)) k = true;
            else k = ins.HasDst && needed[ins.Dst];

            if (k)
            {
                keep[i] = true;
                int oc = ins.OperandCount;
                for (int o = 0; o < oc; o++)
                {
                    int t = ins.Operand(o);
                    if (t >= 0) needed[t] = true;
                }
            }
            else if (!reachable[i]) removedUnreachable++;
            else if (ins.Op == Opcode.Label) removedControl++;
            else removedDead++;
        }

        int w = 0;
        for (int i = 0; i < n; i++)
            if (keep[i]) code[w++] = code[i];
        bool changed = w != block.Count;
        block.Count = w;
        if (stats != null)
        {
            stats.DeadValuesRemoved += removedDead;
            stats.UnreachableRemoved += removedUnreachable;
            stats.ControlRemoved += removedControl;
        }
        return changed;
    }

    /// <summary>A call that can go if its result is unused: pure, cannot fault, does not touch state.</summary>
    private static bool IsRemovableCall(in IrInstruction ins, HelperTable helpers)
    {
        if (ins.Op != Opcode.CallHelper) return false;
        HelperDescriptor h = helpers[ins.Aux];
        return h.Pure && !h.MayFault && !h.TouchesState;
    }

    /// <summary>Removes Jump/BranchIf whose target label is among the labels right after it.</summary>
    private static int RemoveJumpsToNext(IrInstruction[] code, ref int n)
    {
        int w = 0, removed = 0;
        for (int i = 0; i < n; i++)
        {
            if (code[i].Op is Opcode.Jump or Opcode.BranchIf)
            {
                bool toNext = false;
                for (int j = i + 1; j < n && code[j].Op == Opcode.Label; j++)
                    if (code[j].Aux == code[i].Aux) { toNext = true; break; }
                if (toNext)
                {
                    removed++;
                    continue;
                }
            }
            code[w++] = code[i];
        }
        n = w;
        return removed;
    }
}
