using Iced.Intel;

namespace Transmeta.DiffTest;

/// <summary>Where a branch goes (or which label's address an immediate holds): nowhere, an
/// instruction of the same item (<see cref="Index"/> = the item's instruction count means "after
/// the item"), or the first instruction of item <see cref="Index"/> (the item count: the end).</summary>
public enum RefKind : byte { None, Local, Item }

public readonly record struct Ref(RefKind Kind, int Index)
{
    public static Ref None => default;
    public static Ref Local(int index) => new(RefKind.Local, index);
    public static Ref ToItem(int index) => new(RefKind.Item, index);
}

/// <summary>One step of a sequence: the instruction under test, usually alone, sometimes with
/// setup instructions before it (a base register pointed into the data buffer, a count for a
/// string instruction...) or a small group (PUSH imm + POPF, CALL/RET). Reduction removes whole
/// items and individual setup instructions.</summary>
public sealed class Item
{
    public Item(string family) => Family = family;

    public string Family { get; }
    public List<Instruction> Insns { get; } = new();
    /// <summary>Per instruction: its branch target (direct branches are encoded with it;
    /// indirect ones carry it so the analysis knows where control goes).</summary>
    public List<Ref> Branch { get; } = new();
    /// <summary>Per instruction: its 32-bit immediate is the address of this label.</summary>
    public List<Ref> AddressImm { get; } = new();
    /// <summary>Per instruction: a setup instruction the reducer may drop on its own.</summary>
    public List<bool> Setup { get; } = new();

    public Item Add(in Instruction insn, bool setup = false, Ref branch = default, Ref addressImm = default)
    {
        Insns.Add(insn);
        Setup.Add(setup);
        Branch.Add(branch);
        AddressImm.Add(addressImm);
        return this;
    }

    /// <summary>Inserts a setup instruction at <paramref name="index"/> (before the instruction there).</summary>
    public void InsertSetup(int index, in Instruction insn)
    {
        Insns.Insert(index, insn);
        Setup.Insert(index, true);
        Branch.Insert(index, Ref.None);
        AddressImm.Insert(index, Ref.None);
        for (int k = 0; k < Insns.Count; k++)
            if (Branch[k].Kind == RefKind.Local && Branch[k].Index >= index && k != index) Branch[k] = Ref.Local(Branch[k].Index + 1);
    }

    public Item Clone()
    {
        var c = new Item(Family);
        for (int i = 0; i < Insns.Count; i++) c.Add(Insns[i], Setup[i], Branch[i], AddressImm[i]);
        return c;
    }

    public void RemoveAt(int i)
    {
        Insns.RemoveAt(i);
        Setup.RemoveAt(i);
        Branch.RemoveAt(i);
        AddressImm.RemoveAt(i);
        for (int k = 0; k < Insns.Count; k++)
            if (Branch[k].Kind == RefKind.Local && Branch[k].Index > i) Branch[k] = Ref.Local(Branch[k].Index - 1);
    }
}

/// <summary>Registers (Iced order: EAX ECX EDX EBX ESP EBP ESI EDI), EFLAGS and the data buffer
/// contents (from a seed, or all zero) a sequence starts with. EIP is <see cref="Layout.CodeBase"/>.</summary>
public sealed class InitialState
{
    public uint[] Regs { get; init; } = new uint[8];
    public uint Eflags { get; set; } = 0x202;
    public ulong MemorySeed { get; set; }
    public bool ZeroMemory { get; set; }
    /// <summary>The x87 state: a 32-bit protected-mode FNSAVE image (108 bytes) the harness
    /// loads with FRSTOR (default: the state FNINIT leaves).</summary>
    public byte[] Fpu { get; set; } = FpuImage.Initial();

    public InitialState Clone() => new()
    {
        Regs = (uint[])Regs.Clone(), Eflags = Eflags, MemorySeed = MemorySeed, ZeroMemory = ZeroMemory,
        Fpu = (byte[])Fpu.Clone(),
    };
}

/// <summary>A generated sequence: f(seed, index).</summary>
public sealed class Sequence
{
    public required InitialState Init { get; init; }
    public required List<Item> Items { get; init; }
    public ulong Seed { get; init; }
    public long Index { get; init; }

    public Sequence With(InitialState? init = null, List<Item>? items = null) => new()
    {
        Init = init ?? Init, Items = items ?? Items, Seed = Seed, Index = Index,
    };

    public IEnumerable<Instruction> Flat => Items.SelectMany(i => i.Insns);
}

/// <summary>A sequence ready to run: its bytes (without the final jump each side appends), where
/// each instruction starts, and the EFLAGS bits that are defined before each instruction and at
/// the end (from <see cref="FlagAnalysis"/>).</summary>
public sealed class CompiledSequence
{
    public required Sequence Source { get; init; }
    public required byte[] Code { get; init; }
    /// <summary>Offset of each instruction (in <see cref="Sequence.Flat"/> order) from the code base.</summary>
    public required int[] Offsets { get; init; }
    /// <summary>EFLAGS bits compared if instruction k faults (it changed nothing).</summary>
    public required uint[] MaskBefore { get; init; }
    public required uint FinalMask { get; init; }
    /// <summary>Per instruction: general registers (bit r, Iced order) not compared when it faults.</summary>
    public required byte[] RegsMaskedAtFault { get; init; }
    /// <summary>Per instruction, x87 state compared if it faults: the low 16 bits are the
    /// compared status-word bits, bits 16..23 the physical registers compared loosely
    /// (transcendental results: <see cref="FpuImage.Close"/>).</summary>
    public required uint[] FpuMaskBefore { get; init; }
    public required uint FinalFpuMask { get; init; }
    /// <summary>Bytes of the data buffer not compared, as [Start, End) addresses: the parts of
    /// FXSAVE images that hold no x87 state (see <see cref="FxImage"/>). Sequences with any are
    /// compared byte by byte (both sides return the buffer) rather than by hash.</summary>
    public (uint Start, uint End)[] MaskedMemory { get; init; } = [];

    /// <summary>Whether the byte at <paramref name="address"/> is compared.</summary>
    public bool Compared(uint address)
    {
        foreach (var (start, end) in MaskedMemory)
            if (address - start < end - start) return false;
        return true;
    }

    public uint FpuMaskAt(uint eip)
    {
        if (eip == EndEip) return FinalFpuMask;
        int k = IndexAt(eip);
        return k >= 0 ? FpuMaskBefore[k] : FinalFpuMask;
    }

    public uint EndEip => Layout.CodeBase + (uint)Code.Length;

    /// <summary>General registers not compared for a run that faulted at <paramref name="eip"/>.</summary>
    /// <summary>The instruction that holds <paramref name="eip"/> (a fault may report the
    /// address of a part of one: FSTSW is WAIT + FNSTSW), or -1.</summary>
    public int IndexAt(uint eip)
    {
        int off = (int)(eip - Layout.CodeBase);
        if (eip < Layout.CodeBase || off >= Code.Length) return -1;
        int k = Array.BinarySearch(Offsets, off);
        return k >= 0 ? k : ~k - 1;
    }

    public byte RegsMaskedAt(uint eip)
    {
        int k = IndexAt(eip);
        return k >= 0 ? RegsMaskedAtFault[k] : (byte)0;
    }

    /// <summary>The compared EFLAGS bits for a run that stopped at <paramref name="eip"/>.</summary>
    public uint MaskAt(uint eip)
    {
        if (eip == EndEip) return FinalMask;
        int k = IndexAt(eip);
        return k >= 0 ? MaskBefore[k] : FinalMask;
    }
}

/// <summary>Encodes a sequence with Iced's BlockEncoder (branches resolved between items).</summary>
public static class SequenceEncoder
{
    private const ulong FakeIpBase = 0x1000_0000;
    private const ulong FakeIpStep = 0x10;

    /// <summary>The bytes and per-instruction offsets, or null when the sequence cannot be encoded.</summary>
    public static (byte[] Code, int[] Offsets)? Encode(Sequence seq)
    {
        var flat = new List<Instruction>();
        var itemStart = new int[seq.Items.Count + 1];
        for (int i = 0; i < seq.Items.Count; i++)
        {
            itemStart[i] = flat.Count;
            flat.AddRange(seq.Items[i].Insns);
        }
        itemStart[seq.Items.Count] = flat.Count;
        int total = flat.Count;

        int Resolve(int item, Ref r) => r.Kind switch
        {
            RefKind.Local => itemStart[item] + r.Index,
            RefKind.Item => itemStart[Math.Min(r.Index, seq.Items.Count)],
            _ => -1,
        };

        var insns = new Instruction[total + 1];
        var addressRefs = new List<(int Insn, int Target)>();
        int g = 0;
        for (int i = 0; i < seq.Items.Count; i++)
        {
            Item item = seq.Items[i];
            for (int k = 0; k < item.Insns.Count; k++, g++)
            {
                Instruction insn = item.Insns[k];
                insn.IP = FakeIpBase + (ulong)g * FakeIpStep;
                int target = Resolve(i, item.Branch[k]);
                if (target >= 0 && insn.Op0Kind == OpKind.NearBranch32)
                    insn.NearBranch32 = (uint)(FakeIpBase + (ulong)target * FakeIpStep);
                int address = Resolve(i, item.AddressImm[k]);
                if (address >= 0) addressRefs.Add((g, address));
                insns[g] = insn;
            }
        }
        var end = Instruction.Create(Code.Nopd);
        end.IP = FakeIpBase + (ulong)total * FakeIpStep;
        insns[total] = end;

        // Pass 1 lays the code out; pass 2 (only with label-address immediates, whose size does
        // not depend on their value) fills the addresses in.
        var result = TryEncode(insns);
        if (result is null) return null;
        if (addressRefs.Count > 0)
        {
            foreach (var (insn, target) in addressRefs)
                SetImmediate32(ref insns[insn], Layout.CodeBase + (uint)result.Value.Offsets[target]);
            result = TryEncode(insns);
            if (result is null) return null;
        }
        var (code, offsets) = result.Value;
        int length = offsets[total];
        if (length > Layout.MaxCode) return null;
        return (code[..length], offsets[..total]);
    }

    private static void SetImmediate32(ref Instruction insn, uint value)
    {
        for (int op = 0; op < insn.OpCount; op++)
            if (insn.GetOpKind(op) == OpKind.Immediate32) { insn.Immediate32 = value; return; }
        throw new InvalidOperationException($"{insn} has no 32-bit immediate");
    }

    private static (byte[] Code, int[] Offsets)? TryEncode(Instruction[] insns)
    {
        foreach (var options in new[] { BlockEncoderOptions.DontFixBranches, BlockEncoderOptions.None })
        {
            var writer = new BytesWriter();
            var block = new InstructionBlock(writer, insns, Layout.CodeBase);
            if (BlockEncoder.TryEncode(32, block, out _, out BlockEncoderResult result,
                    options | BlockEncoderOptions.ReturnNewInstructionOffsets))
            {
                var offsets = result.NewInstructionOffsets.Select(o => (int)o).ToArray();
                return (writer.ToArray(), offsets);
            }
        }
        return null;
    }

    private sealed class BytesWriter : CodeWriter
    {
        private readonly List<byte> _bytes = new(64);
        public override void WriteByte(byte value) => _bytes.Add(value);
        public byte[] ToArray() => _bytes.ToArray();
    }
}
