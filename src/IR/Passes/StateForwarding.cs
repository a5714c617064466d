namespace Transmeta.IR.Passes;

/// <summary>
/// Guest-state load forwarding within straight-line code. Walking forward, the pass remembers
/// which temp holds the current value of each state slot (offset + type) it has seen stored or
/// loaded. A LoadState of a remembered slot is replaced by that temp (rename map, later operands
/// rewritten); a StoreState of the temp a slot already holds is dropped (it would write the value
/// that is there).
/// <para>A store kills every remembered slot whose bytes it overlaps (other than the exact slot,
/// which it replaces). Everything is forgotten at a Label (other paths join there), after a Jump
/// or Exit, and at a helper that touches state. Guest memory accesses and faulting helpers do not
/// change guest state on the path that continues in the block, so they keep the knowledge.</para>
/// </summary>
public static class StateForwarding
{
    public static void Run(IrBlock block) => Run(block, null);

    /// <summary>Runs the pass; returns true if the block changed.</summary>
    public static bool Run(IrBlock block, PassStatistics? stats)
    {
        IrInstruction[] code = block.Instructions;
        int n = block.Count;
        int[] rename = new int[block.TempCount];
        for (int t = 0; t < rename.Length; t++) rename[t] = t;
        var known = new List<Slot>();
        int w = 0, changes = 0;
        HelperTable helpers = block.Helpers;

        // Output never outgrows input: write back into the same array.
        for (int i = 0; i < n; i++)
        {
            IrInstruction ins = code[i];
            int oc = ins.OperandCount;
            for (int k = 0; k < oc; k++)
            {
                int t = ins.Operand(k);
                if (t >= 0) ins.SetOperand(k, rename[t]);
            }

            switch (ins.Op)
            {
                case Opcode.LoadState:
                {
                    int found = Find(known, ins.Imm, ins.Type);
                    if (found >= 0)
                    {
                        rename[ins.Dst] = known[found].Temp;
                        if (stats != null) stats.LoadsForwarded++;
                        changes++;
                        continue;
                    }
                    known.Add(new Slot(ins.Imm, ins.Type, ins.Dst));
                    break;
                }
                case Opcode.StoreState:
                {
                    int found = Find(known, ins.Imm, ins.Type);
                    if (found >= 0 && known[found].Temp == ins.A)
                    {
                        if (stats != null) stats.RedundantStoresRemoved++;
                        changes++;
                        continue;
                    }
                    Forget(known, ins.Imm, ins.Imm + Width(ins.Type));
                    known.Add(new Slot(ins.Imm, ins.Type, ins.A));
                    break;
                }
                case Opcode.ExtRaise or Opcode.ExtSetRoundedUp:
                    Forget(known, ins.Imm, ins.Imm + 4);
                    break;
                case Opcode.Label or Opcode.Jump or Opcode.Exit:
                    known.Clear();
                    break;
                case Opcode.CallHelper when helpers[ins.Aux].TouchesState:
                    known.Clear();
                    break;
            }
            code[w++] = ins;
        }
        if (changes == 0) return false;
        block.Count = w;
        return true;
    }

    /// <summary>Forgets every remembered slot overlapping bytes [start, end).</summary>
    private static void Forget(List<Slot> known, long start, long end)
    {
        for (int k = known.Count - 1; k >= 0; k--)
        {
            Slot s = known[k];
            if (s.Offset < end && start < s.Offset + Width(s.Type)) known.RemoveAt(k);
        }
    }

    internal static int Width(IrType type) => type == IrType.I32 ? 4 : 8;

    private static int Find(List<Slot> known, long offset, IrType type)
    {
        for (int k = 0; k < known.Count; k++)
            if (known[k].Offset == offset && known[k].Type == type) return k;
        return -1;
    }

    private readonly record struct Slot(long Offset, IrType Type, int Temp);
}
