using Iced.Intel;
using static Iced.Intel.Register;

namespace Transmeta.DiffTest;

/// <summary>One instruction family of the generator: the encodings it covers and how it builds
/// an item from one of them (null when it cannot at this point of the sequence).</summary>
public sealed class Family(string name, double weight, IReadOnlyList<Code> codes, Func<Generator, Code, Item?> make)
{
    public string Name { get; } = name;
    public double Weight { get; } = weight;
    public IReadOnlyList<Code> Codes { get; } = codes;
    public Item? Make(Generator g, Code code) => make(g, code);
}

/// <summary>
/// The family table. Each family is a list of Iced encodings plus a builder; most use the
/// generic builder (random operands of the kinds the encoding takes) with a few family rules
/// (shift counts, divisor setup, string pointers, branch targets). The x87 family
/// (<see cref="X87Family"/>) covers every x87 encoding, with ST(i) and m16..m80 operands, the
/// environment and state images, and FXSAVE/FXRSTOR (<see cref="FxImage"/>). <see cref="Uncovered"/> lists supported encodings no family generates, so a lifter
/// added later without a family shows up in the tests.
/// </summary>
public static class Families
{
    public static bool IsJcc(Mnemonic m) => m is Mnemonic.Jo or Mnemonic.Jno or Mnemonic.Jb or Mnemonic.Jae or Mnemonic.Je
        or Mnemonic.Jne or Mnemonic.Jbe or Mnemonic.Ja or Mnemonic.Js or Mnemonic.Jns or Mnemonic.Jp or Mnemonic.Jnp
        or Mnemonic.Jl or Mnemonic.Jge or Mnemonic.Jle or Mnemonic.Jg;

    private static readonly Code[] Generated = Generator.SupportedEncodings().Where(e => e.Excluded is null).Select(e => e.Code).ToArray();

    private static Code[] Of(Func<Mnemonic, bool> which) => Generated.Where(c => which(c.Mnemonic())).ToArray();
    private static Code[] Of(params Mnemonic[] ms) => Of(ms.Contains);

    public static IReadOnlyList<Family> All { get; } = Build();
    private static readonly double TotalWeight = All.Sum(f => f.Weight);
    private static readonly Family X87 = All.First(f => f.Name == "x87");

    /// <summary>Weight of the x87 family in an x87-heavy sequence (else its table weight).</summary>
    public const double X87HeavyWeight = 250;

    public static Family Pick(Rng rng, bool x87Heavy = false)
    {
        double total = x87Heavy ? TotalWeight - X87.Weight + X87HeavyWeight : TotalWeight;
        double x = (rng.NextU64() >> 11) * (1.0 / (1ul << 53)) * total;
        foreach (Family f in All)
        {
            double w = x87Heavy && f == X87 ? X87HeavyWeight : f.Weight;
            if (x < w) return f;
            x -= w;
        }
        return All[^1];
    }


    /// <summary>Supported encodings (not excluded) that no family generates.</summary>
    public static IEnumerable<Code> Uncovered()
    {
        var covered = All.SelectMany(f => f.Codes).ToHashSet();
        return Generated.Where(c => !covered.Contains(c));
    }

    private static List<Family> Build() =>
    [
        new("alu", 14, Of(Mnemonic.Add, Mnemonic.Or, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Sub, Mnemonic.Xor,
            Mnemonic.Cmp, Mnemonic.Test), (g, c) => g.Generic("alu", c)),
        new("unary", 5, Of(Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not), (g, c) => g.Generic("unary", c)),
        new("muldiv", 6, Of(Mnemonic.Mul, Mnemonic.Imul, Mnemonic.Div, Mnemonic.Idiv), MulDiv),
        new("shift", 6, Of(Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar), ShiftOrRotate),
        new("rotate", 5, Of(Mnemonic.Rol, Mnemonic.Ror, Mnemonic.Rcl, Mnemonic.Rcr), ShiftOrRotate),
        new("doubleshift", 4, Of(Mnemonic.Shld, Mnemonic.Shrd), DoubleShift),
        new("bits", 5, Of(Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc, Mnemonic.Bsf, Mnemonic.Bsr), Bits),
        new("move", 8, Of(Mnemonic.Mov, Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Lea, Mnemonic.Xchg, Mnemonic.Bswap),
            (g, c) => g.Generic("move", c)),
        new("atomic", 4, Of(Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Cmpxchg8b), Atomic),
        new("conditional", 5, Of(m => m.ToString().StartsWith("Set") || m.ToString().StartsWith("Cmov")),
            (g, c) => g.Generic("conditional", c)),
        new("convert", 3, Of(Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Xlatb), Convert),
        new("flags", 4, Of(Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Cld, Mnemonic.Std, Mnemonic.Lahf, Mnemonic.Sahf,
            Mnemonic.Pushf, Mnemonic.Pushfd, Mnemonic.Popf, Mnemonic.Popfd), Flags),
        new("stack", 6, Of(Mnemonic.Push, Mnemonic.Pop, Mnemonic.Pusha, Mnemonic.Pushad, Mnemonic.Popa, Mnemonic.Popad,
            Mnemonic.Enter, Mnemonic.Leave), Stack),
        new("string", 5, Of(m => m.ToString() is var s && s.Length == 5 && s[..4] is "Movs" or "Stos" or "Lods" or "Cmps" or "Scas"),
            String),
        new("bcd", 3, Of(Mnemonic.Daa, Mnemonic.Das, Mnemonic.Aaa, Mnemonic.Aas, Mnemonic.Aam, Mnemonic.Aad), Bcd),
        new("branch", 6, Of(m => IsJcc(m) || m is Mnemonic.Jmp or Mnemonic.Call or Mnemonic.Ret or Mnemonic.Loop
            or Mnemonic.Loope or Mnemonic.Loopne or Mnemonic.Jcxz or Mnemonic.Jecxz), Branch),
        new("nop", 0.5, Of(Mnemonic.Nop, Mnemonic.Pause), (g, c) => g.Generic("nop", c)),
        new("ud2", 0.1, Of(Mnemonic.Ud2), (g, c) => g.Generic("ud2", c)),
        new("x87", 3, Generated.Where(c => X87Analysis.IsX87(new Instruction { Code = c })).ToArray(), X87Family.Make),
    ];

    // ------------------------------------------------------------------ family rules

    /// <summary>DIV/IDIV: half the time a setup that makes the quotient fit (zero or sign-extend
    /// the high half); otherwise #DE is likely, and a fault is an outcome to compare too.</summary>
    private static Item? MulDiv(Generator g, Code code)
    {
        var setup = new List<Instruction>();
        Mnemonic m = code.Mnemonic();
        if (m is Mnemonic.Div or Mnemonic.Idiv && g.Rng.Chance(0.5))
        {
            int size = code.ToOpCode().OperandSize is 16 ? 2 : code.ToOpCode().OperandSize is 32 ? 4 : 1;
            bool signed = m == Mnemonic.Idiv;
            setup.Add(size switch
            {
                4 => signed ? Instruction.Create(Code.Cdq) : Instruction.Create(Code.Xor_r32_rm32, EDX, EDX),
                2 => signed ? Instruction.Create(Code.Cwd) : Instruction.Create(Code.Xor_r16_rm16, DX, DX),
                _ => signed ? Instruction.Create(Code.Cbw) : Instruction.Create(Code.Mov_r8_imm8, AH, 0),
            });
        }
        return g.Generic("muldiv", code, setup: setup);
    }

    private static byte ShiftCount(Generator g) => g.Rng.Next(10) switch
    {
        < 6 => (byte)g.Rng.Next(34),
        < 8 => 1,
        _ => (byte)g.Rng.NextU32(),
    };

    /// <summary>Counts 0..33 mostly (the interesting edges: 0, 1, the width, 31, 32 = 0 masked);
    /// with CL, sometimes a setup MOV CL (the count is then constant at translation time too).</summary>
    private static Item? ShiftOrRotate(Generator g, Code code)
    {
        var setup = new List<Instruction>();
        bool usesCl = code.ToOpCode().GetOpKind(1) == OpCodeOperandKind.cl;
        if (usesCl && g.Rng.Chance(0.4)) setup.Add(Instruction.Create(Code.Mov_r8_imm8, CL, (uint)g.Rng.Next(41)));
        return g.Generic(code.Mnemonic() is Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr ? "rotate" : "shift",
            code, insn =>
            {
                if (!usesCl && insn.Op1Kind == OpKind.Immediate8 && code.ToOpCode().GetOpKind(1) == OpCodeOperandKind.imm8)
                    insn.Immediate8 = ShiftCount(g);
                return insn;
            }, setup);
    }

    /// <summary>SHLD/SHRD. 16-bit counts above 16 are undefined (SDM), so a 16-bit CL form gets
    /// a count of 0..16 in CL (a setup MOV CL when CL is not already known to hold one).</summary>
    private static Item? DoubleShift(Generator g, Code code)
    {
        var setup = new List<Instruction>();
        bool is16 = code.ToOpCode().OperandSize == 16;
        bool usesCl = code.ToOpCode().GetOpKind(2) == OpCodeOperandKind.cl;
        if (usesCl)
        {
            bool clOk = g.State.TryGet(1, out uint ecx) && (!is16 || (ecx & 31) <= 16);
            if (!clOk || g.Rng.Chance(0.3))
            {
                uint count = is16 ? (uint)g.Rng.Next(17) | (g.Rng.Chance(0.2) ? 0x20u : 0) : (uint)g.Rng.Next(41);
                setup.Add(Instruction.Create(Code.Mov_r8_imm8, CL, count));
            }
        }
        return g.Generic("doubleshift", code, insn =>
        {
            if (!usesCl)
                insn.Immediate8 = is16 ? (byte)(g.Rng.Next(17) | (g.Rng.Chance(0.1) ? 0x20 : 0)) : ShiftCount(g);
            return insn;
        }, setup);
    }

    /// <summary>BT* with a register bit offset and a memory operand may address far from the
    /// operand: the offset register gets a small signed value first unless it has one.</summary>
    private static Item? Bits(Generator g, Code code)
    {
        Item? item = g.Generic("bits", code);
        if (item is null) return null;
        Instruction insn = item.Insns[^1];
        if (insn.Mnemonic is Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc
            && insn.Op0Kind == OpKind.Memory && insn.Op1Kind == OpKind.Register)
        {
            int r = FlagAnalysis.RegIndex(insn.Op1Register);
            if (insn.MemoryBase != None && FlagAnalysis.RegIndex(insn.MemoryBase) == r) return null;
            if (insn.MemoryIndex != None && FlagAnalysis.RegIndex(insn.MemoryIndex) == r) return null;
            if (r == 4) return null;
            if (!g.State.TryGet(r, out uint v) || (int)v < -256 || (int)v > 511 || g.Rng.Chance(0.3))
            {
                item.InsertSetup(item.Insns.Count - 1, g.MovImm(r, (uint)g.Rng.Range(-200, 400)));
            }
        }
        return item;
    }

    /// <summary>XADD/CMPXCHG/CMPXCHG8B; CMPXCHG half the time with the accumulator (EDX:EAX)
    /// loaded from the destination first, so the exchange happens.</summary>
    private static Item? Atomic(Generator g, Code code)
    {
        Item? item = g.Generic("atomic", code);
        if (item is null || code.Mnemonic() == Mnemonic.Xadd || !g.Rng.Chance(0.5)) return item;
        Instruction insn = item.Insns[^1];
        int at = item.Insns.Count - 1;
        void Insert(Instruction setup) => item.InsertSetup(at++, setup);
        var mem = insn.Op0Kind == OpKind.Memory
            ? new MemoryOperand(insn.MemoryBase, insn.MemoryIndex, insn.MemoryIndexScale, (int)insn.MemoryDisplacement32, 4, false, insn.SegmentPrefix)
            : default;
        if (code == Code.Cmpxchg8b_m64)
        {
            // EAX and EDX must not be the operand's registers (they are about to change).
            if (insn.MemoryBase is EAX or EDX || insn.MemoryIndex is EAX or EDX) return item;
            Insert(Instruction.Create(Code.Mov_r32_rm32, EAX, mem));
            var high = new MemoryOperand(mem.Base, mem.Index, mem.Scale, mem.Displacement + 4, 4, false, mem.SegmentPrefix);
            Insert(Instruction.Create(Code.Mov_r32_rm32, EDX, high));
            return item;
        }
        int size = insn.Op0Kind == OpKind.Register ? insn.Op0Register.GetSize() : insn.MemorySize.GetSize();
        Register acc = size switch { 1 => AL, 2 => AX, _ => EAX };
        if (insn.Op0Kind == OpKind.Register)
            Insert(Instruction.Create(size switch { 1 => Code.Mov_r8_rm8, 2 => Code.Mov_r16_rm16, _ => Code.Mov_r32_rm32 }, acc, insn.Op0Register));
        else
        {
            if (insn.MemoryBase is EAX || insn.MemoryIndex is EAX) return item;
            Insert(Instruction.Create(size switch { 1 => Code.Mov_r8_rm8, 2 => Code.Mov_r16_rm16, _ => Code.Mov_r32_rm32 }, acc, mem));
        }
        return item;
    }

    private static Item? Convert(Generator g, Code code)
    {
        if (code != Code.Xlat_m8) return g.Generic("convert", code);
        var item = new Item("convert");
        if (!g.State.TryGet(3, out uint ebx) || !Layout.InData(ebx, 256) || g.Rng.Chance(0.2))
            item.Add(g.MovImm(3, Layout.DataBase + (uint)g.Rng.Next((int)Layout.DataSize - 256)), setup: true);
        Register seg = g.Rng.Chance(0.2) ? g.Rng.Pick(new[] { DS, ES, SS, CS }) : None;
        item.Add(Instruction.Create(Code.Xlat_m8, new MemoryOperand(EBX, AL, 1, 0, 0, false, seg)));
        return item;
    }

    /// <summary>POPF pops a value pushed just before (an immediate with only status flags, DF,
    /// IF = 1, and sometimes NT or ID: never TF or AC, which would trap natively), or what PUSHF
    /// pushed.</summary>
    private static Item? Flags(Generator g, Code code)
    {
        if (code is not (Code.Popfw or Code.Popfd)) return g.Generic("flags", code);
        var item = new Item("flags");
        bool word = code == Code.Popfw;
        if (g.Rng.Chance(0.3))
        {
            item.Add(Instruction.Create(word ? Code.Pushfw : Code.Pushfd));
        }
        else
        {
            uint value = 0x202 | (g.Rng.NextU32() & Layout.StatusFlags);
            if (g.Rng.Chance(0.3)) value |= Layout.DF;
            if (g.Rng.Chance(0.1)) value |= Layout.NT;
            if (!word && g.Rng.Chance(0.1)) value |= Layout.ID;
            item.Add(word ? Instruction.Create(Code.Push_imm16, (ushort)value) : Instruction.Create(Code.Pushd_imm32, value));
        }
        item.Add(Instruction.Create(code));
        return item;
    }

    private static Item? Stack(Generator g, Code code)
    {
        switch (code)
        {
            case Code.Pushd_ES or Code.Pushd_CS or Code.Pushd_SS or Code.Pushd_DS or Code.Pushd_FS or Code.Pushd_GS:
            {
                // PUSH Sreg with a 32-bit operand size writes 2 or 4 bytes (SDM: either is
                // allowed): clear the slot first so both give the same memory.
                if (!g.State.TryGet(4, out _)) return null;
                var item = new Item("stack");
                item.Add(Instruction.Create(Code.Pushd_imm8, 0));
                item.Add(Instruction.Create(Code.Lea_r32_m, ESP, new MemoryOperand(ESP, 4)));
                return g.Generic("stack", code) is { } push ? item.Add(push.Insns[^1]) : null;
            }
            case Code.Enterd_imm16_imm8 or Code.Enterw_imm16_imm8:
            {
                var item = new Item("stack");
                ushort frame = g.Rng.Next(4) switch { 0 => 0, 1 => (ushort)(4 * g.Rng.Next(5)), 2 => (ushort)g.Rng.Next(65), _ => 16 };
                int level = g.Rng.Next(8) switch { < 4 => 0, < 6 => 1, 6 => g.Rng.Range(2, 4), _ => 32 + g.Rng.Next(3) };
                if ((level & 31) > 1 && (!g.State.TryGet(5, out uint ebp) || !Layout.InData(ebp - 32, 32) || g.Rng.Chance(0.2)))
                    item.Add(g.MovImm(5, Layout.StackLow - 0x100 + (uint)g.Rng.Next(0x200) * 4), setup: true);
                item.Add(Instruction.Create(code, frame, level));
                return item;
            }
            case Code.Leaved or Code.Leavew:
            {
                var item = new Item("stack");
                if (!g.State.TryGet(5, out uint ebp) || ebp < Layout.DataBase + 0x600 || !Layout.InData(ebp, 4) || g.Rng.Chance(0.2))
                {
                    uint target = g.State.TryGet(4, out uint esp) && Layout.InData(esp, 64) && esp >= Layout.DataBase + 0x600
                        ? esp + 4 * (uint)g.Rng.Next(8)
                        : Layout.StackLow + 4 * (uint)g.Rng.Next(0x100);
                    if (g.Rng.Chance(0.05)) target = Layout.DataEnd - (uint)g.Rng.Range(1, 3); // the pop faults
                    item.Add(g.MovImm(5, target), setup: true);
                }
                item.Add(Instruction.Create(code));
                return item;
            }
            default:
                return g.Generic("stack", code);
        }
    }

    /// <summary>MOVS/STOS/LODS/CMPS/SCAS, with REP (REPE/REPNE for CMPS/SCAS) over a count of
    /// 0..16 and a source segment override; ESI/EDI point into the buffer (setup when needed).</summary>
    private static Item? String(Generator g, Code code)
    {
        Mnemonic m = code.Mnemonic();
        string name = m.ToString();
        string kind = name[..4];
        int size = name[4] switch { 'b' => 1, 'w' => 2, _ => 4 };
        bool compare = kind is "Cmps" or "Scas";
        RepPrefixKind rep = g.Rng.Next(5) switch
        {
            < 2 => RepPrefixKind.None,
            < 4 => RepPrefixKind.Repe,
            _ => compare ? RepPrefixKind.Repne : RepPrefixKind.Repe,
        };
        Register seg = g.Rng.Chance(0.2) ? g.Rng.Pick(new[] { DS, ES, SS, CS }) : None;
        var item = new Item("string");
        uint count = 1;
        if (rep != RepPrefixKind.None)
        {
            if (!g.State.TryGet(1, out count) || count > 16 || g.Rng.Chance(0.3))
            {
                count = g.Rng.Chance(0.1) ? 0 : (uint)g.Rng.Range(1, 16);
                item.Add(g.MovImm(1, count), setup: true);
            }
        }
        uint span = count == 0 ? 0 : (count - 1) * (uint)size;
        bool usesSrc = kind is "Movs" or "Lods" or "Cmps";
        bool usesDst = kind is not "Lods";
        uint? esiSet = null;
        void Pointer(int reg)
        {
            if (g.State.TryGet(reg, out uint p) && Layout.InData(p - span, 2 * span + (uint)size) && !g.Rng.Chance(0.2)) return;
            uint value = g.Rng.Next(20) switch
            {
                // Overlapping source and destination (MOVS copies element by element).
                < 4 when reg == 7 && esiSet is uint si => si + (uint)g.Rng.Range(-2 * size, 2 * size),
                // Near an end of the buffer: the string runs into an unmapped page and faults
                // in the middle (ECX/ESI/EDI must then be those of the faulting iteration).
                4 => Layout.DataBase + (uint)g.Rng.Next(24),
                5 => Layout.DataEnd - 1 - (uint)g.Rng.Next(24),
                _ => Layout.DataBase + 0x48 + (uint)g.Rng.Next((int)Layout.DataSize - 0x90),
            };
            if (reg == 6) esiSet = value;
            item.Add(g.MovImm(reg, value), setup: true);
        }
        if (usesSrc) Pointer(6);
        if (usesDst) Pointer(7);
        // Rarely a 0x67 prefix: SI/DI/CX, which point below 64 KiB and fault (unless CX = 0).
        int a = g.Rng.Chance(0.03) ? 16 : 32;
        Instruction insn = (kind, size) switch
        {
            ("Movs", 1) => Instruction.CreateMovsb(a, seg, rep),
            ("Movs", 2) => Instruction.CreateMovsw(a, seg, rep),
            ("Movs", _) => Instruction.CreateMovsd(a, seg, rep),
            ("Lods", 1) => Instruction.CreateLodsb(a, seg, rep),
            ("Lods", 2) => Instruction.CreateLodsw(a, seg, rep),
            ("Lods", _) => Instruction.CreateLodsd(a, seg, rep),
            ("Cmps", 1) => Instruction.CreateCmpsb(a, seg, rep),
            ("Cmps", 2) => Instruction.CreateCmpsw(a, seg, rep),
            ("Cmps", _) => Instruction.CreateCmpsd(a, seg, rep),
            ("Stos", 1) => Instruction.CreateStosb(a, rep),
            ("Stos", 2) => Instruction.CreateStosw(a, rep),
            ("Stos", _) => Instruction.CreateStosd(a, rep),
            ("Scas", 1) => Instruction.CreateScasb(a, rep),
            ("Scas", 2) => Instruction.CreateScasw(a, rep),
            _ => Instruction.CreateScasd(a, rep),
        };
        item.Add(insn);
        return item;
    }

    private static Item? Bcd(Generator g, Code code)
    {
        if (code is not (Code.Aam_imm8 or Code.Aad_imm8)) return g.Generic("bcd", code);
        uint imm = g.Rng.Next(10) switch
        {
            < 7 => 10,
            7 => code == Code.Aam_imm8 && g.Rng.Chance(0.5) ? 0u : 16,
            _ => (uint)g.Rng.Next(256),
        };
        return new Item("bcd").Add(Instruction.Create(code, imm));
    }

    /// <summary>Forward control transfers to a later item (or the end): Jcc, JMP, LOOPcc,
    /// JECXZ/JCXZ, CALL to an item; CALL/RET groups; indirect JMP/CALL through a register or the
    /// stack, and PUSH label + RET.</summary>
    private static Item? Branch(Generator g, Code code)
    {
        int target = g.Rng.Range(g.ItemIndex + 1, g.ItemCount);
        Ref to = Ref.ToItem(target);
        var item = new Item("branch");
        Mnemonic m = code.Mnemonic();
        switch (m)
        {
            case Mnemonic.Call when code == Code.Call_rel32_32:
                switch (g.Rng.Next(3))
                {
                    case 0: // call a later item; the return address stays on the stack
                        return item.Add(Instruction.CreateBranch(code, 0), branch: to);
                    case 1: // call next; pop reg (position-independent code's idiom)
                    {
                        int r = g.RegIndex();
                        if (r == 4) r = 0;
                        item.Add(Instruction.CreateBranch(code, 0), branch: Ref.Local(1));
                        return item.Add(Instruction.Create(Code.Pop_r32, Generator.Reg32(r)));
                    }
                    default: // call f; jmp over; f: ret
                        item.Add(Instruction.CreateBranch(code, 0), branch: Ref.Local(2));
                        item.Add(Instruction.CreateBranch(Code.Jmp_rel8_32, 0), branch: Ref.Local(3));
                        return item.Add(g.Rng.Chance(0.5) ? Instruction.Create(Code.Retnd) : Instruction.Create(Code.Retnd_imm16, (uint)(2 * g.Rng.Next(5))));
                }
            case Mnemonic.Ret:
                if (g.Rng.Chance(0.5))
                {
                    item.Add(Instruction.CreateBranch(Code.Call_rel32_32, 0), branch: Ref.Local(2));
                    item.Add(Instruction.CreateBranch(Code.Jmp_rel8_32, 0), branch: Ref.Local(3));
                    return item.Add(code == Code.Retnd ? Instruction.Create(code) : Instruction.Create(code, (uint)(2 * g.Rng.Next(5))));
                }
                // push label; ret (RET imm16 also releases imm16 more bytes)
                item.Add(Instruction.Create(Code.Pushd_imm32, 0), addressImm: to);
                return item.Add(code == Code.Retnd ? Instruction.Create(code) : Instruction.Create(code, (uint)(4 * g.Rng.Next(3))), branch: to);
            case Mnemonic.Jmp or Mnemonic.Call when code is Code.Jmp_rm32 or Code.Call_rm32:
            {
                if (g.Rng.Chance(0.6) || code == Code.Call_rm32)
                {
                    int r = g.RegIndex();
                    if (r == 4) r = 2;
                    item.Add(Instruction.Create(Code.Mov_r32_imm32, Generator.Reg32(r), 0), addressImm: to);
                    return item.Add(Instruction.Create(code, Generator.Reg32(r)), branch: to);
                }
                item.Add(Instruction.Create(Code.Pushd_imm32, 0), addressImm: to);
                return item.Add(Instruction.Create(code, new MemoryOperand(ESP)), branch: to);
            }
            default:
                if (code.ToOpCode().GetOpKind(0) is not (OpCodeOperandKind.br32_1 or OpCodeOperandKind.br32_4)) return null;
                return item.Add(Instruction.CreateBranch(code, 0), branch: to);
        }
    }
}
