using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.FpuBits;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// An x87 instruction lifted inline: IR on the registers at the fixed offsets the assumed TOP
/// gives (Lifting/X87StackTracking.cs), with a side exit (BlockExit.Slow, out of line) for what
/// it does not cover: an empty or full register where the instruction needs the other (stack
/// faults), the control word not 037F, and the few operand classes an instruction's own rules
/// single out (a denormal or signaling-NaN memory operand of an arithmetic instruction; a NaN
/// compared). Every check comes before the first write, so the instruction that leaves has
/// changed nothing and runs again from a translation without the inline paths. Under 037F the
/// arithmetic itself is total (<see cref="Opcode.ExtArith"/>: denormals, infinities and NaNs
/// give what the helpers give), and its exception flags are raised into
/// <see cref="FpuState.OffRaised"/> (<see cref="Opcode.ExtRaise"/>), which a backend with an
/// x87 of its own keeps in that unit's sticky flags.
/// <para>Inside a block the registers, tags and status word are ordinary state fields at
/// constant offsets, so the IR passes forward them from one instruction to the next and drop
/// the stores later ones overwrite, and LLVM keeps them in host registers: FXCH and FLD ST(i)
/// cost next to nothing, as they do in hardware.</para>
/// Disabled with TRANSMETA_X87_INLINE=0 (every x87 instruction is then its helper call).
/// </summary>
internal sealed class X87InlinePath
{
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("TRANSMETA_X87_INLINE") != "0";

    private readonly LiftContext _cx;
    private readonly IrBuilder _b;

    /// <summary>The inline path of the current instruction, or null when the lifter knows no TOP
    /// (the instruction is then a helper call). X87Common.Begin has run.</summary>
    public static X87InlinePath? Begin(LiftContext cx) =>
        Enabled && cx.X87.Top >= 0 && cx.X87.Guarded ? new X87InlinePath(cx) : null;

    private X87InlinePath(LiftContext cx)
    {
        _cx = cx;
        _b = cx.B;
        Tags = _b.LoadState(FpuState.OffTags);
    }

    /// <summary>The tag mask (bit i: physical register i is not empty) as the instruction found it.</summary>
    public int Tags { get; }

    /// <summary>The physical register of ST(i) (i = -1: the one a push fills).</summary>
    public int Phys(int i) => (_cx.X87.Top + i) & 7;

    /// <summary>The conditions (0/1) that send the instruction to the slow path, OR-ed: one side
    /// exit an instruction, taken before its first effect (<see cref="Check"/>).</summary>
    private int _fail = -1;

    public void FailIf(int cond) => _fail = _fail < 0 ? cond : _b.Or(_fail, cond);
    public void FailUnless(int cond) => FailIf(_b.Eq(cond, _b.Const(0)));

    /// <summary>Leaves for the slow path if any condition holds; every write calls it first.</summary>
    public void Check()
    {
        if (_fail < 0) return;
        _cx.ExitIf(_fail, BlockExit.Slow);
        _fail = -1;
    }

    public void RequireDefaultControl() => X87Common.RequireDefaultControl(_cx);
    /// <summary>ST(i) is not empty (else the slow path: stack underflow); no check where an
    /// earlier inline instruction of the block established it, and none here where the TOP
    /// guard's stack check covers it (<see cref="X87StackTracking.TagCheck"/>).</summary>
    public void RequireFull(int i)
    {
        uint bit = 1u << Phys(i);
        if ((_cx.X87.KnownFull & bit) != 0) return;
        // Known empty (popped earlier in the run): this instruction underflows; its own exit.
        if (_cx.X87.TagCheck is { } check && (_cx.X87.KnownEmpty & bit) == 0) _b.SetConst(check.FullMask, check.Full |= bit);
        else FailUnless(_b.And(Tags, bit));
        _cx.X87.KnownFull |= bit;
    }

    /// <summary>ST(i) is empty (else the slow path: stack overflow on a push).</summary>
    public void RequireEmpty(int i)
    {
        uint bit = 1u << Phys(i);
        if ((_cx.X87.KnownEmpty & bit) != 0) return;
        if (_cx.X87.TagCheck is { } check && (_cx.X87.KnownFull & bit) == 0) _b.SetConst(check.EmptyMask, check.Empty |= bit);
        else FailIf(_b.And(Tags, bit));
        _cx.X87.KnownEmpty |= bit;
    }

    private static int Offset(int phys) => FpuState.OffRegs + FpuState.RegSize * phys;

    /// <summary>ST(i): significand (I64) and sign/exponent (I32, 16 bits).</summary>
    public (int Sig, int SignExp) Read(int i)
    {
        int offset = Offset(Phys(i));
        return (_b.LoadState(offset, IrType.I64), _b.And(_b.LoadState(offset + 8), 0xFFFFu));
    }

    /// <summary>Writes ST(i); <paramref name="finite"/>: the value is a normal number or a zero.</summary>
    public void Write(int i, int sig, int signExp, bool finite = true)
    {
        Check();
        _b.StoreState(Offset(Phys(i)), sig);
        WriteSignExp(i, signExp);
        uint bit = 1u << Phys(i);
        _cx.X87.KnownFinite = finite ? _cx.X87.KnownFinite | bit : _cx.X87.KnownFinite & ~bit;
    }

    public bool KnownFinite(int i) => (_cx.X87.KnownFinite & (1u << Phys(i))) != 0;

    public void WriteSignExp(int i, int signExp)
    {
        Check();
        _b.StoreState(Offset(Phys(i)) + 8, signExp);
    }

    /// <summary>ST(i) (read as <paramref name="v"/>) is a normal number or a zero, else the slow
    /// path; no check where the block already knows it.</summary>
    public void RequireFinite(int i, (int Sig, int SignExp) v)
    {
        uint bit = 1u << Phys(i);
        if ((_cx.X87.KnownFinite & bit) != 0) return;
        FailUnless(NormalOrZero(v));
        _cx.X87.KnownFinite |= bit;
    }

    /// <summary>ST(0) and ST(i), both full and normal numbers or zeros (else the slow path).</summary>
    public ((int Sig, int SignExp) St0, (int Sig, int SignExp) StI) ReadFiniteOperands(int i)
    {
        RequireFull(0);
        RequireFull(i);
        var st0 = Read(0);
        var sti = Read(i);
        RequireFinite(0, st0);
        RequireFinite(i, sti);
        return (st0, sti);
    }

    /// <summary>a op b by the IR's extended-precision operations (<see cref="Opcode.ExtArith"/>,
    /// defined for every operand under the control word 037F the inline paths require): the
    /// result. Its exception flags go to <see cref="FpuState.OffRaised"/>, after the
    /// instruction's last check; its rounding direction becomes C1 (Intel SDM Vol. 1 §8.1.3.1)
    /// at <see cref="Commit"/>.</summary>
    public (int Sig, int SignExp) Arith(ExtOp op, (int Sig, int SignExp) a, (int Sig, int SignExp) b)
    {
        var r = Compute(op, a, b);
        _b.ExtRaise(op, FpuState.OffRaised, a.Sig, a.SignExp, b.Sig, b.SignExp);
        if (op is not (ExtOp.FromDouble or ExtOp.FromSingle)) _roundedBy = (op, a, b); // exact: C1 = 0
        return r;
    }

    /// <summary>The result of an operation that raises nothing for these operands and whose C1
    /// is not the instruction's (a memory operand converted for the arithmetic). The
    /// instruction's checks come first: a backend whose own unit computes the operation raises
    /// its flags there (<see cref="Opcode.ExtRaise"/>), and an instruction that leaves for the
    /// slow path must not have raised any.</summary>
    public (int Sig, int SignExp) Compute(ExtOp op, (int Sig, int SignExp) a, (int Sig, int SignExp) b)
    {
        Check();
        return (_b.ExtArith(op, ExtPart.Significand, a.Sig, a.SignExp, b.Sig, b.SignExp),
            _b.ExtArith(op, ExtPart.SignExp, a.Sig, a.SignExp, b.Sig, b.SignExp));
    }

    /// <summary>The operation whose rounding direction is this instruction's C1, if any.</summary>
    private (ExtOp Op, (int Sig, int SignExp) A, (int Sig, int SignExp) B)? _roundedBy;

    /// <summary>ST(0) and ST(i), both full (else the slow path: stack underflow).</summary>
    public ((int Sig, int SignExp) St0, (int Sig, int SignExp) StI) ReadOperands(int i)
    {
        RequireFull(0);
        RequireFull(i);
        return (Read(0), Read(i));
    }

    private int NormalOrZero((int Sig, int SignExp) v) =>
        _b.Or(SoftFloatIr.IsNormal(_b, v.Sig, v.SignExp), SoftFloatIr.IsZero(_b, v.Sig, v.SignExp));

    /// <summary>Tag mask with ST(i) marked full / empty (which the block then knows).</summary>
    public int WithFull(int tags, int i)
    {
        uint bit = 1u << Phys(i);
        _cx.X87.KnownFull |= bit;
        _cx.X87.KnownEmpty &= ~bit;
        return _b.Or(tags, _b.Const(bit));
    }

    public int WithEmpty(int tags, int i)
    {
        uint bit = 1u << Phys(i);
        _cx.X87.KnownEmpty |= bit;
        _cx.X87.KnownFull &= ~bit;
        _cx.X87.KnownFinite &= ~bit;
        return _b.And(tags, ~bit);
    }

    public void SetTags(int tags)
    {
        Check();
        _b.StoreState(FpuState.OffTags, tags);
    }

    /// <summary>Finishes the instruction: TOP moves by <paramref name="pops"/> (-1 a push), the
    /// status word gets the new TOP and C1: the rounding direction of the instruction's
    /// arithmetic, if it had any (<see cref="Arith"/>), else 0, as the helpers' fast paths do;
    /// then the TOP hint and the last-instruction pointers.</summary>
    public void Commit(int pops, ulong desc, int ea = -1)
    {
        Check();
        int top = Phys(pops);
        int fsw = _b.Or(_b.And(_b.LoadState(FpuState.OffFsw), ~(C1 | TopMask)), _b.Const((uint)top << TopShift));
        _b.StoreState(FpuState.OffFsw, fsw);
        if (_roundedBy is { } r)
            _b.ExtSetRoundedUp(r.Op, FpuState.OffFsw, r.A.Sig, r.A.SignExp, r.B.Sig, r.B.SignExp);
        if (pops != 0) _b.StoreState(FpuState.OffTopHint, _b.Const(top));
        StorePointers(desc, ea);
        _cx.X87.Top = top;
        _cx.X87.HandledInline = true;
    }

    /// <summary>FIP, FCS, FOP and, with a memory operand, FDP and FDS (as X87Fast.Pointers).</summary>
    private void StorePointers(ulong desc, int ea)
    {
        _b.StoreState(FpuState.OffFip, _b.Const(_cx.Eip));
        _b.StoreState(FpuState.OffFcs, Selector(SegReg.CS));
        _b.StoreState(FpuState.OffFop, _b.Const(X87Desc.Fop(desc)));
        if (X87Desc.HasMem(desc))
        {
            _b.StoreState(FpuState.OffFdp, ea);
            _b.StoreState(FpuState.OffFds, Selector(X87Desc.Seg(desc)));
        }
    }

    private int Selector(int seg) => _b.And(_b.LoadState(CpuState.SegmentOffset(seg) + CpuState.SegSelector), 0xFFFFu);
}
