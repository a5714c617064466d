using Transmeta.IR;

namespace Transmeta.Backend.Il;

/// <summary>
/// What the IL emitter needs to know about a block before it emits anything: which temporaries
/// are constants (emitted as literals, never as locals), how many times each temporary is read,
/// which IL local each remaining temporary lives in (locals are shared between temporaries of
/// the same type whose live ranges do not overlap), which guest instruction a faulting
/// operation belongs to, and where a pending "code modified" status has to be checked.
/// </summary>
/// <remarks>
/// The block is split into basic blocks (leaders: the first instruction, every label, every
/// instruction after a jump, branch or exit), and three data-flow problems are solved on them:
/// backward liveness of temporaries (for local sharing), forward "which InsnStart executed last"
/// (for fault exits), and forward "may a Store have run" (for the code-modified check).
/// </remarks>
internal sealed class BlockAnalysis
{
    /// <summary>A fault point whose InsnStart depends on the path taken (see <see cref="FaultSite"/>).</summary>
    public const int DynamicSite = -1;

    private readonly IrBlock _block;

    public BlockAnalysis(IrBlock block)
    {
        _block = block;
        int temps = block.TempCount;
        IsConst = new bool[temps];
        ConstValue = new ulong[temps];
        UseCount = new int[temps];
        LocalIndex = new int[temps];
        FaultSite = new int[block.Count];
        NeedsCodeModifiedCheck = new bool[block.Count];

        ReadOnlySpan<IrInstruction> code = block.Span;
        for (int i = 0; i < code.Length; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            switch (ins.Op)
            {
                case Opcode.Const when ins.HasDst:
                    IsConst[ins.Dst] = true;
                    // An I32 constant is its low 32 bits (the builder never sets the high half).
                    ConstValue[ins.Dst] = block.TempTypes[ins.Dst] == IrType.I32 ? (uint)ins.Imm : (ulong)ins.Imm;
                    break;
                case Opcode.Load: HasLoad = true; break;
                case Opcode.Store: HasStore = true; break;
                case Opcode.MemProbe: HasProbe = true; break;
                case Opcode.CallHelper: HasHelperCall = true; break;
            }
            for (int k = 0; k < ins.OperandCount; k++)
            {
                int t = ins.Operand(k);
                if (t >= 0) UseCount[t]++;
            }
        }

        BuildBasicBlocks(code);
        SolveInsnStarts(code);
        AllocateLocals(code);
    }

    public bool[] IsConst { get; }
    public ulong[] ConstValue { get; }
    public int[] UseCount { get; }
    public bool HasLoad { get; private set; }
    public bool HasStore { get; private set; }
    public bool HasProbe { get; private set; }
    public bool HasHelperCall { get; private set; }

    /// <summary>Per temporary: the index into <see cref="LocalTypes"/> of its IL local, or -1
    /// for constants.</summary>
    public int[] LocalIndex { get; }
    /// <summary>Type of each IL local to declare for temporaries.</summary>
    public List<IrType> LocalTypes { get; } = new();

    /// <summary>Per instruction that may fault: the index (into <see cref="Sites"/>) of the guest
    /// instruction it belongs to, or <see cref="DynamicSite"/> if that depends on the path.</summary>
    public int[] FaultSite { get; }
    /// <summary>Distinct (guest PC, retired-before) pairs of fault points; site 0 is "no InsnStart
    /// executed yet" (0, 0), as in the interpreter.</summary>
    public List<(uint Pc, int Retired)> Sites { get; } = new() { (0, 0) };
    /// <summary>True if some fault point needs the current InsnStart tracked at run time.</summary>
    public bool NeedsDynamicInsnTracking { get; private set; }

    /// <summary>Per InsnStart: a Store may have run before it, so a pending code-modified status
    /// has to be checked there.</summary>
    public bool[] NeedsCodeModifiedCheck { get; }

    // ---------------------------------------------------------------- basic blocks

    private int[] _bbStart = Array.Empty<int>();   // first instruction of each basic block
    private int[] _bbEnd = Array.Empty<int>();     // one past the last instruction
    private int[][] _bbSucc = Array.Empty<int[]>();
    private int[][] _bbPred = Array.Empty<int[]>();

    private void BuildBasicBlocks(ReadOnlySpan<IrInstruction> code)
    {
        int n = code.Length;
        var leader = new bool[n + 1];
        leader[0] = true;
        leader[n] = true;
        for (int i = 0; i < n; i++)
        {
            if (code[i].Op == Opcode.Label) leader[i] = true;
            if (code[i].Op is Opcode.Jump or Opcode.BranchIf or Opcode.Exit) leader[i + 1] = true;
        }
        var starts = new List<int>();
        for (int i = 0; i < n; i++) if (leader[i]) starts.Add(i);
        int count = starts.Count;
        _bbStart = starts.ToArray();
        _bbEnd = new int[count];
        for (int b = 0; b < count; b++) _bbEnd[b] = b + 1 < count ? _bbStart[b + 1] : n;

        var blockOfLabel = new int[Math.Max(1, _block.LabelCount)];
        Array.Fill(blockOfLabel, -1);
        for (int b = 0; b < count; b++)
            if (code[_bbStart[b]].Op == Opcode.Label) blockOfLabel[code[_bbStart[b]].Aux] = b;

        var succ = new List<int>[count];
        var pred = new List<int>[count];
        for (int b = 0; b < count; b++) { succ[b] = new List<int>(2); pred[b] = new List<int>(2); }
        for (int b = 0; b < count; b++)
        {
            ref readonly IrInstruction last = ref code[_bbEnd[b] - 1];
            bool fallsThrough = last.Op is not (Opcode.Jump or Opcode.Exit);
            if (last.Op is Opcode.Jump or Opcode.BranchIf && last.Aux >= 0 && last.Aux < _block.LabelCount
                && blockOfLabel[last.Aux] >= 0)
                succ[b].Add(blockOfLabel[last.Aux]);
            if (fallsThrough && b + 1 < count) succ[b].Add(b + 1);
        }
        for (int b = 0; b < count; b++)
            foreach (int s in succ[b]) pred[s].Add(b);
        _bbSucc = Array.ConvertAll(succ, l => l.ToArray());
        _bbPred = Array.ConvertAll(pred, l => l.ToArray());
    }

    // ---------------------------------------------------------------- InsnStart tracking

    private const int Unreached = -2;
    private const int Multiple = -3;

    private static int Join(int a, int b) =>
        a == Unreached ? b : b == Unreached ? a : a == b ? a : Multiple;

    /// <summary>Forward data flow: for every fault point, which InsnStart (as a site) executed
    /// last; and for every InsnStart, whether a Store may have executed before it.</summary>
    private void SolveInsnStarts(ReadOnlySpan<IrInstruction> code)
    {
        int count = _bbStart.Length;
        if (count == 0) return;
        var siteOf = new Dictionary<(uint, int), int> { [(0u, 0)] = 0 };
        int SiteOf(in IrInstruction ins)
        {
            var key = ((uint)ins.Imm, ins.Aux);
            if (!siteOf.TryGetValue(key, out int s))
            {
                s = Sites.Count;
                Sites.Add(key);
                siteOf[key] = s;
            }
            return s;
        }
        var insnSite = new int[code.Length];
        for (int i = 0; i < code.Length; i++)
            if (code[i].Op == Opcode.InsnStart) insnSite[i] = SiteOf(code[i]);

        var siteIn = new int[count];
        var storedIn = new bool[count];
        var siteOut = new int[count];
        var storedOut = new bool[count];
        Array.Fill(siteIn, Unreached);
        Array.Fill(siteOut, Unreached);
        siteIn[0] = 0;

        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int b = 0; b < count; b++)
            {
                int site = b == 0 ? 0 : Unreached;
                bool stored = false;
                foreach (int p in _bbPred[b])
                {
                    site = Join(site, siteOut[p]);
                    stored |= storedOut[p];
                }
                siteIn[b] = site;
                storedIn[b] = stored;
                for (int i = _bbStart[b]; i < _bbEnd[b]; i++)
                {
                    if (code[i].Op == Opcode.InsnStart) site = insnSite[i];
                    else if (code[i].Op == Opcode.Store) stored = true;
                }
                if (site != siteOut[b] || stored != storedOut[b])
                {
                    siteOut[b] = site;
                    storedOut[b] = stored;
                    changed = true;
                }
            }
        }

        for (int b = 0; b < count; b++)
        {
            int site = siteIn[b];
            bool stored = storedIn[b];
            for (int i = _bbStart[b]; i < _bbEnd[b]; i++)
            {
                ref readonly IrInstruction ins = ref code[i];
                if (ins.Op == Opcode.InsnStart)
                {
                    NeedsCodeModifiedCheck[i] = stored;
                    site = insnSite[i];
                }
                else if (ins.Op == Opcode.Store) stored = true;
                if (ins.Op is Opcode.Load or Opcode.Store or Opcode.CallHelper)
                {
                    if (site == Multiple)
                    {
                        FaultSite[i] = DynamicSite;
                        NeedsDynamicInsnTracking = true;
                    }
                    else FaultSite[i] = site == Unreached ? 0 : site;
                }
            }
        }
    }

    // ---------------------------------------------------------------- locals

    /// <summary>Backward liveness, then one conservative interval [first, last] per temporary in
    /// instruction order, then greedy sharing of locals between same-typed temporaries whose
    /// intervals are disjoint. An instruction's destination never shares a local with one of its
    /// own operands (the emitter may read operands on a cold path after the hot path began).</summary>
    private void AllocateLocals(ReadOnlySpan<IrInstruction> code)
    {
        int temps = _block.TempCount;
        int count = _bbStart.Length;
        int words = (temps + 63) >> 6;
        var liveIn = new ulong[count][];
        var liveOut = new ulong[count][];
        var use = new ulong[count][];
        var def = new ulong[count][];
        for (int b = 0; b < count; b++)
        {
            liveIn[b] = new ulong[words];
            liveOut[b] = new ulong[words];
            use[b] = new ulong[words];
            def[b] = new ulong[words];
            for (int i = _bbStart[b]; i < _bbEnd[b]; i++)
            {
                ref readonly IrInstruction ins = ref code[i];
                for (int k = 0; k < ins.OperandCount; k++)
                {
                    int t = ins.Operand(k);
                    if (t >= 0 && !IsConst[t] && !Has(def[b], t)) Set(use[b], t);
                }
                if (ins.HasDst && !IsConst[ins.Dst]) Set(def[b], ins.Dst);
            }
        }
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int b = count - 1; b >= 0; b--)
            {
                ulong[] o = liveOut[b];
                foreach (int s in _bbSucc[b])
                    for (int w = 0; w < words; w++) o[w] |= liveIn[s][w];
                for (int w = 0; w < words; w++)
                {
                    ulong v = use[b][w] | (o[w] & ~def[b][w]);
                    if (v != liveIn[b][w]) { liveIn[b][w] = v; changed = true; }
                }
            }
        }

        var first = new int[temps];
        var last = new int[temps];
        Array.Fill(first, int.MaxValue);
        Array.Fill(last, -1);
        void Cover(int t, int from, int to)
        {
            if (from < first[t]) first[t] = from;
            if (to > last[t]) last[t] = to;
        }
        for (int b = 0; b < count; b++)
        {
            int from = _bbStart[b], to = _bbEnd[b] - 1;
            for (int t = 0; t < temps; t++)
            {
                if (Has(liveIn[b], t)) Cover(t, from, from);
                if (Has(liveOut[b], t)) Cover(t, to, to);
            }
            for (int i = from; i <= to; i++)
            {
                ref readonly IrInstruction ins = ref code[i];
                for (int k = 0; k < ins.OperandCount; k++)
                {
                    int t = ins.Operand(k);
                    if (t >= 0 && !IsConst[t]) Cover(t, i, i);
                }
                if (ins.HasDst && !IsConst[ins.Dst]) Cover(ins.Dst, i, i);
            }
        }

        // Greedy: walk temporaries by interval start; reuse a free local of the same type whose
        // last occupant's interval ended strictly before this one starts.
        var order = new List<int>(temps);
        for (int t = 0; t < temps; t++)
        {
            LocalIndex[t] = -1;
            if (!IsConst[t] && last[t] >= 0) order.Add(t);
        }
        order.Sort((x, y) => first[x] != first[y] ? first[x].CompareTo(first[y]) : x.CompareTo(y));
        var free = new[] { new SortedSet<int>(), new SortedSet<int>() };   // by IrType
        var active = new PriorityQueue<int, int>();   // locals by busyUntil
        foreach (int t in order)
        {
            while (active.TryPeek(out int l, out int end) && end < first[t])
            {
                active.Dequeue();
                free[(int)LocalTypes[l]].Add(l);
            }
            IrType type = _block.TempTypes[t];
            SortedSet<int> pool = free[(int)type];
            int local;
            if (pool.Count > 0)
            {
                local = pool.Min;
                pool.Remove(local);
            }
            else
            {
                local = LocalTypes.Count;
                LocalTypes.Add(type);
            }
            active.Enqueue(local, last[t]);
            LocalIndex[t] = local;
        }
        // Temporaries never defined or used still need somewhere to live if something names them.
        for (int t = 0; t < temps; t++)
            if (!IsConst[t] && LocalIndex[t] < 0)
            {
                LocalIndex[t] = LocalTypes.Count;
                LocalTypes.Add(_block.TempTypes[t]);
            }
    }

    private static bool Has(ulong[] set, int i) => (set[i >> 6] & (1UL << i)) != 0;
    private static void Set(ulong[] set, int i) => set[i >> 6] |= 1UL << i;
}
