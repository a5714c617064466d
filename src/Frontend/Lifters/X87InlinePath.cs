using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.FpuBits;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// The inline (IR) path of one x87 instruction: its common case as IR, then the helper call as
/// the slow path for everything else. Shape:
/// <code>
///   checks (TOP hint = the status word's TOP, tags, control word, operand classes) → slow
///   compute; write registers, tags, status word, TOP hint, last-instruction pointers
///   jump done
/// slow:
///   the instruction's helper call(s) (cold twins: <see cref="X87Helpers.ArithSlow"/>, ...)
/// done:
/// </code>
/// Every check comes before the first write, so the slow path starts from the untouched FPU
/// state. Registers are addressed through the runtime TOP (<see cref="Opcode.LoadStateAt"/>
/// into the register file): the TOP hint (FpuState.OffTopHint) gives the address without
/// waiting for the previous instruction's status word, and the branch that compares the two
/// is predicted. The conditions and results are those of the helpers' own fast paths
/// (<see cref="X87Fast"/>), so which path ran is invisible to the guest.
/// Disabled with TRANSMETA_X87_INLINE=0 (every instruction is then its helper call).
/// </summary>
internal sealed class X87InlinePath
{
    private const int RegWindow = 8 * FpuState.RegSize;

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("TRANSMETA_X87_INLINE") == "1";

    private readonly LiftContext _cx;
    private readonly IrBuilder _b;
    private readonly int _slow, _done;

    /// <summary>TOP (I32), the status word and the tag mask as the instruction found them.</summary>
    public int Top { get; }
    public int Fsw { get; }
    public int Tags { get; }

    public X87InlinePath(LiftContext cx)
    {
        _cx = cx;
        _b = cx.B;
        _slow = _b.NewLabel();
        _done = _b.NewLabel();
        Top = _b.LoadState(FpuState.OffTopHint);
        Fsw = _b.LoadState(FpuState.OffFsw);
        FailUnless(_b.Eq(_b.And(_b.ShrImm(Fsw, TopShift), 7u), Top));
        Tags = _b.LoadState(FpuState.OffTags);
    }

    public void FailIf(int cond) => _b.BranchIf(cond, _slow);
    public void FailUnless(int cond) => _b.BranchIf(_b.Eq(cond, _b.Const(0)), _slow);

    /// <summary>The control word is 037F (round to nearest, 64-bit precision, all masked); it
    /// is stored XOR 037F, so that is a zero.</summary>
    public void RequireDefaultControl() => FailIf(_b.LoadState(FpuState.OffCwX));

    /// <summary>The physical register of ST(i) (i = -1: the one a push fills).</summary>
    public int Phys(int i) => i == 0 ? Top : _b.And(_b.Add(Top, _b.Const(i & 7)), 7u);

    public int Bit(int phys) => _b.Shl(_b.Const(1), phys);
    public void RequireFull(int phys) => FailUnless(_b.And(_b.Shr(Tags, phys), 1u));
    public void RequireEmpty(int phys) => FailIf(_b.And(_b.Shr(Tags, phys), 1u));

    public (int Sig, int SignExp) Read(int phys)
    {
        int offset = _b.ShlImm(phys, 4);
        int sig = _b.LoadStateAt(FpuState.OffRegs, RegWindow, offset, IrType.I64);
        int signExp = _b.And(_b.LoadStateAt(FpuState.OffRegs, RegWindow, _b.Add(offset, _b.Const(8))), 0xFFFFu);
        return (sig, signExp);
    }

    public void Write(int phys, int sig, int signExp)
    {
        int offset = _b.ShlImm(phys, 4);
        _b.StoreStateAt(FpuState.OffRegs, RegWindow, offset, sig);
        WriteSignExp(phys, signExp);
    }

    public void WriteSignExp(int phys, int signExp) =>
        _b.StoreStateAt(FpuState.OffRegs, RegWindow, _b.Add(_b.ShlImm(phys, 4), _b.Const(8)), signExp);

    /// <summary>Both values normal, else the slow path.</summary>
    public void RequireNormal((int Sig, int SignExp) a, (int Sig, int SignExp) b) =>
        FailUnless(_b.And(SoftFloatIr.IsNormal(_b, a.Sig, a.SignExp), SoftFloatIr.IsNormal(_b, b.Sig, b.SignExp)));

    public void SetTags(int tags) => _b.StoreState(FpuState.OffTags, tags);

    /// <summary>Ends the fast path: the status word gets TOP <paramref name="newTop"/> and C1
    /// cleared, then <paramref name="flags"/> (PE, C1 bits; -1 for none) merged, as the
    /// helpers' fast paths do; the TOP hint and the last-instruction pointers follow. Then the
    /// slow path begins.</summary>
    public void Commit(int newTop, int flags, ulong desc, int ea = -1)
    {
        int fsw = _b.Or(_b.And(Fsw, ~(C1 | TopMask)), _b.ShlImm(newTop, TopShift));
        if (flags >= 0) fsw = _b.Or(fsw, flags);
        _b.StoreState(FpuState.OffFsw, fsw);
        if (newTop != Top) _b.StoreState(FpuState.OffTopHint, newTop);
        StorePointers(desc, ea);
        _b.Jump(_done);
        _cx.MarkLabel(_slow);
    }

    /// <summary>After the slow path: where both paths meet.</summary>
    public void End() => _cx.MarkLabel(_done);

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
