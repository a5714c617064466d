namespace Transmeta.IR.Passes;

/// <summary>
/// Checks nearby guest memory accesses once instead of one by one. Accesses in one straight run
/// of code (no label in between) whose addresses are the same temporary plus constants within
/// <see cref="MaxSpan"/> bytes, such as the fields of a structure or a stack frame, become one
/// <see cref="Opcode.MemProbe"/> over their whole range followed by plain host accesses
/// (<see cref="Opcode.HostLoad"/>, <see cref="Opcode.HostStore"/>). If the probe is refused, the
/// block leaves with <see cref="BlockExit.Slow"/> before the first access's instruction, which then
/// runs from a translation without assumptions: ordinary accesses, faults and all.
/// <para>Why: each ordinary access is a soft-TLB test with a slow path, in native code a branch,
/// a call and a fault check. Those paths were most of what the LLVM backend spent its compile time
/// on (register allocation across hundreds of small blocks), and most of the code it produced.</para>
/// <para>A probe goes where its first access is, and only where nothing of that access's
/// instruction has had an effect yet (no state or memory store, no helper call, no extended
/// operation begun), so leaving there is leaving before the instruction. Groups end at labels
/// (control may arrive from elsewhere) and at helper calls. A one-byte read and write-back of the
/// same bytes, the way a lifter checks that a store will not fault before it changes anything, is
/// dropped when the probe covers it.</para>
/// Runs after <see cref="PassPipeline"/>, only on translations that may make assumptions.
/// </summary>
public static class GuestAccessGrouping
{
    /// <summary>Widest range one probe covers (bytes from the lowest to the end of the highest access).</summary>
    public const int MaxSpan = 256;

    private const int ConstantRoot = -2;

    private sealed class Group(int root, int first, int insnStart)
    {
        public readonly int Root = root, First = first, InsnStart = insnStart;
        public long Lo = long.MaxValue, Hi = long.MinValue;
        public ProbeRights Rights;
        public readonly List<int> Members = new();
    }

    /// <summary>Rewrites <paramref name="block"/>; returns how many accesses now go through a probe.</summary>
    public static int Run(IrBlock block)
    {
        IrInstruction[] all = block.Instructions;
        ReadOnlySpan<IrInstruction> code = block.Span;
        var def = new int[block.TempCount];
        Array.Fill(def, -1);
        for (int i = 0; i < code.Length; i++)
            if (code[i].HasDst) def[code[i].Dst] = i;
        var forms = new Dictionary<int, (int Root, long Offset)>();
        (int Root, long Offset) Form(int t) => AddressForm(all, def, forms, t);

        var groups = new List<Group>();
        var open = new Dictionary<int, Group>();
        void Close(Group g)
        {
            open.Remove(g.Root);
            if (g.Members.Count >= 2) groups.Add(g);
        }
        void CloseAll()
        {
            foreach (Group g in open.Values.ToList()) Close(g);
        }

        int insnStart = -1;
        bool effectInInsn = false;
        for (int i = 0; i < code.Length; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            switch (ins.Op)
            {
                case Opcode.InsnStart:
                    insnStart = i;
                    effectInInsn = false;
                    break;
                case Opcode.Label or Opcode.Jump or Opcode.Exit or Opcode.CallHelper:
                    CloseAll();
                    effectInInsn = true;
                    break;
                case Opcode.StoreState or Opcode.ExtArith or Opcode.ExtRaise or Opcode.ExtSetRoundedUp:
                    // (an operation's parts and its raise stay together: IrVerifier)
                    effectInInsn = true;
                    break;
                case Opcode.Load or Opcode.Store:
                {
                    var (root, offset) = Form(ins.A);
                    long end = offset + ins.Size;
                    if (open.TryGetValue(root, out Group? g)
                        && Math.Max(g.Hi, end) - Math.Min(g.Lo, offset) > MaxSpan)
                    {
                        Close(g);
                        g = null;
                    }
                    if (g is null && !effectInInsn && insnStart >= 0)
                        open[root] = g = new Group(root, i, insnStart);
                    if (g is not null)
                    {
                        g.Members.Add(i);
                        g.Lo = Math.Min(g.Lo, offset);
                        g.Hi = Math.Max(g.Hi, end);
                        g.Rights |= ins.Op == Opcode.Load ? ProbeRights.Read : ProbeRights.Write;
                    }
                    if (ins.Op == Opcode.Store) effectInInsn = true;
                    break;
                }
            }
        }
        CloseAll();
        if (groups.Count == 0) return 0;
        Rewrite(block, groups, Form);
        return groups.Sum(g => g.Members.Count);
    }

    /// <summary>t as (root temporary, constant offset): through adds and subtractions of
    /// constants; a constant address has the root <see cref="ConstantRoot"/>. Offsets are the
    /// 32-bit constants read as signed, so two forms with one root differ by the distance of their
    /// addresses (modulo 2^32; a range that wraps is refused by its probe).</summary>
    private static (int Root, long Offset) AddressForm(IrInstruction[] code, int[] def,
        Dictionary<int, (int, long)> memo, int t)
    {
        if (memo.TryGetValue(t, out var known)) return known;
        (int, long) form = (t, 0);
        int d = def[t];
        if (d >= 0 && code[d].Type == IrType.I32)
        {
            ref readonly IrInstruction ins = ref code[d];
            if (ins.Op == Opcode.Const) form = (ConstantRoot, (uint)ins.Imm);
            else if (ins.Op is Opcode.Add or Opcode.Sub && ConstantOf(code, def, ins.B) is long b)
            {
                var (root, offset) = AddressForm(code, def, memo, ins.A);
                form = (root, ins.Op == Opcode.Add ? offset + b : offset - b);
            }
            else if (ins.Op == Opcode.Add && ConstantOf(code, def, ins.A) is long a)
            {
                var (root, offset) = AddressForm(code, def, memo, ins.B);
                form = (root, offset + a);
            }
        }
        memo[t] = form;
        return form;
    }

    private static long? ConstantOf(IrInstruction[] code, int[] def, int t) =>
        def[t] >= 0 && code[def[t]].Op == Opcode.Const ? (int)(uint)code[def[t]].Imm : null;

    private static void Rewrite(IrBlock block, List<Group> groups, Func<int, (int Root, long Offset)> form)
    {
        ReadOnlySpan<IrInstruction> code = block.Span;
        var groupAt = new Dictionary<int, Group>();
        var memberOf = new Dictionary<int, Group>();
        foreach (Group g in groups)
        {
            groupAt[g.First] = g;
            foreach (int m in g.Members) memberOf[m] = g;
        }
        HashSet<int> dropped = RedundantWriteChecks(code, groups, form);

        var types = block.TempTypes;
        int NewTemp(IrType type)
        {
            types.Add(type);
            return types.Count - 1;
        }
        var output = new List<IrInstruction>(code.Length + groups.Count * 8);
        var pointer = new Dictionary<Group, int>();
        var refused = new List<(int Label, Group Group)>();
        int nextLabel = block.LabelCount;
        for (int i = 0; i < code.Length; i++)
        {
            if (groupAt.TryGetValue(i, out Group? g))
            {
                int zero = NewTemp(IrType.I64);
                output.Add(Make(Opcode.Const, IrType.I64, zero));
                int address;
                if (g.Root == ConstantRoot || g.Lo != 0)
                {
                    int lo = NewTemp(IrType.I32);
                    output.Add(Make(Opcode.Const, IrType.I32, lo, imm: (uint)g.Lo));
                    address = lo;
                    if (g.Root != ConstantRoot)
                    {
                        address = NewTemp(IrType.I32);
                        output.Add(Make(Opcode.Add, IrType.I32, address, g.Root, lo));
                    }
                }
                else address = g.Root;
                int p = NewTemp(IrType.I64), isZero = NewTemp(IrType.I32);
                pointer[g] = p;
                output.Add(Make(Opcode.MemProbe, IrType.I64, p, address, imm: g.Hi - g.Lo, aux: (int)g.Rights));
                output.Add(Make(Opcode.Eq, IrType.I64, isZero, p, zero));
                output.Add(Make(Opcode.BranchIf, IrType.I32, -1, isZero, aux: nextLabel));
                refused.Add((nextLabel++, g));
            }
            IrInstruction ins = code[i];
            if (dropped.Contains(i)) continue;
            if (memberOf.TryGetValue(i, out Group? owner))
            {
                long offset = form(ins.A).Offset - owner.Lo;
                ins.Op = ins.Op == Opcode.Load ? Opcode.HostLoad : Opcode.HostStore;
                ins.A = pointer[owner];
                ins.Imm = offset;
            }
            output.Add(ins);
        }

        // Refused: leave before the first access's instruction, which then runs unspecialized.
        foreach (var (label, g) in refused)
        {
            IrInstruction start = code[g.InsnStart];
            int pc = NewTemp(IrType.I32);
            output.Add(Make(Opcode.Label, IrType.I32, -1, aux: label));
            output.Add(Make(Opcode.Const, IrType.I32, pc, imm: (uint)start.Imm));
            output.Add(Make(Opcode.StoreState, IrType.I32, -1, pc, imm: block.Layout.PcOffset));
            output.Add(Make(Opcode.Exit, IrType.I32, -1, imm: BlockExit.Slow, aux: start.Aux));
        }
        block.Instructions = output.ToArray();
        block.Count = output.Count;
        block.LabelCount = nextLabel;
    }

    /// <summary>Members that read bytes and store them back unchanged right after (the next
    /// access of the group, nothing else using the value): a check that the store to come will
    /// not fault, which the probe has made.</summary>
    private static HashSet<int> RedundantWriteChecks(ReadOnlySpan<IrInstruction> code, List<Group> groups,
        Func<int, (int Root, long Offset)> form)
    {
        var uses = new Dictionary<int, int>();
        foreach (ref readonly IrInstruction ins in code)
            for (int k = 0; k < ins.OperandCount; k++)
                if (ins.Operand(k) >= 0) uses[ins.Operand(k)] = uses.GetValueOrDefault(ins.Operand(k)) + 1;
        var dropped = new HashSet<int>();
        foreach (Group g in groups)
        {
            for (int k = 0; k + 1 < g.Members.Count; k++)
            {
                ref readonly IrInstruction load = ref code[g.Members[k]];
                ref readonly IrInstruction store = ref code[g.Members[k + 1]];
                if (load.Op == Opcode.Load && store.Op == Opcode.Store && store.B == load.Dst
                    && store.Size == load.Size && form(store.A).Offset == form(load.A).Offset
                    && uses.GetValueOrDefault(load.Dst) == 1 && NothingStoredBetween(code, g.Members[k], g.Members[k + 1]))
                {
                    dropped.Add(g.Members[k]);
                    dropped.Add(g.Members[k + 1]);
                }
            }
        }
        // A group whose only members were such a pair still probes: the check is the probe now.
        return dropped;
    }

    private static IrInstruction Make(Opcode op, IrType type, int dst, int a = -1, int b = -1, long imm = 0, int aux = 0) =>
        new() { Op = op, Type = type, Dst = dst, A = a, B = b, C = -1, D = -1, Imm = imm, Aux = aux };

    private static bool NothingStoredBetween(ReadOnlySpan<IrInstruction> code, int from, int to)
    {
        for (int i = from + 1; i < to; i++)
            if (code[i].Op is Opcode.Store or Opcode.CallHelper) return false;
        return true;
    }
}
