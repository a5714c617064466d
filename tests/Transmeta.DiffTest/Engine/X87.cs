using Iced.Intel;
using static Iced.Intel.Register;

namespace Transmeta.DiffTest;

/// <summary>What an x87 instruction does to the state the analysis tracks.</summary>
/// <param name="Reads">Stack slots read as operands (ST(i) before the instruction).</param>
/// <param name="Push">Slots pushed (TOP decremented) before the result is written.</param>
/// <param name="Pop">Slots popped after.</param>
/// <param name="Writes">Slots written with a computed (exact) result, after the push.</param>
/// <param name="Defined">Condition codes the instruction sets; <paramref name="Undefined"/>: the
/// ones the SDM's "FPU Flags Affected" leaves undefined; the rest are unchanged.</param>
/// <param name="Transcendental">Results compared loosely (<see cref="FpuImage.Close"/>): the
/// written slots become tainted and C1 (the round-up indicator) undefined.</param>
public sealed record X87Effect(int[] Reads, int Push, int Pop, int[] Writes, uint Defined, uint Undefined,
    bool Transcendental = false, bool ReadsCc = false, bool StoresFromSt0 = false);

/// <summary>
/// The x87 part of <see cref="FlagAnalysis"/>: tracks TOP, the condition codes the SDM leaves
/// undefined (like undefined EFLAGS: masked from the comparison until an instruction sets them
/// again; FNSTSW may not store them) and the registers holding transcendental results.
/// </summary>
public static class X87Analysis
{
    private const uint C0 = FpuImage.C0, C1 = FpuImage.C1, C2 = FpuImage.C2, C3 = FpuImage.C3, All = FpuImage.AllCc;

    public static bool IsX87(in Instruction insn)
    {
        if (insn.Code is Code.Wait or Code.Fxsave_m512byte or Code.Fxrstor_m512byte) return true;
        OpCodeInfo op = insn.Code.ToOpCode();
        uint first = op.OpCodeLength == 2 ? op.OpCode >> 8 : op.OpCode;
        return op.Encoding == EncodingKind.Legacy && op.Table == OpCodeTableKind.Normal && first is >= 0xD8 and <= 0xDF;
    }

    private static int StIndex(Register r) => r - ST0;

    /// <summary>The slot of the ST(i) operand (the one that is not ST(0) when both are).</summary>
    private static int Sti(in Instruction insn)
    {
        for (int op = 0; op < insn.OpCount; op++)
            if (insn.GetOpKind(op) == OpKind.Register && insn.GetOpRegister(op) is >= ST1 and <= ST7)
                return StIndex(insn.GetOpRegister(op));
        return 0;
    }

    public static X87Effect Describe(in Instruction insn)
    {
        Mnemonic m = insn.Mnemonic;
        bool mem = insn.OpCount > 0 && insn.Op0Kind == OpKind.Memory;
        int i = Sti(insn);
        uint arith = C1, arithU = C0 | C2 | C3;
        switch (m)
        {
            case Mnemonic.Fld when !mem:
                return new([i], 1, 0, [], arith, arithU);
            case Mnemonic.Fld or Mnemonic.Fild or Mnemonic.Fbld or Mnemonic.Fld1 or Mnemonic.Fldl2t or Mnemonic.Fldl2e
                or Mnemonic.Fldpi or Mnemonic.Fldlg2 or Mnemonic.Fldln2 or Mnemonic.Fldz:
                return new([], 1, 0, [0], arith, arithU);
            case Mnemonic.Fst or Mnemonic.Fstp or Mnemonic.Fstpnce:
                return mem
                    ? new([0], 0, m == Mnemonic.Fst ? 0 : 1, [], arith, arithU, StoresFromSt0: true)
                    : new([0], 0, m == Mnemonic.Fst ? 0 : 1, [], arith, arithU); // a move: taint follows
            case Mnemonic.Fist or Mnemonic.Fistp or Mnemonic.Fbstp:
                return new([0], 0, m == Mnemonic.Fist ? 0 : 1, [], arith, arithU, StoresFromSt0: true);
            case Mnemonic.Fadd or Mnemonic.Fsub or Mnemonic.Fsubr or Mnemonic.Fmul or Mnemonic.Fdiv or Mnemonic.Fdivr
                or Mnemonic.Fiadd or Mnemonic.Fisub or Mnemonic.Fisubr or Mnemonic.Fimul or Mnemonic.Fidiv or Mnemonic.Fidivr:
            {
                if (mem) return new([0], 0, 0, [0], arith, arithU);
                bool toSti = insn.Op0Kind == OpKind.Register && insn.Op0Register != ST0;
                return new([0, i], 0, 0, [toSti ? i : 0], arith, arithU);
            }
            case Mnemonic.Faddp or Mnemonic.Fsubp or Mnemonic.Fsubrp or Mnemonic.Fmulp or Mnemonic.Fdivp or Mnemonic.Fdivrp:
                return new([0, i], 0, 1, [i], arith, arithU);
            case Mnemonic.Fcom or Mnemonic.Fucom or Mnemonic.Ficom:
                return new(mem ? [0] : [0, i], 0, 0, [], All, 0);
            case Mnemonic.Fcomp or Mnemonic.Fucomp or Mnemonic.Ficomp:
                return new(mem ? [0] : [0, i], 0, 1, [], All, 0);
            case Mnemonic.Fcompp or Mnemonic.Fucompp:
                return new([0, 1], 0, 2, [], All, 0);
            // FCOMI*: the SDM sets C1 to 0, the test host (AMD) leaves it: masked as undefined.
            case Mnemonic.Fcomi or Mnemonic.Fucomi:
                return new([0, i], 0, 0, [], 0, C1);
            case Mnemonic.Fcomip or Mnemonic.Fucomip:
                return new([0, i], 0, 1, [], 0, C1);
            case Mnemonic.Ftst or Mnemonic.Fxam:
                return new([0], 0, 0, [], All, 0);
            case Mnemonic.Fchs or Mnemonic.Fabs or Mnemonic.Fsqrt or Mnemonic.Frndint:
                return new([0], 0, 0, [0], arith, arithU);
            case Mnemonic.Fscale:
                return new([0, 1], 0, 0, [0], arith, arithU);
            case Mnemonic.Fxtract:
                return new([0], 1, 0, [0, 1], arith, arithU);
            case Mnemonic.Fprem or Mnemonic.Fprem1:
                return new([0, 1], 0, 0, [0], All, 0);
            case Mnemonic.Fsin or Mnemonic.Fcos:
                return new([0], 0, 0, [0], C2, C0 | C1 | C3, Transcendental: true);
            case Mnemonic.Fsincos or Mnemonic.Fptan:
                return new([0], 1, 0, [0, 1], C2, C0 | C1 | C3, Transcendental: true);
            case Mnemonic.F2xm1:
                return new([0], 0, 0, [0], 0, All, Transcendental: true);
            case Mnemonic.Fpatan or Mnemonic.Fyl2x or Mnemonic.Fyl2xp1:
                return new([0, 1], 0, 1, [1], 0, All, Transcendental: true); // the result lands in ST(1), then the pop
            case Mnemonic.Fxch:
                return new([], 0, 0, [], C1, C0 | C2 | C3);
            case Mnemonic.Fcmovb or Mnemonic.Fcmove or Mnemonic.Fcmovbe or Mnemonic.Fcmovu or Mnemonic.Fcmovnb
                or Mnemonic.Fcmovne or Mnemonic.Fcmovnbe or Mnemonic.Fcmovnu:
                return new([], 0, 0, [], 0, C0 | C2 | C3); // C1: 0 on underflow, else unchanged
            case Mnemonic.Fnstsw or Mnemonic.Fstsw:
                return new([], 0, 0, [], 0, All, ReadsCc: true);
            case Mnemonic.Fincstp:
                return new([], 0, 1, [], C1, C0 | C2 | C3);
            case Mnemonic.Fdecstp:
                return new([], 1, 0, [], C1, C0 | C2 | C3);
            case Mnemonic.Fninit or Mnemonic.Finit:
                return new([], 0, 0, [], All, 0);
            case Mnemonic.Ffreep:
                return new([], 0, 1, [], 0, All);
            case Mnemonic.Fnsave or Mnemonic.Fsave: // stores the status word, then reinitializes
                return new([], 0, 0, [], All, 0, ReadsCc: true);
            case Mnemonic.Fldenv or Mnemonic.Frstor or Mnemonic.Fxrstor: // loaded from memory
                return new([], 0, 0, [], All, 0);
            case Mnemonic.Fxsave: // stores the status word, changes nothing
                return new([], 0, 0, [], 0, 0, ReadsCc: true);
            case Mnemonic.Fnstenv or Mnemonic.Fstenv:
                return new([], 0, 0, [], 0, All, ReadsCc: true);
            default: // FNSTCW FLDCW FNCLEX FFREE FNOP WAIT FNENI FNDISI FNSETPM: C0..C3 undefined
                return new([], 0, 0, [], 0, All);
        }
    }

    private static bool IsMove(Mnemonic m) => m is Mnemonic.Fld or Mnemonic.Fst or Mnemonic.Fstp or Mnemonic.Fstpnce
        or Mnemonic.Fxch or Mnemonic.Fcmovb or Mnemonic.Fcmove or Mnemonic.Fcmovbe or Mnemonic.Fcmovu or Mnemonic.Fcmovnb
        or Mnemonic.Fcmovne or Mnemonic.Fcmovnbe or Mnemonic.Fcmovnu;

    /// <summary>Checks and applies one instruction (null: valid).</summary>
    public static string? Step(AbsState s, in Instruction insn)
    {
        if (!IsX87(insn)) return null;
        X87Effect e = Describe(insn);
        Mnemonic m = insn.Mnemonic;
        if (e.ReadsCc && (s.CcUndefined & FpuImage.AllCc) != 0)
            return $"stores undefined condition codes ({FpuImage.SwNames(s.CcUndefined)})";
        bool mem = insn.OpCount > 0 && insn.Op0Kind == OpKind.Memory;
        int Phys(int slot) => (s.FpuTop + slot) & 7;
        bool Tainted(int slot) => s.Tainted != 0 && (!s.FpuTopKnown || (s.Tainted & (1 << Phys(slot))) != 0);
        if (e.Transcendental && !s.FpuTopKnown) return "transcendental with TOP unknown";
        if (!IsMove(m) || (mem && e.StoresFromSt0))
            foreach (int slot in e.Reads)
                if (Tainted(slot)) return $"uses the transcendental result in ST({slot})";
        if (m == Mnemonic.Fxam && Tainted(0)) return "examines a transcendental result";
        if (m is Mnemonic.Fnsave or Mnemonic.Fsave or Mnemonic.Fxsave && s.Tainted != 0) return "stores transcendental results";

        // Moves carry the taint along. Taint is never cleared: an instruction an unmasked
        // exception stops leaves its destination as it was.
        int sti = Sti(insn);
        if (s.FpuTopKnown && s.Tainted != 0)
        {
            byte t = s.Tainted;
            bool Bit(int slot) => (t & (1 << Phys(slot))) != 0;
            void Put(int phys, bool v) => s.Tainted = (byte)(v ? s.Tainted | (1 << phys) : s.Tainted);
            switch (m)
            {
                case Mnemonic.Fxch:
                {
                    bool any = Bit(0) || Bit(sti);
                    Put(Phys(0), any);
                    Put(Phys(sti), any);
                    break;
                }
                case Mnemonic.Fst or Mnemonic.Fstp or Mnemonic.Fstpnce when !mem:
                    Put(Phys(sti), Bit(0));
                    break;
                case Mnemonic.Fcmovb or Mnemonic.Fcmove or Mnemonic.Fcmovbe or Mnemonic.Fcmovu or Mnemonic.Fcmovnb
                    or Mnemonic.Fcmovne or Mnemonic.Fcmovnbe or Mnemonic.Fcmovnu:
                    Put(Phys(0), Bit(0) || Bit(sti));
                    break;
                case Mnemonic.Fld when !mem:
                    Put((s.FpuTop - 1) & 7, Bit(sti));
                    break;
            }
        }
        if (m is Mnemonic.Fninit or Mnemonic.Finit or Mnemonic.Fnsave or Mnemonic.Fsave) { s.FpuTop = 0; s.FpuTopKnown = true; }
        // An image loaded from the buffer: TOP is whatever it holds; FRSTOR replaces every register.
        if (m is Mnemonic.Fldenv or Mnemonic.Frstor or Mnemonic.Fxrstor) s.FpuTopKnown = false;
        if (m is Mnemonic.Frstor or Mnemonic.Fxrstor) s.Tainted = 0;
        s.FpuTop = (s.FpuTop - e.Push) & 7;
        if (s.FpuTopKnown)
        {
            if (e.Transcendental)
                foreach (int slot in e.Writes) s.Tainted |= (byte)(1 << Phys(slot));
        }
        s.FpuTop = (s.FpuTop + e.Pop) & 7;
        // FPTAN/FSINCOS push nothing when the operand is out of range (|x| >= 2^63, C2 = 1): TOP
        // depends on the data from here on (every register is then compared loosely).
        if (m is Mnemonic.Fptan or Mnemonic.Fsincos) s.FpuTopKnown = false;
        // Where TOP is not known, a transcendental result may be anywhere: all of them loose
        // (and never an operand), even once FNINIT makes TOP known again.
        if (!s.FpuTopKnown && s.Tainted != 0) s.Tainted = 0xFF;
        uint undefined = e.Undefined | (e.Transcendental ? FpuImage.C1 : 0);
        s.CcUndefined = (s.CcUndefined & ~e.Defined) | undefined;
        return null;
    }
}

/// <summary>The x87 family of the generator.</summary>
public static class X87Family
{
    public static bool IsTranscendental(Mnemonic m) => m is Mnemonic.Fsin or Mnemonic.Fcos or Mnemonic.Fsincos
        or Mnemonic.Fptan or Mnemonic.Fpatan or Mnemonic.F2xm1 or Mnemonic.Fyl2x or Mnemonic.Fyl2xp1;

    public static Item? Make(Generator g, Code code)
    {
        Rng rng = g.Rng;
        Mnemonic m = code.Mnemonic();
        if (m is Mnemonic.Fxsave or Mnemonic.Fxrstor) return FxImage.Make(g, code);
        var setup = new List<Instruction>();
        // FNSTSW stores the condition codes: they must be defined (FXAM defines all four
        // without changing anything else).
        if (m is Mnemonic.Fnstsw or Mnemonic.Fstsw or Mnemonic.Fnstenv or Mnemonic.Fstenv or Mnemonic.Fnsave or Mnemonic.Fsave
            && (g.State.CcUndefined & FpuImage.AllCc) != 0)
            setup.Add(Instruction.Create(Code.Fxam));
        Item? item = g.Generic("x87", code, insn =>
        {
            // ST(i) operands: ST(1) and ST(2) more often (the usual stack discipline).
            for (int op = 0; op < insn.OpCount; op++)
                if (insn.GetOpKind(op) == OpKind.Register && insn.GetOpRegister(op) is >= ST1 and <= ST7 && rng.Chance(0.4))
                    insn.SetOpRegister(op, rng.Chance(0.7) ? ST1 : ST2);
            return insn;
        }, setup);
        if (item is null) return null;
        Instruction main = item.Insns[^1];
        int at = item.Insns.Count - 1;
        if (main.OpCount > 0 && main.Op0Kind == OpKind.Memory && !main.HasLockPrefix)
        {
            var memOp = new MemoryOperand(main.MemoryBase, main.MemoryIndex, main.MemoryIndexScale,
                (int)main.MemoryDisplacement32, 4, false, main.SegmentPrefix == CS ? DS : main.SegmentPrefix);
            MemoryOperand Plus(int d) => new(memOp.Base, memOp.Index, memOp.Scale, memOp.Displacement + d, 4, false, memOp.SegmentPrefix);
            if (m == Mnemonic.Fldcw && rng.Chance(0.8))
                item.InsertSetup(at, Instruction.Create(Code.Mov_rm16_imm16, memOp, ControlWord(rng)));
            else if (m == Mnemonic.Fbld && rng.Chance(0.9))
            {
                // A valid packed BCD (invalid digits give an undefined result, SDM FBLD).
                ulong digits = 0;
                int n = rng.Range(0, 18);
                for (int d = 0; d < n; d++) digits |= (ulong)rng.Next(10) << (4 * d);
                item.InsertSetup(at++, Instruction.Create(Code.Mov_rm32_imm32, memOp, (uint)digits));
                item.InsertSetup(at++, Instruction.Create(Code.Mov_rm32_imm32, Plus(4), (uint)(digits >> 32)));
                item.InsertSetup(at, Instruction.Create(Code.Mov_rm16_imm16, Plus(8), rng.Chance(0.5) ? 0x8000u : 0u));
            }
            else if (main.MemorySize is MemorySize.Float32 or MemorySize.Float64 && rng.Chance(0.3)
                     && m is not (Mnemonic.Fst or Mnemonic.Fstp))
            {
                // A float of an interesting kind rather than random bits.
                ulong bits = main.MemorySize == MemorySize.Float64 ? Double(rng) : Single(rng);
                item.InsertSetup(at++, Instruction.Create(Code.Mov_rm32_imm32, memOp, (uint)bits));
                if (main.MemorySize == MemorySize.Float64)
                    item.InsertSetup(at, Instruction.Create(Code.Mov_rm32_imm32, Plus(4), (uint)(bits >> 32)));
            }
        }
        // FLDENV/FRSTOR: half the time from an image FNSTENV/FNSAVE just stored there (a round
        // trip), else whatever the buffer holds.
        Code store = code switch
        {
            Code.Fldenv_m14byte => Code.Fnstenv_m14byte,
            Code.Fldenv_m28byte => Code.Fnstenv_m28byte,
            Code.Frstor_m94byte => Code.Fnsave_m94byte,
            Code.Frstor_m108byte => Code.Fnsave_m108byte,
            _ => Code.INVALID,
        };
        if (store != Code.INVALID && main.Op0Kind == OpKind.Memory && !main.HasLockPrefix && rng.Chance(0.5))
        {
            Instruction save = main;
            save.Code = store;
            if (save.SegmentPrefix == CS) save.SegmentPrefix = DS;
            item.InsertSetup(item.Insns.Count - 1, save);
        }
        // Now and then the classic integer follow-up: the status word into EFLAGS.
        if (m is Mnemonic.Fnstsw or Mnemonic.Fstsw && main.Op0Kind == OpKind.Register && rng.Chance(0.5))
            item.Add(Instruction.Create(Code.Sahf));
        return item;
    }

    public static uint ControlWord(Rng rng)
    {
        uint masks = rng.Chance(0.85) ? 0x3Fu : rng.NextU32() & 0x3F | (rng.Chance(0.5) ? 0x20u : 0);
        uint pc = rng.Pick(new uint[] { 0, 2, 3, 3 });
        if (rng.Chance(0.02)) pc = 1; // reserved
        uint rc = (uint)rng.Next(4);
        uint cw = masks | 0x40 | pc << 8 | rc << 10;
        if (rng.Chance(0.05)) cw |= 0x1000; // infinity control (no effect on the 387 and later)
        if (rng.Chance(0.03)) cw |= rng.NextU32() & 0xE080; // reserved bits
        return cw;
    }

    private static ulong Double(Rng rng) => rng.Next(8) switch
    {
        0 => 0,
        1 => 1ul << 63,
        2 => rng.NextU64() & 0x000F_FFFF_FFFF_FFFF, // denormal
        3 => 0x7FF0_0000_0000_0000 | (rng.Chance(0.5) ? 0 : rng.NextU64() & 0x000F_FFFF_FFFF_FFFF), // inf / NaN
        4 => BitConverter.DoubleToUInt64Bits(rng.Range(-1000, 1000)),
        _ => (rng.NextU64() & 0x800F_FFFF_FFFF_FFFF) | (ulong)(1023 + rng.Range(-70, 70)) << 52,
    } | (rng.Chance(0.2) ? 1ul << 63 : 0);

    private static ulong Single(Rng rng) => rng.Next(8) switch
    {
        0 => 0,
        1 => 0x8000_0000,
        2 => rng.NextU32() & 0x007F_FFFF,
        3 => 0x7F80_0000 | (rng.Chance(0.5) ? 0 : rng.NextU32() & 0x007F_FFFF),
        4 => BitConverter.SingleToUInt32Bits(rng.Range(-1000, 1000)),
        _ => (rng.NextU32() & 0x807F_FFFF) | (uint)(127 + rng.Range(-40, 40)) << 23,
    } | (rng.Chance(0.2) ? 0x8000_0000u : 0);

    // ------------------------------------------------------------------ initial state

    /// <summary>A random x87 state: control word, TOP, which registers are empty, values of every
    /// class, sometimes exception flags (pending unmasked ones rarely: #MF at the first x87
    /// instruction).</summary>
    public static byte[] InitialFpu(Rng rng)
    {
        if (rng.Chance(0.1)) return FpuImage.Initial();
        uint cw = ControlWord(rng);
        int top = rng.Next(8);
        int valid = rng.Next(10) switch { 0 => 0, < 3 => 8, _ => rng.Range(1, 7) };
        var st = new (ulong, ushort)[8];
        uint tw = 0;
        bool scattered = rng.Chance(0.1);
        for (int i = 0; i < 8; i++)
        {
            st[i] = Value(rng);
            bool full = scattered ? rng.Chance(0.5) : i < valid;
            int phys = (top + i) & 7;
            uint tag = full ? TagOf(st[i]) : 3;
            if (full && rng.Chance(0.05)) tag = (uint)rng.Next(3); // FRSTOR recomputes the class
            tw |= tag << (2 * phys);
        }
        uint sw = (uint)top << 11;
        if (rng.Chance(0.3)) sw |= rng.NextU32() & FpuImage.AllCc;
        if (rng.Chance(0.2)) sw |= rng.NextU32() & 0x7F & (cw | 0x40); // masked exceptions (and SF)
        if (rng.Chance(0.02)) sw |= 1u << rng.Next(6); // maybe an unmasked one pending
        if ((sw & ~cw & 0x3F) != 0) sw |= 0x8080; // ES and B
        return FpuImage.Build(cw, sw, tw, st);
    }

    private static uint TagOf((ulong Sig, ushort SignExp) v)
    {
        int exp = v.SignExp & 0x7FFF;
        if (exp == 0) return v.Sig == 0 ? 1u : 2u;
        if (exp == 0x7FFF || (v.Sig >> 63) == 0) return 2;
        return 0;
    }

    public static (ulong, ushort) Value(Rng rng)
    {
        ushort sign = rng.Chance(0.5) ? (ushort)0x8000 : (ushort)0;
        ulong J = 1ul << 63;
        (ulong sig, int exp) = rng.Next(40) switch
        {
            0 or 1 => (0ul, 0),                                              // zero
            2 => (rng.NextU64() >> rng.Range(1, 63), 0),                      // denormal
            3 => (J | rng.NextU64(), 0),                                      // pseudo-denormal
            4 => (J, 0x7FFF),                                                 // infinity
            5 => (J | 1ul << 62 | rng.NextU64() >> rng.Range(2, 63), 0x7FFF),  // QNaN
            6 => (J | Math.Max(1, rng.NextU64() >> rng.Range(2, 63)), 0x7FFF), // SNaN
            7 => (0xC000_0000_0000_0000, 0x7FFF),                             // indefinite (sign set below)
            8 => (rng.NextU64() >> 1, rng.Range(1, 0x7FFE)),                  // unnormal
            9 => (rng.NextU64() >> 1, 0x7FFF),                                // pseudo-NaN / pseudo-infinity
            10 => (J | rng.NextU64(), rng.Chance(0.5) ? rng.Range(1, 40) : rng.Range(0x7FFE - 40, 0x7FFE)), // extremes
            11 or 12 => (J | (ulong)rng.Range(0, 1 << 16) << 47, 0x3FFF + rng.Range(0, 20)), // small integers, short fractions
            13 or 14 => (J | (rng.NextU64() & ~0x7FFul), 0x3FFF + rng.Range(-30, 30)), // exact doubles
            15 => (J | (rng.NextU64() & ~0xFF_FFFF_FFFFul), 0x3FFF + rng.Range(-30, 30)), // exact floats
            16 => (J | (rng.NextU64() & ~0xFFFul) | 0x400, 0x3FFF + rng.Range(-30, 30)), // halfway for doubles
            17 => (J | rng.NextU64(), rng.Range(0x3FFF - 16382 - 70, 0x3FFF - 16382 + 5) is var e && e > 0 ? e : 1), // near the double/float ranges
            _ => (J | rng.NextU64(), 0x3FFF + rng.Range(-70, 70)),            // normals
        };
        return (sig, (ushort)(sign | exp));
    }
}
