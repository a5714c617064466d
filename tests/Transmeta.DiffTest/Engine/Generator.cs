using Iced.Intel;
using Transmeta.Frontend.Lifters;
using static Iced.Intel.Register;

namespace Transmeta.DiffTest;

/// <summary>
/// Generates random instruction sequences: <see cref="Make"/> is a pure function of (seed,
/// index). Each sequence has 1..8 items drawn from the family table (<see cref="Families"/>), a
/// random initial state (registers, EFLAGS, data buffer) and is valid by construction: an item
/// is kept only if <see cref="FlagAnalysis"/> accepts it (memory inside the buffer, no read of an
/// undefined flag), adding setup instructions (pointing a base register into the buffer, a count
/// into ECX) where a random operand would not be.
/// </summary>
public sealed class Generator
{
    public const int MaxItems = 20;

    /// <summary>Share of sequences with 9..<see cref="MaxItems"/> items (the rest have 1..8).</summary>
    public static double LongFraction { get; set; } = 0.1;

    /// <summary>Share of sequences made mostly of x87 instructions.</summary>
    public static double X87HeavyFraction { get; set; } = 0.35;

    private Rng _rng = new(0);
    private FlagAnalysis? _analysis;

    /// <summary>Setup instructions the FXRSTOR images of the sequence may still take (a whole
    /// image is about 30 MOVs: the code page holds a few).</summary>
    public int ImageBudget { get; set; }

    /// <summary>The state before the item being generated.</summary>
    public AbsState State { get; private set; } = new();
    public int ItemIndex { get; private set; }
    public int ItemCount { get; private set; }
    public Rng Rng => _rng;

    public Sequence Make(ulong seed, long index)
    {
        _rng = new Rng(SplitMix64.Mix(seed, (ulong)index));
        InitialState init = MakeInitialState();
        // A third of the sequences are mostly x87 (with integer instructions mixed in); the
        // rest have an x87 instruction now and then.
        bool x87Heavy = _rng.Chance(X87HeavyFraction);
        ItemCount = _rng.Chance(LongFraction) ? _rng.Range(9, MaxItems) : _rng.Range(1, 8);
        _analysis = new FlagAnalysis(init);
        ImageBudget = 48;
        var items = new List<Item>();
        for (ItemIndex = 0; ItemIndex < ItemCount; ItemIndex++)
        {
            Item? chosen = null;
            for (int attempt = 0; attempt < 40 && chosen is null; attempt++)
            {
                State = _analysis.Peek();
                Family family = Families.Pick(_rng, x87Heavy);
                Item? item = family.Make(this, _rng.Pick(family.Codes));
                if (item is not null && _analysis.TryAdd(item) is null) chosen = item;
            }
            if (chosen is null)
            {
                chosen = new Item("nop").Add(Instruction.Create(Code.Nopd));
                _analysis.TryAdd(chosen);
            }
            items.Add(chosen);
        }
        return new Sequence { Init = init, Items = items, Seed = seed, Index = index };
    }

    private InitialState MakeInitialState()
    {
        var init = new InitialState();
        for (int r = 0; r < 8; r++)
        {
            if (r == 4) continue;
            int p = _rng.Next(100);
            init.Regs[r] = p switch
            {
                < 30 => _rng.NextU32(),
                < 45 => (uint)_rng.Next(17),
                < 52 => 0u - (uint)_rng.Range(1, 16),
                < 65 => SpecialValue(32),
                _ => DataPointer(4),
            };
        }
        if (_rng.Chance(0.3)) init.Regs[1] = (uint)_rng.Next(13);
        uint esp = Layout.StackLow + (uint)_rng.Next((int)(Layout.StackHigh - Layout.StackLow) / 4) * 4;
        if (_rng.Chance(0.02)) esp = Layout.DataBase + 4 * (uint)_rng.Next(8); // pushes soon fault
        else if (_rng.Chance(0.01)) esp = Layout.DataEnd - (uint)_rng.Next(12); // pops soon fault
        if (_rng.Chance(1.0 / 16)) esp += (uint)_rng.Range(1, 3);
        init.Regs[4] = esp;
        uint flags = 0x202 | (_rng.NextU32() & Layout.StatusFlags);
        if (_rng.Chance(0.25)) flags |= Layout.DF;
        if (_rng.Chance(0.05)) flags |= Layout.NT;
        if (_rng.Chance(0.05)) flags |= Layout.ID;
        init.Eflags = flags;
        init.MemorySeed = _rng.NextU64();
        init.ZeroMemory = _rng.Chance(0.03);
        init.Fpu = X87Family.InitialFpu(_rng);
        return init;
    }

    // ------------------------------------------------------------------ values

    private static readonly uint[] Specials =
    [
        0, 1, 2, 0x7F, 0x80, 0x81, 0xFF, 0x100, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x10000,
        0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFF, 0xFFFF_FFFE, 0x5555_5555, 0xAAAA_AAAA,
    ];

    public uint SpecialValue(int bits)
    {
        uint mask = bits == 32 ? 0xFFFF_FFFF : (1u << bits) - 1;
        uint sign = 1u << (bits - 1);
        return _rng.Next(4) switch
        {
            0 => sign,
            1 => sign - 1,
            2 => mask,
            _ => _rng.Pick(Specials),
        } & mask;
    }

    /// <summary>An immediate of <paramref name="bits"/> bits (zero-extended).</summary>
    public uint Imm(int bits)
    {
        uint mask = bits == 32 ? 0xFFFF_FFFF : (1u << bits) - 1;
        return _rng.Next(10) switch
        {
            < 3 => (uint)_rng.Next(17),
            3 => 0u - (uint)_rng.Range(1, 16),
            < 6 => SpecialValue(bits),
            _ => _rng.NextU32(),
        } & mask;
    }

    public uint DataPointer(int size)
    {
        uint p = Layout.DataBase + (uint)_rng.Next((int)Layout.DataSize - size + 1);
        return _rng.Chance(0.5) ? p & ~(uint)(size - 1) : p;
    }

    /// <summary>An address for an access of <paramref name="size"/> bytes inside the buffer:
    /// anywhere, across the page boundary in the middle, or near the stack pointer.</summary>
    public uint Target(int size)
    {
        if (_rng.Chance(0.015)) return GuardTarget(size);
        int r = _rng.Next(10);
        if (r < 2)
            return Layout.DataBase + 0x1000 - (uint)size + (uint)_rng.Next(2 * size);
        if (r < 4 && State.TryGet(4, out uint esp) && Layout.InData(esp - 64, 128 + (uint)size))
            return esp - 64 + (uint)_rng.Next(129);
        return DataPointer(size);
    }

    /// <summary>An address whose access faults: across either end of the buffer or just outside.</summary>
    public uint GuardTarget(int size) => _rng.Next(4) switch
    {
        0 => Layout.DataBase - (uint)_rng.Range(1, Math.Max(1, size - 1)),
        1 => Layout.DataEnd - (uint)size + (uint)_rng.Range(1, Math.Max(1, size - 1)),
        2 => Layout.DataBase - (uint)_rng.Range(size, 64),
        _ => Layout.DataEnd + (uint)_rng.Next(64),
    };

    // ------------------------------------------------------------------ registers

    private static readonly Register[] R8 = [AL, CL, DL, BL, AH, CH, DH, BH];
    private static readonly Register[] R16 = [AX, CX, DX, BX, SP, BP, SI, DI];
    private static readonly Register[] R32 = [EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI];

    /// <summary>A register index, ESP a third as likely as the others.</summary>
    public int RegIndex()
    {
        int r = _rng.Next(22);
        return r < 21 ? r / 3 + (r / 3 >= 4 ? 1 : 0) : 4;
    }

    public Register Gpr(int bits) => bits switch
    {
        8 => R8[_rng.Next(8)],
        16 => R16[RegIndex()],
        _ => R32[RegIndex()],
    };

    public static Register Reg32(int index) => R32[index];

    public Instruction MovImm(int reg, uint value) => Instruction.Create(Code.Mov_r32_imm32, R32[reg], value);

    // ------------------------------------------------------------------ memory operands

    /// <summary>Makes operand <paramref name="op"/> of <paramref name="insn"/> a memory operand
    /// addressing the buffer with a random ModRM/SIB form; setup instructions that give its
    /// registers suitable values are appended to <paramref name="setup"/>; <paramref name="at"/>:
    /// the address (else a random <see cref="Target"/>).</summary>
    public bool Memory(ref Instruction insn, int op, int size, bool writes, List<Instruction> setup, uint? at = null)
    {
        uint target = at ?? Target(size);
        Register seg = None;
        if (_rng.Chance(0.2))
        {
            seg = _rng.Pick(new[] { DS, ES, SS, CS });
            if (seg == CS && writes) seg = DS; // a CS write faults natively (read-only code segment)
        }

        int form = _rng.Next(20);
        int b = -1, x = -1, scale = 1;
        int dispKind = _rng.Pick(new[] { 0, 1, 4 });
        if (form < 3) dispKind = 4;
        else if (form < 12) b = RegIndex();
        else if (form < 18) { b = RegIndex(); x = IndexReg(); scale = _rng.Pick(new[] { 1, 2, 4, 8 }); }
        else { x = IndexReg(); scale = _rng.Pick(new[] { 1, 2, 4, 8 }); dispKind = 4; }

        var values = (uint[])State.Value.Clone();
        byte known = State.Known;
        bool Known(int r) => (known & (1 << r)) != 0;
        void Set(int r, uint v) { setup.Add(MovImm(r, v)); values[r] = v; known |= (byte)(1 << r); }

        uint disp;
        if (b >= 0 && b == x)
        {
            if (!Known(b)) Set(b, (uint)_rng.Range(-64, 64));
            dispKind = 4;
            disp = target - values[b] * (uint)(scale + 1);
        }
        else
        {
            uint indexPart = 0;
            if (x >= 0)
            {
                if (!Known(x) || (_rng.Chance(0.2) && dispKind != 4)) Set(x, (uint)_rng.Range(-64, 64));
                indexPart = values[x] * (uint)scale;
            }
            if (b < 0)
            {
                dispKind = 4;
                disp = target - indexPart;
            }
            else
            {
                disp = dispKind switch { 0 => 0, 1 => (uint)_rng.Range(-128, 127), _ => _rng.Chance(0.5) ? (uint)_rng.Range(-0x800, 0x800) : _rng.NextU32() };
                if (Known(b) && dispKind == 4 && _rng.Chance(0.6)) disp = target - indexPart - values[b];
                else if (!Known(b) || values[b] + indexPart + disp != target)
                {
                    if (b == 4)
                    {
                        if (!Known(4)) return false;
                        dispKind = 4;
                        disp = target - indexPart - values[4];
                    }
                    else Set(b, target - indexPart - disp);
                }
            }
        }

        insn.SetOpKind(op, OpKind.Memory);
        insn.MemoryBase = b >= 0 ? R32[b] : None;
        insn.MemoryIndex = x >= 0 ? R32[x] : None;
        insn.MemoryIndexScale = scale;
        insn.MemoryDisplacement32 = disp;
        insn.MemoryDisplSize = b < 0 ? 4 : dispKind;
        insn.SegmentPrefix = seg;
        return true;
    }

    private int IndexReg()
    {
        int r;
        do r = _rng.Next(8); while (r == 4);
        return r;
    }

    /// <summary>A memory operand for LEA: any form, any values (nothing is accessed).</summary>
    public void AnyAddress(ref Instruction insn, int op)
    {
        insn.SetOpKind(op, OpKind.Memory);
        int form = _rng.Next(4);
        insn.MemoryBase = form == 3 ? None : R32[RegIndex()];
        insn.MemoryIndex = form >= 2 ? R32[IndexReg()] : None;
        insn.MemoryIndexScale = insn.MemoryIndex == None ? 1 : _rng.Pick(new[] { 1, 2, 4, 8 });
        int dispKind = insn.MemoryBase == None ? 4 : _rng.Pick(new[] { 0, 1, 4 });
        insn.MemoryDisplacement32 = dispKind switch { 0 => 0, 1 => (uint)_rng.Range(-128, 127), _ => Imm(32) };
        insn.MemoryDisplSize = dispKind;
    }

    // ------------------------------------------------------------------ generic instructions

    /// <summary>Builds an instruction of <paramref name="code"/> with random operands of the
    /// kinds its encoding takes (register or memory for r/m, immediates, fixed registers). Null
    /// for operand kinds a family must build itself (branches, string operands).</summary>
    public Item? Generic(string family, Code code, Func<Instruction, Instruction>? adjust = null, List<Instruction>? setup = null)
    {
        OpCodeInfo info = code.ToOpCode();
        var insn = new Instruction { Code = code };
        setup ??= new List<Instruction>();
        bool memoryDone = false;
        bool writesMemory = Writes0(code);
        for (int i = 0; i < info.OpCount; i++)
        {
            OpCodeOperandKind kind = info.GetOpKind(i);
            switch (kind)
            {
                case OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode:
                    SetReg(ref insn, i, Gpr(8)); break;
                case OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode:
                    SetReg(ref insn, i, Gpr(16)); break;
                case OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_rm or OpCodeOperandKind.r32_opcode:
                    SetReg(ref insn, i, Gpr(32)); break;
                case OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem:
                {
                    int bits = kind == OpCodeOperandKind.r8_or_mem ? 8 : kind == OpCodeOperandKind.r16_or_mem ? 16 : 32;
                    if (!memoryDone && _rng.Chance(0.4))
                    {
                        memoryDone = true;
                        if (code.Mnemonic() == Mnemonic.Nop) AnyAddress(ref insn, i);
                        else if (!Memory(ref insn, i, insn.MemorySize.GetSize(), writesMemory && i == 0, setup)) return null;
                    }
                    else SetReg(ref insn, i, Gpr(bits));
                    break;
                }
                case OpCodeOperandKind.mem:
                    memoryDone = true;
                    if (code.Mnemonic() == Mnemonic.Lea) AnyAddress(ref insn, i);
                    else if (!Memory(ref insn, i, insn.MemorySize.GetSize(), writesMemory && i == 0, setup)) return null;
                    break;
                case OpCodeOperandKind.mem_offs:
                {
                    memoryDone = true;
                    int size = insn.MemorySize.GetSize();
                    insn.SetOpKind(i, OpKind.Memory);
                    insn.MemoryDisplacement32 = Target(size);
                    insn.MemoryDisplSize = 4;
                    if (_rng.Chance(0.2)) insn.SegmentPrefix = _rng.Pick(new[] { DS, ES, SS });
                    break;
                }
                case OpCodeOperandKind.imm8:
                    insn.SetOpKind(i, OpKind.Immediate8); insn.Immediate8 = (byte)Imm(8); break;
                case OpCodeOperandKind.imm8_const_1:
                    insn.SetOpKind(i, OpKind.Immediate8); insn.Immediate8 = 1; break;
                case OpCodeOperandKind.imm16:
                    insn.SetOpKind(i, OpKind.Immediate16); insn.Immediate16 = (ushort)Imm(16); break;
                case OpCodeOperandKind.imm32:
                    insn.SetOpKind(i, OpKind.Immediate32); insn.Immediate32 = Imm(32); break;
                case OpCodeOperandKind.imm8sex16:
                    insn.SetOpKind(i, OpKind.Immediate8to16); insn.Immediate8to16 = (sbyte)Imm(8); break;
                case OpCodeOperandKind.imm8sex32:
                    insn.SetOpKind(i, OpKind.Immediate8to32); insn.Immediate8to32 = (sbyte)Imm(8); break;
                case OpCodeOperandKind.al: SetReg(ref insn, i, AL); break;
                case OpCodeOperandKind.cl: SetReg(ref insn, i, CL); break;
                case OpCodeOperandKind.ax: SetReg(ref insn, i, AX); break;
                case OpCodeOperandKind.dx: SetReg(ref insn, i, DX); break;
                case OpCodeOperandKind.eax: SetReg(ref insn, i, EAX); break;
                case OpCodeOperandKind.seg_reg: SetReg(ref insn, i, ES + _rng.Next(6)); break;
                case OpCodeOperandKind.es: SetReg(ref insn, i, ES); break;
                case OpCodeOperandKind.cs: SetReg(ref insn, i, CS); break;
                case OpCodeOperandKind.ss: SetReg(ref insn, i, SS); break;
                case OpCodeOperandKind.ds: SetReg(ref insn, i, DS); break;
                case OpCodeOperandKind.fs: SetReg(ref insn, i, FS); break;
                case OpCodeOperandKind.gs: SetReg(ref insn, i, GS); break;
                case OpCodeOperandKind.st0: SetReg(ref insn, i, ST0); break;
                case OpCodeOperandKind.sti_opcode: SetReg(ref insn, i, ST0 + _rng.Next(8)); break;
                default: return null;
            }
        }
        if (info.CanUseLockPrefix && insn.Op0Kind == OpKind.Memory && _rng.Chance(0.25)) insn.HasLockPrefix = true;
        // Now and then a LOCK where it is not allowed (a register destination, an instruction
        // that takes none): #UD on both sides.
        else if (_rng.Chance(0.003)) insn.HasLockPrefix = true;
        if (adjust is not null) insn = adjust(insn);
        var item = new Item(family);
        foreach (Instruction s in setup) item.Add(s, setup: true);
        item.Add(insn);
        return item;
    }

    private static void SetReg(ref Instruction insn, int op, Register reg)
    {
        insn.SetOpKind(op, OpKind.Register);
        insn.SetOpRegister(op, reg);
    }

    /// <summary>Whether operand 0 of <paramref name="code"/> is written (for the CS-override rule).</summary>
    private static bool Writes0(Code code) => code.Mnemonic() is not (Mnemonic.Cmp or Mnemonic.Test or Mnemonic.Bt
        or Mnemonic.Push or Mnemonic.Mul or Mnemonic.Imul or Mnemonic.Div or Mnemonic.Idiv or Mnemonic.Nop);

    // ------------------------------------------------------------------ supported encodings

    private static readonly HashSet<CpuidFeature> PlainIntegerFeatures =
    [
        CpuidFeature.INTEL8086, CpuidFeature.INTEL186, CpuidFeature.INTEL286, CpuidFeature.INTEL386,
        CpuidFeature.INTEL486, CpuidFeature.CX8, CpuidFeature.CMOV, CpuidFeature.PAUSE, CpuidFeature.MULTIBYTENOP,
        CpuidFeature.FPU, CpuidFeature.FPU287, CpuidFeature.FPU387, CpuidFeature.FXSR,
    ];

    /// <summary>Every legacy 32-bit-mode encoding (Iced <see cref="Code"/>) of a mnemonic the
    /// frontend lifts, on a plain i686 integer unit, with why it is left out (null: generated).</summary>
    public static IEnumerable<(Code Code, string? Excluded)> SupportedEncodings()
    {
        foreach (Code code in Enum.GetValues<Code>())
        {
            OpCodeInfo op = code.ToOpCode();
            if (!op.IsInstruction || !op.Mode32 || op.Encoding != EncodingKind.Legacy) continue;
            if (!AllLifters.Table.Supports(code.Mnemonic())) continue;
            if (!code.CpuidFeatures().All(PlainIntegerFeatures.Contains)) continue;
            yield return (code, ExclusionReason(code, op));
        }
    }

    private static string? ExclusionReason(Code code, OpCodeInfo op)
    {
        Mnemonic m = code.Mnemonic();
        var kinds = Enumerable.Range(0, op.OpCount).Select(op.GetOpKind).ToArray();
        if (m is Mnemonic.In or Mnemonic.Out or Mnemonic.Insb or Mnemonic.Insw or Mnemonic.Insd or Mnemonic.Outsb
            or Mnemonic.Outsw or Mnemonic.Outsd or Mnemonic.Hlt or Mnemonic.Cli or Mnemonic.Sti or Mnemonic.Cpuid or Mnemonic.Rdtsc)
            return "sensitive (a hypercall under Transmeta, privileged or host-specific natively)";
        if (kinds.Any(k => k is OpCodeOperandKind.cr_reg or OpCodeOperandKind.dr_reg or OpCodeOperandKind.tr_reg))
            return "privileged register move";
        if ((m == Mnemonic.Pop && kinds.Any(k => k is OpCodeOperandKind.es or OpCodeOperandKind.cs or OpCodeOperandKind.ss
                or OpCodeOperandKind.ds or OpCodeOperandKind.fs or OpCodeOperandKind.gs))
            || (m == Mnemonic.Mov && kinds.Length > 0 && kinds[0] == OpCodeOperandKind.seg_reg))
            return "segment register load (descriptor tables: not user-level integer code)";
        if (kinds.Any(k => k is OpCodeOperandKind.farbr2_2 or OpCodeOperandKind.farbr4_2) || code is Code.Call_m1616 or Code.Call_m1632
            or Code.Jmp_m1616 or Code.Jmp_m1632)
            return "far transfer";
        if (m is Mnemonic.Call or Mnemonic.Jmp or Mnemonic.Ret || Families.IsJcc(m) || m is Mnemonic.Loop or Mnemonic.Loope or Mnemonic.Loopne or Mnemonic.Jcxz or Mnemonic.Jecxz)
        {
            if (op.OperandSize == 16) return "16-bit operand size branch (EIP truncated to 16 bits leaves the code page)";
        }
        if (code == Code.Bswap_r16) return "undefined by the SDM (BSWAP r16)";
        return null;
    }
}
