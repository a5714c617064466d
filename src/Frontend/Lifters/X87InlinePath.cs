using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.FpuBits;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// An x87 instruction lifted inline: its common case as IR on the registers at the fixed
/// offsets the assumed TOP gives (Lifting/X87StackTracking.cs), with a side exit
/// (BlockExit.Slow, out of line) for everything else: an empty or full register where the
/// instruction needs the other, operands that are not normal numbers, a result that is not,
/// the control word not 037F. Every check comes before the first write, so the instruction
/// that leaves has changed nothing and runs again from a translation without the inline paths.
/// The conditions and results are those of the helpers' own fast paths (<see cref="X87Fast"/>),
/// so which way an instruction ran is invisible to the guest.
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

    public void FailIf(int cond) => _cx.ExitIf(cond, BlockExit.Slow);
    public void FailUnless(int cond) => FailIf(_b.Eq(cond, _b.Const(0)));

    public void RequireDefaultControl() => X87Common.RequireDefaultControl(_cx);
    public void RequireFull(int i) => FailUnless(_b.And(Tags, 1u << Phys(i)));
    public void RequireEmpty(int i) => FailIf(_b.And(Tags, 1u << Phys(i)));

    private static int Offset(int phys) => FpuState.OffRegs + FpuState.RegSize * phys;

    /// <summary>ST(i): significand (I64) and sign/exponent (I32, 16 bits).</summary>
    public (int Sig, int SignExp) Read(int i)
    {
        int offset = Offset(Phys(i));
        return (_b.LoadState(offset, IrType.I64), _b.And(_b.LoadState(offset + 8), 0xFFFFu));
    }

    public void Write(int i, int sig, int signExp)
    {
        _b.StoreState(Offset(Phys(i)), sig);
        WriteSignExp(i, signExp);
    }

    public void WriteSignExp(int i, int signExp) => _b.StoreState(Offset(Phys(i)) + 8, signExp);

    /// <summary>Both values normal, else the slow path.</summary>
    public void RequireNormal((int Sig, int SignExp) a, (int Sig, int SignExp) b) =>
        FailUnless(_b.And(SoftFloatIr.IsNormal(_b, a.Sig, a.SignExp), SoftFloatIr.IsNormal(_b, b.Sig, b.SignExp)));

    /// <summary>Both values normal or zero, else the slow path.</summary>
    public void RequireNormalOrZero((int Sig, int SignExp) a, (int Sig, int SignExp) b)
    {
        int aOk = _b.Or(SoftFloatIr.IsNormal(_b, a.Sig, a.SignExp), SoftFloatIr.IsZero(_b, a.Sig, a.SignExp));
        int bOk = _b.Or(SoftFloatIr.IsNormal(_b, b.Sig, b.SignExp), SoftFloatIr.IsZero(_b, b.Sig, b.SignExp));
        FailUnless(_b.And(aOk, bOk));
    }

    /// <summary>Tag mask with ST(i) marked full / empty.</summary>
    public int WithFull(int tags, int i) => _b.Or(tags, _b.Const(1u << Phys(i)));
    public int WithEmpty(int tags, int i) => _b.And(tags, ~(1u << Phys(i)));

    public void SetTags(int tags) => _b.StoreState(FpuState.OffTags, tags);

    /// <summary>Finishes the instruction: TOP moves by <paramref name="pops"/> (-1 a push), the
    /// status word gets the new TOP with C1 cleared and <paramref name="flags"/> (PE, C1 bits;
    /// -1 for none) merged, as the helpers' fast paths do; then the TOP hint and the
    /// last-instruction pointers.</summary>
    public void Commit(int pops, int flags, ulong desc, int ea = -1)
    {
        int top = Phys(pops);
        int fsw = _b.Or(_b.And(_b.LoadState(FpuState.OffFsw), ~(C1 | TopMask)), _b.Const((uint)top << TopShift));
        if (flags >= 0) fsw = _b.Or(fsw, flags);
        _b.StoreState(FpuState.OffFsw, fsw);
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
