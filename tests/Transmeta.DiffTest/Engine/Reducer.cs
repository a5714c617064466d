using System.Text;
using Iced.Intel;

namespace Transmeta.DiffTest;

/// <summary>
/// Shrinks a failing sequence while it keeps failing the same way (at least one difference of
/// the same kind: a register, EFLAGS, memory, the trap, EIP): drops items one at a time, then
/// setup instructions, then simplifies the initial state (registers to 0, plain EFLAGS, a
/// zeroed buffer), immediates (to 0 or 1) and prefixes; repeats until nothing more goes. Every
/// candidate must still be valid (<see cref="FlagAnalysis"/>), so the reduced sequence is as
/// meaningful as the original.
/// </summary>
public sealed class Reducer(NativeHarness native, TransmetaRunner runner)
{
    public sealed record Result(CompiledSequence Seq, Outcome Hardware, Outcome Transmeta, List<string> Differences, int Steps);

    public Result Reduce(CompiledSequence failing)
    {
        if (!Fails(failing.Source, null, out Result? current))
        {
            // Not reproducible in isolation: report it as it is.
            Outcome hw = native.Run(failing, wantMemory: true), tm = runner.Run(failing, wantMemory: true);
            return new Result(failing, hw, tm, Comparison.Differences(failing, hw, tm, out _).Prepend("(did not fail again when rerun alone)").ToList(), 0);
        }
        var kinds = Kinds(current!.Differences);
        int steps = 0;
        bool progress = true;
        while (progress)
        {
            progress = false;
            foreach (Sequence candidate in Candidates(current!.Seq.Source))
            {
                if (++steps > 2000) return current with { Steps = steps };
                if (Fails(candidate, kinds, out Result? r))
                {
                    current = r!;
                    progress = true;
                    break; // start over from the smaller sequence
                }
            }
        }
        return current! with { Steps = steps };
    }

    private bool Fails(Sequence seq, HashSet<string>? kinds, out Result? result)
    {
        result = null;
        CompiledSequence? cs = FlagAnalysis.Compile(seq, out _);
        if (cs is null) return false;
        Outcome hw = native.Run(cs, wantMemory: true);
        Outcome tm = runner.Run(cs, wantMemory: true);
        var diffs = Comparison.Differences(cs, hw, tm, out _);
        if (diffs.Count == 0) return false;
        if (kinds is not null && !Kinds(diffs).Overlaps(kinds)) return false;
        result = new Result(cs, hw, tm, diffs, 0);
        return true;
    }

    private static HashSet<string> Kinds(List<string> diffs) =>
        diffs.Select(d => d.StartsWith('[') || d.StartsWith("memory") || d.StartsWith("...") ? "memory" : d.Split(':')[0]).ToHashSet();

    private static IEnumerable<Sequence> Candidates(Sequence s)
    {
        // Whole items, last first.
        for (int i = s.Items.Count - 1; i >= 0; i--)
            if (s.Items.Count > 1) yield return s.With(items: WithoutItem(s.Items, i));
        // Setup instructions.
        for (int i = 0; i < s.Items.Count; i++)
            for (int k = s.Items[i].Insns.Count - 1; k >= 0; k--)
                if (s.Items[i].Setup[k])
                {
                    var items = s.Items.ToList();
                    Item copy = items[i].Clone();
                    copy.RemoveAt(k);
                    items[i] = copy;
                    yield return s.With(items: items);
                }
        // Initial state.
        if (!s.Init.ZeroMemory) { var z = s.Init.Clone(); z.ZeroMemory = true; yield return s.With(init: z); }
        uint plainFlags = 0x202 | (s.Init.Eflags & Layout.DF);
        if (s.Init.Eflags != plainFlags) { var f = s.Init.Clone(); f.Eflags = plainFlags; yield return s.With(init: f); }
        if ((s.Init.Eflags & Layout.DF) != 0) { var f = s.Init.Clone(); f.Eflags &= ~Layout.DF; yield return s.With(init: f); }
        for (int r = 0; r < 8; r++)
        {
            if (r == 4) continue;
            foreach (uint v in new uint[] { 0, 1 })
                if (s.Init.Regs[r] != v && (v == 0 || s.Init.Regs[r] > 1))
                {
                    var c = s.Init.Clone();
                    c.Regs[r] = v;
                    yield return s.With(init: c);
                }
        }
        // The x87 state: registers emptied (tag 11, contents kept), a plain control word, no
        // status bits but TOP.
        {
            byte[] f = s.Init.Fpu;
            uint tw = FpuImage.Tw(f), cw = FpuImage.Cw(f), sw = FpuImage.Sw(f);
            for (int p = 0; p < 8; p++)
                if (((tw >> (2 * p)) & 3) != 3)
                {
                    var c = s.Init.Clone();
                    c.Fpu = FpuImage.WithWords(f, cw, sw, tw | 3u << (2 * p));
                    yield return s.With(init: c);
                }
            if ((cw & 0x3F) != 0x3F) { var c = s.Init.Clone(); c.Fpu = FpuImage.WithWords(f, cw | 0x3F, sw, tw); yield return s.With(init: c); }
            if ((cw & 0xFFC0) != 0x0340) { var c = s.Init.Clone(); c.Fpu = FpuImage.WithWords(f, (cw & 0x3F) | 0x0340, sw, tw); yield return s.With(init: c); }
            if ((sw & ~0x3800u) != 0) { var c = s.Init.Clone(); c.Fpu = FpuImage.WithWords(f, cw, sw & 0x3800, tw); yield return s.With(init: c); }
        }
        // Immediates and prefixes.
        for (int i = 0; i < s.Items.Count; i++)
            for (int k = 0; k < s.Items[i].Insns.Count; k++)
            {
                if (s.Items[i].AddressImm[k].Kind != RefKind.None) continue;
                Instruction insn = s.Items[i].Insns[k];
                foreach (Instruction simpler in Simpler(insn))
                {
                    var items = s.Items.ToList();
                    Item copy = items[i].Clone();
                    copy.Insns[k] = simpler;
                    items[i] = copy;
                    yield return s.With(items: items);
                }
            }
    }

    private static IEnumerable<Instruction> Simpler(Instruction insn)
    {
        if (insn.HasLockPrefix) { var c = insn; c.HasLockPrefix = false; yield return c; }
        if (insn.SegmentPrefix != Register.None) { var c = insn; c.SegmentPrefix = Register.None; yield return c; }
        for (int op = 0; op < insn.OpCount; op++)
        {
            OpKind kind = insn.GetOpKind(op);
            if (kind is not (OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate8to16 or OpKind.Immediate8to32)) continue;
            if (insn.Mnemonic is Mnemonic.Enter or Mnemonic.Ret) continue;
            ulong value = insn.GetImmediate(op);
            foreach (ulong v in new ulong[] { 0, 1 })
            {
                if (value == v || (v == 1 && value == 0)) continue;
                var c = insn;
                switch (kind)
                {
                    case OpKind.Immediate8: c.Immediate8 = (byte)v; break;
                    case OpKind.Immediate16: c.Immediate16 = (ushort)v; break;
                    case OpKind.Immediate32: c.Immediate32 = (uint)v; break;
                    case OpKind.Immediate8to16: c.Immediate8to16 = (short)v; break;
                    default: c.Immediate8to32 = (int)v; break;
                }
                yield return c;
            }
        }
    }

    private static List<Item> WithoutItem(List<Item> items, int removed)
    {
        var result = new List<Item>();
        for (int i = 0; i < items.Count; i++)
        {
            if (i == removed) continue;
            Item copy = items[i].Clone();
            for (int k = 0; k < copy.Insns.Count; k++)
            {
                copy.Branch[k] = Shift(copy.Branch[k], removed);
                copy.AddressImm[k] = Shift(copy.AddressImm[k], removed);
            }
            result.Add(copy);
        }
        return result;
    }

    private static Ref Shift(Ref r, int removed) =>
        r.Kind == RefKind.Item && r.Index > removed ? Ref.ToItem(r.Index - 1) : r;

    // ------------------------------------------------------------------ printing

    /// <summary>The sequence as assembly (Intel syntax, with addresses and bytes) and its initial state.</summary>
    public static string Listing(CompiledSequence seq)
    {
        var sb = new StringBuilder();
        InitialState init = seq.Source.Init;
        sb.Append("  initial:  ");
        for (int i = 0; i < 8; i++) sb.Append($"{Outcome.RegNames[i]}={init.Regs[i]:x8} ");
        sb.AppendLine($"eflags={init.Eflags:x8}");
        sb.AppendLine(init.ZeroMemory
            ? "            data buffer zero-filled"
            : $"            data buffer {Layout.DataBase:x8}..{Layout.DataEnd - 1:x8} from seed 0x{init.MemorySeed:x16} (DataFill)");
        if (!FpuImage.IsInitial(init.Fpu)) sb.AppendLine(FpuImage.Describe(init.Fpu)[1..]);
        var decoder = Iced.Intel.Decoder.Create(32, new ByteArrayCodeReader(seq.Code), Layout.CodeBase);
        var formatter = new NasmFormatter();
        formatter.Options.FirstOperandCharIndex = 8;
        var output = new StringOutput();
        while (decoder.IP < seq.EndEip)
        {
            decoder.Decode(out Instruction insn);
            formatter.Format(insn, output);
            string bytes = Convert.ToHexString(seq.Code, (int)(insn.IP - Layout.CodeBase), insn.Length).ToLowerInvariant();
            sb.AppendLine($"    {insn.IP32:x8}  {bytes,-30} {output.ToStringAndReset()}");
        }
        sb.AppendLine($"    {seq.EndEip:x8}  (end)");
        return sb.ToString();
    }

    public static string Report(string backend, CompiledSequence original, Result r)
    {
        var sb = new StringBuilder();
        uint mask = r.Seq.MaskAt(r.Hardware.Eip);
        sb.AppendLine($"--- mismatch on {backend}: seed {original.Source.Seed} index {original.Source.Index} "
            + $"({string.Join(" ", original.Source.Items.Select(i => i.Family))}); reduced from {original.Offsets.Length} to {r.Seq.Offsets.Length} instructions");
        sb.Append(Listing(r.Seq));
        sb.AppendLine($"  hardware:  {r.Hardware.Describe(mask)}");
        sb.AppendLine($"  transmeta: {r.Transmeta.Describe(mask)}");
        sb.AppendLine($"  compared EFLAGS bits: {Comparison.FlagNames(mask)}");
        foreach (string d in r.Differences) sb.AppendLine($"  * {d}");
        return sb.ToString();
    }

    /// <summary>What identifies a bug for de-duplication: the mnemonics of the reduced sequence
    /// and the kinds of difference.</summary>
    public static string Signature(Result r) =>
        string.Join(" ", r.Seq.Source.Flat.Select(i => i.Mnemonic)) + " | " + string.Join(" ", Kinds(r.Differences).Order());
}
