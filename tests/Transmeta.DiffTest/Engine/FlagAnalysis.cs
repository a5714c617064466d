using Iced.Intel;

namespace Transmeta.DiffTest;

/// <summary>
/// What is known at a point of a sequence: which general registers hold a value known at
/// generation time (all of them at the start: the initial state is chosen by the generator), and
/// which arithmetic flags may be undefined (Iced <see cref="RflagsBits"/>: OF SF ZF AF CF PF).
/// </summary>
public sealed class AbsState
{
    public readonly uint[] Value = new uint[8];
    public byte Known;      // bit r: register r (Iced order) holds Value[r]
    public byte Undefined;  // RflagsBits of flags that may be undefined
    /// <summary>x87: TOP (when <see cref="FpuTopKnown"/>), the condition codes (status-word bits)
    /// that may be undefined, and the physical registers holding a transcendental result
    /// (compared loosely, never used as an operand but by moves).</summary>
    public int FpuTop;
    public bool FpuTopKnown = true;
    public uint CcUndefined;
    public byte Tainted;
    /// <summary>Buffer bytes [Start, End) whose contents differ between the sides by design (the
    /// parts of FXSAVE images that are no x87 state, <see cref="FxImage"/>): not compared, and no
    /// later instruction may read them.</summary>
    public List<(uint Start, uint End)> Unpredictable = new();

    public bool ReadsUnpredictable(uint address, uint size)
    {
        foreach (var (start, end) in Unpredictable)
            if ((ulong)address + size > start && address < end) return true;
        return false;
    }

    public static AbsState Initial(InitialState init)
    {
        var s = new AbsState { Known = 0xFF, FpuTop = FpuImage.Top(init.Fpu) };
        init.Regs.CopyTo(s.Value, 0);
        return s;
    }

    /// <summary>The x87 part of the comparison mask (see <see cref="CompiledSequence.FpuMaskBefore"/>).</summary>
    public uint FpuMask => (0xFFFF & ~CcUndefined) | (uint)(FpuTopKnown || Tainted == 0 ? Tainted : 0xFF) << 16;

    public bool TryGet(int reg, out uint value)
    {
        value = Value[reg];
        return (Known & (1 << reg)) != 0;
    }

    public void Set(int reg, uint value)
    {
        Value[reg] = value;
        Known |= (byte)(1 << reg);
    }

    public void Forget(int reg) => Known &= (byte)~(1 << reg);

    public AbsState Clone()
    {
        var c = new AbsState { Known = Known, Undefined = Undefined, FpuTop = FpuTop, FpuTopKnown = FpuTopKnown,
            CcUndefined = CcUndefined, Tainted = Tainted, Unpredictable = new(Unpredictable) };
        Value.CopyTo(c.Value, 0);
        return c;
    }

    /// <summary>Where two paths join: known only if known and equal on both; undefined if on either.</summary>
    public void MergeFrom(AbsState other)
    {
        for (int r = 0; r < 8; r++)
            if ((other.Known & (1 << r)) == 0 || other.Value[r] != Value[r]) Forget(r);
        Undefined |= other.Undefined;
        if (other.FpuTop != FpuTop || !other.FpuTopKnown) FpuTopKnown = false;
        CcUndefined |= other.CcUndefined;
        Tainted |= other.Tainted;
        if (!FpuTopKnown && Tainted != 0) Tainted = 0xFF;
        foreach (var range in other.Unpredictable)
            if (!Unpredictable.Contains(range)) Unpredictable.Add(range);
    }

    /// <summary>EFLAGS bits (of <see cref="Layout.ComparedFlags"/>) that are defined.</summary>
    public uint DefinedEflags => Layout.ComparedFlags & ~FlagBits.ToEflags(Undefined);
}

public static class FlagBits
{
    public const byte OF = 1, SF = 2, ZF = 4, AF = 8, CF = 0x10, PF = 0x20, Arithmetic = 0x3F;

    public static uint ToEflags(byte bits)
    {
        uint e = 0;
        if ((bits & OF) != 0) e |= 0x800;
        if ((bits & SF) != 0) e |= 0x80;
        if ((bits & ZF) != 0) e |= 0x40;
        if ((bits & AF) != 0) e |= 0x10;
        if ((bits & CF) != 0) e |= 0x1;
        if ((bits & PF) != 0) e |= 0x4;
        return e;
    }

    public static string Names(byte bits)
    {
        var names = new List<string>();
        if ((bits & CF) != 0) names.Add("CF");
        if ((bits & PF) != 0) names.Add("PF");
        if ((bits & AF) != 0) names.Add("AF");
        if ((bits & ZF) != 0) names.Add("ZF");
        if ((bits & SF) != 0) names.Add("SF");
        if ((bits & OF) != 0) names.Add("OF");
        return string.Join(" ", names);
    }
}

/// <summary>
/// Walks a sequence the way the processor may run it (forward branches only) and decides
/// (1) whether it is valid: every memory access provably inside the data buffer or its guard
/// pages (where it faults: a fault is an outcome compared like any other), no instruction
/// reading a flag the SDM leaves undefined at that point, no instruction in a case whose result
/// the SDM leaves undefined (16-bit SHLD/SHRD with a count above 16); and (2) which EFLAGS bits are
/// defined before each instruction and at the end. A flag an instruction leaves undefined
/// (Iced's <see cref="Instruction.RflagsUndefined"/>, refined below for counts) becomes defined
/// again when a later instruction writes it; where paths join, a flag undefined on either path is
/// undefined.
/// </summary>
public sealed class FlagAnalysis
{
    private readonly InstructionInfoFactory _info = new();
    private readonly Dictionary<int, AbsState> _pending = new();
    private AbsState _state;
    private int _items;

    public FlagAnalysis(InitialState init) => _state = AbsState.Initial(init);

    /// <summary>The state after the items added so far (before the next item, without joins).</summary>
    public AbsState Current => _state;

    /// <summary>The state at the start of the next item (with the branches that target it).</summary>
    public AbsState Peek()
    {
        if (!_pending.TryGetValue(_items, out AbsState? incoming)) return _state;
        AbsState s = _state.Clone();
        s.MergeFrom(incoming);
        return s;
    }

    /// <summary>Analyses the whole sequence: null if it is invalid (<paramref name="why"/> says why).</summary>
    public static CompiledSequence? Compile(Sequence seq, out string? why)
    {
        var encoded = SequenceEncoder.Encode(seq);
        if (encoded is null) { why = "cannot encode"; return null; }
        var a = new FlagAnalysis(seq.Init);
        var masks = new List<uint>();
        var fpuMasks = new List<uint>();
        foreach (Item item in seq.Items)
        {
            why = a.TryAdd(item, masks, fpuMasks);
            if (why is not null) return null;
        }
        var regsAtFault = seq.Flat.Select(RegsMaskedIfFaulting).ToArray();
        why = null;
        return new CompiledSequence
        {
            Source = seq,
            Code = encoded.Value.Code,
            Offsets = encoded.Value.Offsets,
            MaskBefore = masks.ToArray(),
            FinalMask = a.Peek().DefinedEflags,
            RegsMaskedAtFault = regsAtFault,
            FpuMaskBefore = fpuMasks.ToArray(),
            FinalFpuMask = a.Peek().FpuMask,
            MaskedMemory = a.Peek().Unpredictable.ToArray(),
        };
    }

    /// <summary>Registers an instruction may have written when it faults partway. The SDM's
    /// fault model restores the state before the instruction (Transmeta does), but the host (an
    /// AMD EPYC) has already written the registers a POPA popped before the access that faults.</summary>
    private static byte RegsMaskedIfFaulting(Instruction insn) =>
        insn.Mnemonic is Mnemonic.Popa or Mnemonic.Popad ? (byte)0xEF : (byte)0;

    /// <summary>Adds an item if the sequence stays valid; returns null, or why it would not.</summary>
    public string? TryAdd(Item item, List<uint>? masksBefore = null, List<uint>? fpuMasksBefore = null)
    {
        AbsState s = Peek().Clone();
        var branches = new List<(int Target, AbsState State)>();
        var masks = new List<uint>();
        var fpuMasks = new List<uint>();
        for (int k = 0; k < item.Insns.Count; k++)
        {
            masks.Add(s.DefinedEflags);
            fpuMasks.Add(s.FpuMask);
            string? why = Step(s, item.Insns[k]);
            if (why is not null) return $"{item.Insns[k]}: {why}";
            // A label's address is known only once the sequence is laid out.
            if (item.AddressImm[k].Kind != RefKind.None && item.Insns[k].Op0Kind == OpKind.Register)
                s.Forget(RegIndex(item.Insns[k].Op0Register));
            if (item.Branch[k].Kind == RefKind.Item)
            {
                if (item.Branch[k].Index <= _items) return "backward branch";
                branches.Add((item.Branch[k].Index, s.Clone()));
            }
        }
        // Commit.
        _pending.Remove(_items);
        foreach (var (target, state) in branches)
        {
            if (_pending.TryGetValue(target, out AbsState? other)) other.MergeFrom(state);
            else _pending[target] = state;
        }
        _state = s;
        _items++;
        masksBefore?.AddRange(masks);
        fpuMasksBefore?.AddRange(fpuMasks);
        return null;
    }

    // ------------------------------------------------------------------ one instruction

    private string? Step(AbsState s, in Instruction insn)
    {
        var (read, modified, undefined, mayKeep) = Effect(insn, s);
        if ((read & s.Undefined) != 0) return $"reads undefined {FlagBits.Names((byte)(read & s.Undefined))}";
        string? why = CheckOperands(s, insn) ?? X87Analysis.Step(s, insn);
        if (why is not null) return why;
        // FXSAVE: the image's XMM and reserved areas are not compared (FxImage). The address is
        // known: CheckOperands accepts no memory operand it cannot place.
        if (insn.Code == Code.Fxsave_m512byte && TryAddress(s, insn, out uint fx))
            s.Unpredictable.Add((fx + FxImage.MaskedStart, fx + FxImage.MaskedEnd));
        UpdateRegisters(s, insn);
        s.Undefined = mayKeep
            ? (byte)(s.Undefined | undefined)
            : (byte)((s.Undefined & ~modified) | undefined);
        return null;
    }

    /// <summary>Flags read, modified and left undefined; <c>mayKeep</c>: the instruction may
    /// leave every flag as it was (a count not known at generation time may be zero).</summary>
    private static (byte Read, byte Modified, byte Undefined, bool MayKeep) Effect(in Instruction insn, AbsState s)
    {
        byte read = (byte)((int)insn.RflagsRead & FlagBits.Arithmetic);
        byte modified = (byte)((int)insn.RflagsModified & FlagBits.Arithmetic);
        byte undefined = (byte)((int)insn.RflagsUndefined & FlagBits.Arithmetic);
        Mnemonic m = insn.Mnemonic;
        bool shift = m is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar;
        bool rotate = m is Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr;
        bool doubleShift = m is Mnemonic.Shld or Mnemonic.Shrd;
        if (shift || rotate || doubleShift)
        {
            int bits = OperandBits(insn);
            int countOp = doubleShift ? 2 : 1;
            int? count = CountOf(insn, countOp, s);
            // SDM: a masked count of 0 affects no flag. Shifts: AF undefined, OF undefined unless
            // the count is 1, CF undefined for SHL/SHR when the count is at least the operand
            // size. Rotates change CF and OF only, OF undefined unless the masked count is 1.
            byte all = rotate ? (byte)(FlagBits.CF | FlagBits.OF) : FlagBits.Arithmetic;
            byte readCf = m is Mnemonic.Rcl or Mnemonic.Rcr ? FlagBits.CF : (byte)0;
            if (count is int c)
            {
                if (c == 0) return (0, 0, 0, false);
                byte undef = rotate ? (byte)0 : FlagBits.AF;
                if (c != 1) undef |= FlagBits.OF;
                if (m is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr && c >= bits) undef |= FlagBits.CF;
                return (readCf, all, undef, false);
            }
            byte maxUndef = rotate ? FlagBits.OF : (byte)(FlagBits.AF | FlagBits.OF);
            if (m is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr && bits < 32) maxUndef |= FlagBits.CF;
            return (readCf, all, maxUndef, true);
        }
        if (m is Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd
            && (insn.HasRepePrefix || insn.HasRepnePrefix))
        {
            if (!s.TryGet(1, out uint ecx)) return (read, modified, undefined, true);
            if (ecx == 0) return (0, 0, 0, false);
        }
        return (read, modified, undefined, false);
    }

    private static int OperandBits(in Instruction insn) => insn.Op0Kind == OpKind.Register
        ? insn.Op0Register.GetSize() * 8
        : insn.MemorySize.GetSize() * 8;

    /// <summary>The masked (5-bit) count of a shift, if known.</summary>
    private static int? CountOf(in Instruction insn, int op, AbsState s)
    {
        if (insn.GetOpKind(op) == OpKind.Register)
            return s.TryGet(1, out uint ecx) ? (int)(ecx & 31) : null;
        return (int)(insn.GetImmediate(op) & 31);
    }

    // ------------------------------------------------------------------ memory and operand checks

    private const string Unpredictable = "reads bytes of an FXSAVE image that are not compared";

    private string? CheckOperands(AbsState s, in Instruction insn)
    {
        Mnemonic m = insn.Mnemonic;
        if (m is Mnemonic.Shld or Mnemonic.Shrd && OperandBits(insn) == 16)
        {
            // SDM: a count above the operand size leaves the result and the flags undefined.
            int? count = CountOf(insn, 2, s);
            if (count is null) return "16-bit double shift by an unknown CL";
            if (count > 16) return "16-bit double shift by more than 16";
        }

        switch (m)
        {
            case Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Stosb or Mnemonic.Stosw or Mnemonic.Stosd
                or Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd or Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd
                or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd:
                return CheckString(s, insn);
            case Mnemonic.Xlatb:
            {
                if (!s.TryGet(3, out uint ebx)) return "xlat with unknown EBX";
                if (s.TryGet(0, out uint eax))
                    return s.ReadsUnpredictable(ebx + (eax & 0xFF), 1) ? Unpredictable
                        : Layout.InDataOrGuard(ebx + (eax & 0xFF), 1) ? null : "xlat outside the buffer";
                if (s.ReadsUnpredictable(ebx, 256)) return Unpredictable;
                return Layout.InDataOrGuard(ebx, 256) ? null : "xlat table outside the buffer";
            }
            case Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc
                when insn.Op0Kind == OpKind.Memory && insn.Op1Kind == OpKind.Register:
            {
                // The register is a signed bit offset from the operand (SDM "Bit(BitBase, BitOffset)").
                if (!TryAddress(s, insn, out uint ea)) return "bit test with an unknown address";
                if (!s.TryGet(RegIndex(insn.Op1Register), out uint offset)) return "bit test with an unknown offset";
                int size = insn.MemorySize.GetSize();
                int delta = size == 4 ? ((int)offset >> 5) * 4 : ((short)offset >> 4) * 2;
                if (s.ReadsUnpredictable(ea + (uint)delta, (uint)size)) return Unpredictable;
                return Layout.InDataOrGuard(ea + (uint)delta, (uint)size) ? null : "bit test outside the buffer";
            }
            case Mnemonic.Lea or Mnemonic.Nop:
                return null;
        }

        InstructionInfo info = _info.GetInfo(insn);
        foreach (UsedMemory mem in info.GetUsedMemory())
        {
            if (mem.Access == OpAccess.NoMemAccess) continue;
            if (mem.Segment is Register.FS or Register.GS) return "fs/gs access";
            uint address = (uint)mem.Displacement;
            if (mem.Base != Register.None)
            {
                if (!s.TryGet(RegIndex(mem.Base), out uint b)) return $"unknown base {mem.Base}";
                address += b;
            }
            if (mem.Index != Register.None)
            {
                if (!s.TryGet(RegIndex(mem.Index), out uint x)) return $"unknown index {mem.Index}";
                address += x * (uint)mem.Scale;
            }
            int size = mem.MemorySize.GetSize();
            if (size == 0) return $"memory access of unknown size ({mem.MemorySize})";
            if (!Layout.InDataOrGuard(address, (uint)size)) return $"access at {address:x8} outside the buffer";
            // FXRSTOR loads only the first FxImage.X87Bytes as x87 state (the rest goes to the
            // host's XMM registers, which nothing compares).
            int read = m == Mnemonic.Fxrstor ? FxImage.X87Bytes : size;
            if (mem.Access is OpAccess.Read or OpAccess.CondRead or OpAccess.ReadWrite or OpAccess.ReadCondWrite
                && s.ReadsUnpredictable(address, (uint)read))
                return Unpredictable;
        }
        return null;
    }

    private static string? CheckString(AbsState s, in Instruction insn)
    {
        Mnemonic m = insn.Mnemonic;
        int size = m switch
        {
            Mnemonic.Movsb or Mnemonic.Stosb or Mnemonic.Lodsb or Mnemonic.Cmpsb or Mnemonic.Scasb => 1,
            Mnemonic.Movsw or Mnemonic.Stosw or Mnemonic.Lodsw or Mnemonic.Cmpsw or Mnemonic.Scasw => 2,
            _ => 4,
        };
        bool addr16 = insn.Op0Kind is OpKind.MemorySegSI or OpKind.MemoryESDI
            || (insn.OpCount > 1 && insn.Op1Kind is OpKind.MemorySegSI or OpKind.MemoryESDI);
        uint count = 1;
        if (insn.HasRepPrefix || insn.HasRepePrefix || insn.HasRepnePrefix)
        {
            if (!s.TryGet(1, out count)) return "rep with unknown ECX";
            if (addr16) count &= 0xFFFF;
            if (count > 64) return "rep count above 64";
            if (count == 0) return null;
        }
        // With a 0x67 prefix the pointers are SI and DI: below 64 KiB, where nothing is mapped
        // (natively or here), so the first access faults.
        if (addr16) return null;
        bool src = m is not (Mnemonic.Stosb or Mnemonic.Stosw or Mnemonic.Stosd or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd);
        bool dst = m is not (Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd);
        // Either direction (DF is not tracked): [p - (n-1)*size, p + n*size).
        uint span = (count - 1) * (uint)size;
        if (src && (!s.TryGet(6, out uint esi) || !Layout.InDataOrGuard(esi - span, span * 2 + (uint)size))) return "string source outside the buffer";
        if (dst && (!s.TryGet(7, out uint edi) || !Layout.InDataOrGuard(edi - span, span * 2 + (uint)size))) return "string destination outside the buffer";
        if (src && s.TryGet(6, out uint from) && s.ReadsUnpredictable(from - span, span * 2 + (uint)size)) return Unpredictable;
        // CMPS and SCAS read their destination.
        bool readsDst = m is Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd;
        if (readsDst && s.TryGet(7, out uint to) && s.ReadsUnpredictable(to - span, span * 2 + (uint)size)) return Unpredictable;
        return null;
    }

    /// <summary>The effective address of the explicit memory operand, if its registers are known.</summary>
    public static bool TryAddress(AbsState s, in Instruction insn, out uint address)
    {
        address = insn.MemoryDisplacement32;
        if (insn.MemoryBase != Register.None)
        {
            if (!s.TryGet(RegIndex(insn.MemoryBase), out uint b)) return false;
            address += b;
        }
        if (insn.MemoryIndex != Register.None)
        {
            if (!s.TryGet(RegIndex(insn.MemoryIndex), out uint x)) return false;
            address += x * (uint)insn.MemoryIndexScale;
        }
        return true;
    }

    /// <summary>Iced order index (EAX=0 .. EDI=7) of any view of a general register.</summary>
    public static int RegIndex(Register r)
    {
        Register full = r.GetFullRegister32();
        return full - Register.EAX;
    }

    // ------------------------------------------------------------------ register values

    private void UpdateRegisters(AbsState s, in Instruction insn)
    {
        // What the few instructions worth tracking compute (from the values before).
        var results = new List<(int Reg, uint Value)>(2);
        Evaluate(s, insn, results);

        // Everything else an instruction writes becomes unknown; ESP moves by Iced's increment.
        InstructionInfo info = _info.GetInfo(insn);
        bool espWritten = false;
        foreach (UsedRegister used in info.GetUsedRegisters())
        {
            if (used.Access is not (OpAccess.Write or OpAccess.ReadWrite or OpAccess.CondWrite or OpAccess.ReadCondWrite)) continue;
            if (!used.Register.IsGPR()) continue;
            int r = RegIndex(used.Register);
            if (r == 4) { espWritten = true; continue; }
            s.Forget(r);
        }
        if (espWritten)
        {
            bool explicitEsp = false;
            for (int op = 0; op < insn.OpCount; op++)
                if (insn.GetOpKind(op) == OpKind.Register && RegIndex(insn.GetOpRegister(op)) == 4
                    && info.GetOpAccess(op) is OpAccess.Write or OpAccess.ReadWrite or OpAccess.CondWrite or OpAccess.ReadCondWrite)
                    explicitEsp = true;
            int increment = insn.StackPointerIncrement;
            if (!explicitEsp && increment != 0 && s.TryGet(4, out uint esp)) s.Set(4, esp + (uint)increment);
            else s.Forget(4);
        }
        foreach (var (reg, value) in results) s.Set(reg, value);
    }

    private static void Evaluate(AbsState s, Instruction insn, List<(int, uint)> results)
    {
        bool Get(int op, out uint v)
        {
            switch (insn.GetOpKind(op))
            {
                case OpKind.Register when insn.GetOpRegister(op).IsGPR32():
                    return s.TryGet(RegIndex(insn.GetOpRegister(op)), out v);
                case OpKind.Immediate32 or OpKind.Immediate8to32 or OpKind.Immediate8:
                    v = (uint)insn.GetImmediate(op);
                    return true;
                default:
                    v = 0;
                    return false;
            }
        }
        bool dst32 = insn.OpCount > 0 && insn.Op0Kind == OpKind.Register && insn.Op0Register.IsGPR32();
        int d = dst32 ? RegIndex(insn.Op0Register) : -1;
        uint a, b;
        switch (insn.Mnemonic)
        {
            case Mnemonic.Mov when dst32 && Get(1, out b):
                results.Add((d, b));
                break;
            case Mnemonic.Mov when insn.Op0Kind == OpKind.Register && insn.Op0Register.IsGPR8()
                                   && insn.Op1Kind == OpKind.Immediate8:
            {
                int r = RegIndex(insn.Op0Register);
                if (s.TryGet(r, out uint old))
                {
                    int shift = insn.Op0Register >= Register.AH ? 8 : 0;
                    results.Add((r, (old & ~(0xFFu << shift)) | ((uint)insn.Immediate8 << shift)));
                }
                break;
            }
            case Mnemonic.Lea when dst32 && insn.MemoryBase.GetSize() != 2 && TryAddress(s, insn, out a):
                results.Add((d, a));
                break;
            case Mnemonic.Xchg when dst32 && insn.Op1Kind == OpKind.Register && insn.Op1Register.IsGPR32():
            {
                int r1 = RegIndex(insn.Op1Register);
                if (s.TryGet(d, out a) && s.TryGet(r1, out b)) { results.Add((d, b)); results.Add((r1, a)); }
                break;
            }
            case Mnemonic.Add when dst32 && Get(0, out a) && Get(1, out b): results.Add((d, a + b)); break;
            case Mnemonic.Sub when dst32 && Get(0, out a) && Get(1, out b): results.Add((d, a - b)); break;
            case Mnemonic.And when dst32 && Get(0, out a) && Get(1, out b): results.Add((d, a & b)); break;
            case Mnemonic.Or when dst32 && Get(0, out a) && Get(1, out b): results.Add((d, a | b)); break;
            case Mnemonic.Xor when dst32 && insn.Op1Kind == OpKind.Register && insn.Op1Register == insn.Op0Register:
                results.Add((d, 0));
                break;
            case Mnemonic.Xor when dst32 && Get(0, out a) && Get(1, out b): results.Add((d, a ^ b)); break;
            case Mnemonic.Inc when dst32 && Get(0, out a): results.Add((d, a + 1)); break;
            case Mnemonic.Dec when dst32 && Get(0, out a): results.Add((d, a - 1)); break;
            case Mnemonic.Not when dst32 && Get(0, out a): results.Add((d, ~a)); break;
            case Mnemonic.Neg when dst32 && Get(0, out a): results.Add((d, 0 - a)); break;
            case Mnemonic.Loop or Mnemonic.Loope or Mnemonic.Loopne
                when insn.Code.ToOpCode().AddressSize != 16 && s.TryGet(1, out a):
                results.Add((1, a - 1));
                break;
            case Mnemonic.Enter when insn.Code == Code.Enterd_imm16_imm8 && s.TryGet(4, out a):
                results.Add((5, a - 4));
                // push EBP, level-1 copies and the frame pointer when level > 0, then the frame.
                results.Add((4, a - 4 - 4 * (uint)(insn.Immediate8_2nd & 31) - insn.Immediate16));
                break;
            case Mnemonic.Leave when insn.Code == Code.Leaved && s.TryGet(5, out a):
                results.Add((4, a + 4));
                break;
        }
    }
}
