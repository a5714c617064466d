using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Decoding;

/// <summary>
/// Translates a region: the block at an address plus the blocks it reaches through exits to
/// constant addresses on the same page (both sides of a conditional branch, the target of a
/// direct JMP or CALL, the fall-through), up to <see cref="MaxBlocks"/>, joined into one IR unit
/// whose internal edges are jumps instead of trips through the dispatcher. A loop spanning
/// several blocks then runs inside one compiled unit, and the backends see more code at once.
/// Every internal edge retires the source block's instructions and leaves the unit when the
/// instruction deadline has come, exactly as the dispatcher would have let it, so the guest sees
/// no difference. Staying on one page keeps invalidation exact: a write to the page drops the
/// region, as it drops a block.
/// </summary>
public sealed class RegionTranslator
{
    private readonly X86Translator _blocks;

    public RegionTranslator(X86Translator blocks) => _blocks = blocks;

    /// <summary>Most guest blocks joined into one region.</summary>
    public int MaxBlocks { get; init; } = 8;

    /// <summary>Most IR operations (before the passes) in a region: a block is not joined when it
    /// would take the unit over this. The .NET JIT compiles a method of more than about 20,000 IL
    /// instructions or 2,000 basic blocks with MinOpts (no register allocation to speak of), and
    /// an IL unit of this many operations stays below that; x87-heavy code (25 operations an
    /// instruction) reached 5,000 operations in 8 blocks and ran its hot loop unoptimized.</summary>
    public int MaxOps { get; init; } = 2600;

    public IrBlock Translate(IGuestCodeReader code, uint eip, DecodeMode mode) => Translate(code, eip, mode, -1);

    /// <summary>Translates the region at <paramref name="eip"/>, assuming the x87 TOP is
    /// <paramref name="x87Top"/> there; each joined block assumes the TOP that the block it was
    /// found from leaves (its own entry check catches the other paths into it).</summary>
    public IrBlock Translate(IGuestCodeReader code, uint eip, DecodeMode mode, int x87Top)
    {
        var order = new List<IrBlock> { _blocks.Translate(code, eip, mode, x87Top, out int topOut) };
        var topsOut = new List<int> { topOut };
        var index = new Dictionary<uint, int> { [eip] = 0 };
        int ops = order[0].Count;
        uint page = eip & SoftTlbLayout.PageMask;
        for (int i = 0; i < order.Count && order.Count < MaxBlocks && !mode.Unspecialized; i++)
        {
            foreach (var (_, target) in order[i].DirectExits)
            {
                if (order.Count >= MaxBlocks) break;
                if (index.ContainsKey(target) || (target & SoftTlbLayout.PageMask) != page) continue;
                try
                {
                    IrBlock next = _blocks.Translate(code, target, mode, topsOut[i], out int nextTopOut);
                    if (ops + next.Count > MaxOps) continue;
                    ops += next.Count;
                    order.Add(next);
                    topsOut.Add(nextTopOut);
                    index[target] = order.Count - 1;
                }
                catch (CodeFetchException)
                {
                    // Not fetchable now: that edge stays an exit to the dispatcher.
                }
            }
        }
        return order.Count == 1 ? order[0] : Join(order, index);
    }

    private static IrBlock Join(List<IrBlock> blocks, Dictionary<uint, int> entryOf)
    {
        int n = blocks.Count;
        var types = new List<IrType>();
        var code = new List<IrInstruction>();
        int nextLabel = n + blocks.Sum(b => b.LabelCount);
        int labelBase = n;
        for (int i = 0; i < n; i++)
        {
            IrBlock block = blocks[i];
            int tempBase = types.Count;
            types.AddRange(block.TempTypes);
            var exits = block.DirectExits.ToDictionary(e => e.ExitIndex, e => e.Target);
            code.Add(Void(Opcode.Label, aux: i));
            for (int k = 0; k < block.Count; k++)
            {
                IrInstruction ins = block.Instructions[k];
                if (ins.Dst >= 0) ins.Dst += tempBase;
                for (int o = 0; o < ins.OperandCount; o++)
                    if (ins.Operand(o) >= 0) ins.SetOperand(o, ins.Operand(o) + tempBase);
                if (ins.Op is Opcode.Label or Opcode.Jump or Opcode.BranchIf) ins.Aux += labelBase;
                if (ins.Op == Opcode.Exit && exits.TryGetValue(k, out uint target) && entryOf.TryGetValue(target, out int to))
                {
                    InternalEdge(code, types, retired: ins.Aux, entryLabel: to, leave: nextLabel++);
                    continue;
                }
                code.Add(ins);
            }
            labelBase += block.LabelCount;
        }
        IrBlock first = blocks[0];
        var region = new IrBlock(first.GuestAddress, code.ToArray(), code.Count, types, nextLabel, first.Helpers, first.Layout)
        {
            // Size metrics (native bytes per guest instruction) count every joined block; the byte
            // length stays the entry block's, the contiguous code a disassembly of the unit starts with.
            GuestInstructionCount = blocks.Sum(b => b.GuestInstructionCount),
            GuestByteLength = first.GuestByteLength,
            RegionBlocks = n,
        };
        foreach (IrBlock b in blocks) region.GuestRanges.AddRange(b.GuestRanges);
        return region;
    }

    /// <summary>Replaces an exit to another block of the region (EIP already stored) by: retire
    /// the block's instructions; if the deadline has come, leave as the exit would have;
    /// otherwise jump to that block.</summary>
    private static void InternalEdge(List<IrInstruction> code, List<IrType> types, int retired, int entryLabel, int leave)
    {
        int Temp(IrType t) { types.Add(t); return types.Count - 1; }
        int old = Temp(IrType.I64), n = Temp(IrType.I64), sum = Temp(IrType.I64), deadline = Temp(IrType.I64), due = Temp(IrType.I32);
        code.Add(Value(Opcode.LoadState, IrType.I64, old, imm: CpuState.OffRetired));
        code.Add(Value(Opcode.Const, IrType.I64, n, imm: retired));
        code.Add(Value(Opcode.Add, IrType.I64, sum, a: old, b: n));
        code.Add(new IrInstruction { Op = Opcode.StoreState, Type = IrType.I64, Dst = -1, A = sum, B = -1, C = -1, D = -1, Imm = CpuState.OffRetired });
        code.Add(Value(Opcode.LoadState, IrType.I64, deadline, imm: CpuState.OffDeadline));
        code.Add(Value(Opcode.ULe, IrType.I64, due, a: deadline, b: sum));
        code.Add(new IrInstruction { Op = Opcode.BranchIf, Dst = -1, A = due, B = -1, C = -1, D = -1, Aux = leave });
        code.Add(Void(Opcode.Jump, aux: entryLabel));
        code.Add(Void(Opcode.Label, aux: leave));
        code.Add(new IrInstruction { Op = Opcode.Exit, Dst = -1, A = -1, B = -1, C = -1, D = -1, Imm = BlockExit.Jump, Aux = 0 });
    }

    private static IrInstruction Value(Opcode op, IrType type, int dst, int a = -1, int b = -1, long imm = 0) =>
        new() { Op = op, Type = type, Dst = dst, A = a, B = b, C = -1, D = -1, Imm = imm };

    private static IrInstruction Void(Opcode op, int aux) =>
        new() { Op = op, Dst = -1, A = -1, B = -1, C = -1, D = -1, Aux = aux };
}
