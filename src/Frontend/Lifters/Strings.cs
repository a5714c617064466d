using Iced.Intel;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// String instructions: MOVS STOS LODS CMPS SCAS in byte, word and doubleword forms, with and
/// without REP/REPE/REPNE (Intel SDM Vol. 2B, "MOVS", "REP/REPE/REPZ/REPNE/REPNZ").
/// <list type="bullet">
/// <item>The source is seg:ESI (DS unless overridden), the destination ES:EDI (no override).
/// A 0x67 prefix selects 16-bit addressing: SI, DI and CX, wrapping at 64 KiB, upper halves kept.</item>
/// <item>ESI/EDI step by the element size, down when DF = 1.</item>
/// <item>A REP form is a loop inside the block. Its state (ECX, ESI, EDI, flags) lives in guest
/// state, written back by every iteration, so a fault in iteration k leaves the registers as
/// after k - 1 iterations with EIP at the instruction (restartable, as on hardware).</item>
/// <item>Every iteration but the last adds 1 to <see cref="CpuState.Retired"/> (the last is
/// counted with the block, like any instruction); when Retired reaches
/// <see cref="CpuState.Deadline"/> the block leaves with <see cref="BlockExit.Interrupted"/> and
/// EIP at the string instruction, which resumes with the remaining count.</item>
/// <item>With a count of 0 a REP form does nothing (flags unchanged). REPE/REPNE stop CMPS/SCAS
/// when ZF = 0 / ZF = 1; MOVS/STOS/LODS treat F2 like F3.</item>
/// </list>
/// </summary>
public static class Strings
{
    private enum Kind { Movs, Stos, Lods, Cmps, Scas }

    public static void AddTo(LifterTable table)
    {
        table.Add(cx => Lift(cx, Kind.Movs, 1), Mnemonic.Movsb);
        table.Add(cx => Lift(cx, Kind.Movs, 2), Mnemonic.Movsw);
        table.Add(cx => Lift(cx, Kind.Movs, 4), Mnemonic.Movsd);
        table.Add(cx => Lift(cx, Kind.Stos, 1), Mnemonic.Stosb);
        table.Add(cx => Lift(cx, Kind.Stos, 2), Mnemonic.Stosw);
        table.Add(cx => Lift(cx, Kind.Stos, 4), Mnemonic.Stosd);
        table.Add(cx => Lift(cx, Kind.Lods, 1), Mnemonic.Lodsb);
        table.Add(cx => Lift(cx, Kind.Lods, 2), Mnemonic.Lodsw);
        table.Add(cx => Lift(cx, Kind.Lods, 4), Mnemonic.Lodsd);
        table.Add(cx => Lift(cx, Kind.Cmps, 1), Mnemonic.Cmpsb);
        table.Add(cx => Lift(cx, Kind.Cmps, 2), Mnemonic.Cmpsw);
        table.Add(cx => Lift(cx, Kind.Cmps, 4), Mnemonic.Cmpsd);
        table.Add(cx => Lift(cx, Kind.Scas, 1), Mnemonic.Scasb);
        table.Add(cx => Lift(cx, Kind.Scas, 2), Mnemonic.Scasw);
        table.Add(cx => Lift(cx, Kind.Scas, 4), Mnemonic.Scasd);
    }

    /// <summary>What one iteration needs, computed once before the loop (temps defined there
    /// dominate the loop body, so the body may use them).</summary>
    private readonly struct Plan
    {
        public Kind Kind { get; init; }
        public int Size { get; init; }
        /// <summary>2 with 16-bit addressing (SI/DI/CX), else 4.</summary>
        public int AddrSize { get; init; }
        public int SrcBase { get; init; }
        public int DstBase { get; init; }
        /// <summary>+Size or -Size by DF.</summary>
        public int Delta { get; init; }
        /// <summary>STOS: the value stored (the accumulator does not change in the loop).</summary>
        public int StoreValue { get; init; }
    }

    private static bool IsString16(OpKind k) => k is OpKind.MemorySegSI or OpKind.MemoryESDI;

    private static void Lift(LiftContext cx, Kind kind, int size)
    {
        // MOVSD and CMPSD are also SSE2 mnemonics (scalar double move/compare): not ours.
        OpKind k0 = cx.Insn.Op0Kind, k1 = cx.Insn.OpCount > 1 ? cx.Insn.Op1Kind : OpKind.Register;
        bool isString = k0 is OpKind.MemorySegSI or OpKind.MemorySegESI or OpKind.MemoryESDI or OpKind.MemoryESEDI
            || k1 is OpKind.MemorySegSI or OpKind.MemorySegESI or OpKind.MemoryESDI or OpKind.MemoryESEDI;
        if (!isString) throw new UnsupportedInstructionException($"{cx.Insn.Mnemonic} (not a string form)");

        IrBuilder b = cx.B;
        int addrSize = IsString16(k0) || IsString16(k1) ? 2 : 4;
        Register srcSeg = cx.Insn.SegmentPrefix == Register.None ? Register.DS : cx.Insn.SegmentPrefix;
        bool usesSrc = kind is Kind.Movs or Kind.Lods or Kind.Cmps;
        bool usesDst = kind is Kind.Movs or Kind.Stos or Kind.Cmps or Kind.Scas;
        int df = b.And(b.ShrImm(b.LoadState(CpuState.OffEflags), EflagsBits.DfBit), 1u);
        var plan = new Plan
        {
            Kind = kind,
            Size = size,
            AddrSize = addrSize,
            SrcBase = usesSrc ? cx.SegmentBase(srcSeg) : -1,
            DstBase = usesDst ? cx.SegmentBase(Register.ES) : -1,
            Delta = b.Select(df, b.Const(-size), b.Const(size)),
            StoreValue = kind == Kind.Stos ? cx.ReadGpr(0, size) : -1,
        };

        bool rep = cx.Insn.HasRepPrefix || cx.Insn.HasRepePrefix || cx.Insn.HasRepnePrefix;
        if (!rep)
        {
            Iteration(cx, plan, out _, out _);
            return;
        }

        // REP: if (count == 0) skip; do { iteration; count--; } while (count != 0 && ZF test && !deadline).
        int one = b.Const(1);
        int zero = b.Const(0);
        int one64 = b.Const64(1);
        int done = b.NewLabel();
        int top = b.NewLabel();
        b.BranchIf(b.Eq(cx.ReadGpr(1, addrSize), zero), done);
        cx.MarkLabel(top);

        Iteration(cx, plan, out int a, out int m);

        int count = b.Sub(cx.ReadGpr(1, addrSize), one);
        if (addrSize == 2) count = b.And(count, 0xFFFFu);
        cx.WriteGpr(1, addrSize, count);
        int stop = b.Eq(count, zero);
        if (kind is Kind.Cmps or Kind.Scas)
        {
            // REPE/REPZ stops when ZF = 0 (operands differ), REPNE/REPNZ when ZF = 1.
            if (cx.Insn.HasRepePrefix) stop = b.Or(stop, b.Ne(a, m));
            else if (cx.Insn.HasRepnePrefix) stop = b.Or(stop, b.Eq(a, m));
        }
        b.BranchIf(stop, done);

        // Another iteration follows: count this one, and leave if the deadline has come.
        int retired = b.Add(b.LoadState(CpuState.OffRetired, IrType.I64), one64);
        b.StoreState(CpuState.OffRetired, retired);
        b.BranchIf(b.ULt(retired, b.LoadState(CpuState.OffDeadline, IrType.I64)), top);
        b.StoreState(CpuState.OffEip, b.Const(cx.Eip));
        b.Exit(BlockExit.Interrupted, cx.Index);

        cx.MarkLabel(done);
    }

    /// <summary>One iteration, reading and writing ESI/EDI in guest state. Every memory access
    /// comes before the first register or flag write. For CMPS/SCAS, <paramref name="a"/> and
    /// <paramref name="m"/> are the compared values (a - m sets the flags).</summary>
    private static void Iteration(LiftContext cx, in Plan p, out int a, out int m)
    {
        IrBuilder b = cx.B;
        a = m = -1;
        int si = p.SrcBase >= 0 ? cx.ReadGpr(6, p.AddrSize) : -1;
        int di = p.DstBase >= 0 ? cx.ReadGpr(7, p.AddrSize) : -1;
        switch (p.Kind)
        {
            case Kind.Movs:
            {
                int v = cx.ReadMemory(p.Size, b.Add(p.SrcBase, si));
                cx.WriteMemory(p.Size, b.Add(p.DstBase, di), v);
                break;
            }
            case Kind.Stos:
                cx.WriteMemory(p.Size, b.Add(p.DstBase, di), p.StoreValue);
                break;
            case Kind.Lods:
                cx.WriteGpr(0, p.Size, cx.ReadMemory(p.Size, b.Add(p.SrcBase, si)));
                break;
            case Kind.Cmps:
                a = cx.ReadMemory(p.Size, b.Add(p.SrcBase, si));
                m = cx.ReadMemory(p.Size, b.Add(p.DstBase, di));
                SetCompareFlags(cx, p.Size, a, m);
                break;
            case Kind.Scas:
                m = cx.ReadMemory(p.Size, b.Add(p.DstBase, di));
                a = cx.ReadGpr(0, p.Size);
                SetCompareFlags(cx, p.Size, a, m);
                break;
        }
        if (si >= 0) Step(cx, 6, si, p);
        if (di >= 0) Step(cx, 7, di, p);
    }

    private static void SetCompareFlags(LiftContext cx, int size, int a, int m)
    {
        int res = cx.B.Sub(a, m);
        if (size != 4) res = cx.B.And(res, CcOp.Mask(size));
        cx.SetFlags(CcKind.Sub, size, res, a, m);
    }

    private static void Step(LiftContext cx, int reg, int value, in Plan p)
    {
        int next = cx.B.Add(value, p.Delta);
        if (p.AddrSize == 2) next = cx.B.And(next, 0xFFFFu);
        cx.WriteGpr(reg, p.AddrSize, next);
    }
}
