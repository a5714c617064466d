using System.Numerics;
using System.Runtime.CompilerServices;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.FpuBits;
using static Transmeta.Frontend.Fpu.X87Desc;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// Fast paths of the hot x87 instructions for the common case, with the same results as the
/// general code in <see cref="X87"/> (which they fall back to for everything else): the control
/// word is the FNINIT default 037F (round to nearest, 64-bit precision, every exception masked),
/// the registers involved are not empty (nor, for a push, full), and the operands and the
/// result are normal numbers. Then the only possible flags are PE and C1, and no exception is
/// pending afterwards, so the status word update is a merge of those two bits and TOP.
/// Measured on the host (a loaded 2-core EPYC VM): an FMUL/FADD helper call through the general
/// path costs about 13 ns, through this one about 8 ns, of which the soft-float arithmetic is 2.
/// </summary>
[SkipLocalsInit]
public static unsafe class X87Fast
{
    private const ulong Half = 1UL << 63;
    private const int Bias = Float80.Bias;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Float80* Regs(byte* s) => (Float80*)(s + FpuState.OffRegs);

    /// <summary>FIP, FCS, FOP and, with a memory operand, FDP and FDS (as <c>X87.SetPointers</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Pointers(byte* s, ulong desc, uint eip, uint ea)
    {
        *(uint*)(s + FpuState.OffFip) = eip;
        *(uint*)(s + FpuState.OffFcs) = *(ushort*)(s + CpuState.SegmentOffset(SegReg.CS) + CpuState.SegSelector);
        *(uint*)(s + FpuState.OffFop) = (uint)(desc >> FopShift) & 0x7FF;
        if (((desc >> MemBit) & 1) != 0)
        {
            *(uint*)(s + FpuState.OffFdp) = ea;
            *(uint*)(s + FpuState.OffFds) = *(ushort*)(s + CpuState.SegmentOffset((int)(desc >> SegShift) & 7) + CpuState.SegSelector);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Normal(Float80 a) => (uint)(a.Exp - 1) < 0x7FFE && (long)a.Sig < 0;

    /// <summary>dest op src for <see cref="ArithOp"/> on normal operands.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ExtendedArithmetic.Result Apply(int op, ulong md, uint sed, ulong ms, uint ses) => op switch
    {
        ArithOp.Add => ExtendedArithmetic.Add(md, sed, ms, ses),
        ArithOp.Mul => ExtendedArithmetic.Mul(md, sed, ms, ses),
        ArithOp.Sub => ExtendedArithmetic.Add(md, sed, ms, ses ^ 0x8000),
        ArithOp.SubR => ExtendedArithmetic.Add(ms, ses, md, sed ^ 0x8000),
        ArithOp.Div => ExtendedArithmetic.Div(md, sed, ms, ses),
        _ => ExtendedArithmetic.Div(ms, ses, md, sed),
    };


    /// <summary>A normal double as an extended value; false for zero, denormals, infinities, NaNs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool FromDouble(ulong bits, out Float80 v)
    {
        uint e = (uint)(bits >> 52) & 0x7FF;
        v = Float80.Pack((long)bits < 0, (int)e - 1023 + Bias, (bits << 11) | Float80.IntegerBit);
        return e - 1 < 0x7FE;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool FromSingle(uint bits, out Float80 v)
    {
        uint e = (bits >> 23) & 0xFF;
        v = Float80.Pack((int)bits < 0, (int)e - 127 + Bias, ((ulong)bits << 40) | Float80.IntegerBit);
        return e - 1 < 0xFE;
    }

    // ------------------------------------------------------------------ helpers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Arith(byte* s, ulong desc, ulong mem, uint eip, uint ea) =>
        Arith(s, desc, mem, eip, ea, Op(desc), FormOf(desc));

    /// <summary>The arithmetic with the operation and operand form given separately: when the
    /// caller passes constants (the specialized helpers of <see cref="X87Helpers"/>) the JIT
    /// folds the dispatch on them away. They must equal the descriptor's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Arith(byte* s, ulong desc, ulong mem, uint eip, uint ea, int op, int form)
    {
        if (*(uint*)(s + FpuState.OffCwX) != 0) goto slow;
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        uint tags = *(uint*)(s + FpuState.OffTags);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        int pi = (top + St(desc)) & 7;
        Float80* regs = Regs(s);
        Float80 d, src;
        int dst;
        if (form <= Form.StISt0)
        {
            if (((tags >> top) & (tags >> pi) & 1) == 0) goto slow;
            dst = form == Form.St0StI ? top : pi;
            d = regs[dst];
            src = regs[form == Form.St0StI ? pi : top];
        }
        else
        {
            if (((tags >> top) & 1) == 0) goto slow;
            dst = top;
            d = regs[top];
            switch (form)
            {
                case Form.M64Fp:
                    if (!FromDouble(mem, out src)) goto slow;
                    break;
                case Form.M32Fp:
                    if (!FromSingle((uint)mem, out src)) goto slow;
                    break;
                case Form.M32Int:
                    if ((int)mem == 0) goto slow;
                    src = SoftFloat.FromInt((int)mem);
                    break;
                case Form.M16Int:
                    if ((short)mem == 0) goto slow;
                    src = SoftFloat.FromInt((short)mem);
                    break;
                default:
                    goto slow;
            }
        }
        if (!Normal(d) || !Normal(src)) goto slow;
        // The last-instruction pointers before the arithmetic (the general path sets the same
        // ones if the result sends us there), and the status word and tags read again after it:
        // fewer values live across the arithmetic, which the JIT then keeps in registers (it
        // had spilled the rounding's temporaries to the stack, on the path to the result).
        Pointers(s, desc, eip, ea);
        bool pop = Pops(desc) != 0;
        Float80* pd = regs + dst;
        ExtendedArithmetic.Result r = Apply(op, d.Sig, d.SignExp, src.Sig, src.SignExp);
        if (r.Failed) goto slow;
        *(ulong*)pd = r.Sig;
        *((ushort*)pd + 4) = r.SignExp;
        uint flags = r.Status; // PE and C1, at their places in the status word
        if (pop)
        {
            *(uint*)(s + FpuState.OffTags) &= ~(1u << top);
            top = (top + 1) & 7;
            *(int*)(s + FpuState.OffTopHint) = top;
        }
        *(uint*)(s + FpuState.OffFsw) = (*(uint*)(s + FpuState.OffFsw) & ~(C1 | TopMask)) | flags | (uint)top << TopShift;
        return;
    slow:
        X87.Arith(s, desc, mem, eip, ea);
        SyncTop(s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Compare(byte* s, ulong desc, ulong mem, uint eip, uint ea)
    {
        if (*(uint*)(s + FpuState.OffCwX) != 0) goto slow;
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        uint tags = *(uint*)(s + FpuState.OffTags);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        int kind = Op(desc);
        if (kind == CompareKind.Ftst || FormOf(desc) != Form.St0StI) goto slow;
        int pi = (top + St(desc)) & 7;
        if (((tags >> top) & (tags >> pi) & 1) == 0) goto slow;
        Float80* regs = Regs(s);
        Float80 a = regs[top], b = regs[pi];
        if (!Normal(a) || !Normal(b)) goto slow;
        int rel;
        if (a.Sign != b.Sign) rel = a.Sign ? -1 : 1;
        else
        {
            int mag = a.Exp != b.Exp ? (a.Exp < b.Exp ? -1 : 1) : a.Sig != b.Sig ? (a.Sig < b.Sig ? -1 : 1) : 0;
            rel = a.Sign ? -mag : mag;
        }
        int pops = Pops(desc);
        if (pops != 0)
        {
            tags &= ~(1u << top);
            top = (top + 1) & 7;
            if (pops == 2)
            {
                tags &= ~(1u << top);
                top = (top + 1) & 7;
            }
            *(uint*)(s + FpuState.OffTags) = tags;
            *(int*)(s + FpuState.OffTopHint) = top;
        }
        ulong result = 0;
        fsw &= ~(C1 | TopMask);
        if (kind is CompareKind.Fcomi or CompareKind.Fucomi)
            result = rel == 0 ? 0x40u : rel < 0 ? 0x01u : 0u;
        else
            fsw = (fsw & ~(C0 | C2 | C3)) | (rel == 0 ? C3 : rel < 0 ? C0 : 0u);
        *(uint*)(s + FpuState.OffFsw) = fsw | (uint)top << TopShift;
        Pointers(s, desc, eip, ea);
        return result;
    slow:
        ulong r = X87.Compare(s, desc, mem, eip, ea);
        SyncTop(s);
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(byte* s, ulong desc, ulong value, uint eip, uint ea)
    {
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        uint tags = *(uint*)(s + FpuState.OffTags);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        int nt = (top - 1) & 7;
        if (((tags >> nt) & 1) != 0) goto slow;
        // Pointers first, status word read again at the end (as in Arith): fewer live values.
        // The general path, if the value sends us there, sets the same pointers.
        Pointers(s, desc, eip, ea);
        Float80* regs = Regs(s);
        Float80 v;
        switch (Op(desc))
        {
            case LoadKind.M64Fp:
                if (!FromDouble(value, out v))
                {
                    // zeros are common too: exact, no flags
                    if ((value << 1) != 0) goto slow;
                    v = Float80.SignedZero((long)value < 0);
                }
                break;
            case LoadKind.M32Fp:
                if (!FromSingle((uint)value, out v))
                {
                    if (((uint)value << 1) != 0) goto slow;
                    v = Float80.SignedZero((int)value < 0);
                }
                break;
            case LoadKind.M32Int: v = SoftFloat.FromInt((int)value); break;
            case LoadKind.M16Int: v = SoftFloat.FromInt((short)value); break;
            case LoadKind.M64Int: v = SoftFloat.FromInt((long)value); break;
            case LoadKind.M80Fp: v = new Float80(value, High(desc)); break;
            case LoadKind.StI:
            {
                int pi = (top + St(desc)) & 7;
                if (((tags >> pi) & 1) == 0) goto slow;
                v = regs[pi];
                break;
            }
            case LoadKind.One: v = Float80.One; break;
            case LoadKind.Zero: v = Float80.Zero; break;
            default: goto slow;
        }
        regs[nt] = v;
        *(uint*)(s + FpuState.OffTags) = tags | 1u << nt;
        *(int*)(s + FpuState.OffTopHint) = nt;
        *(uint*)(s + FpuState.OffFsw) = (*(uint*)(s + FpuState.OffFsw) & ~(C1 | TopMask)) | (uint)nt << TopShift;
        return;
    slow:
        X87.Load(s, desc, value, eip, ea);
        SyncTop(s);
    }

    /// <summary>FST/FSTP ST(i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreReg(byte* s, ulong desc, uint eip)
    {
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        uint tags = *(uint*)(s + FpuState.OffTags);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        if (((tags >> top) & 1) == 0) goto slow;
        int pi = (top + St(desc)) & 7;
        Float80* regs = Regs(s);
        regs[pi] = regs[top];
        tags |= 1u << pi;
        if (Pops(desc) != 0)
        {
            tags &= ~(1u << top);
            top = (top + 1) & 7;
        }
        *(uint*)(s + FpuState.OffTags) = tags;
        *(int*)(s + FpuState.OffTopHint) = top;
        *(uint*)(s + FpuState.OffFsw) = (fsw & ~(C1 | TopMask)) | (uint)top << TopShift;
        Pointers(s, desc, eip, 0);
        return;
    slow:
        X87.StoreReg(s, desc, eip);
        SyncTop(s);
    }

    /// <summary>FXCH, FCHS, FABS, FSQRT on the fast path; the rest of <see cref="MiscOp"/> goes to
    /// the general code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Misc(byte* s, ulong desc, ulong arg, uint eip)
    {
        int op = Op(desc);
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        uint tags = *(uint*)(s + FpuState.OffTags);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        if (((tags >> top) & 1) == 0) goto slow;
        Float80* regs = Regs(s);
        uint flags = 0;
        switch (op)
        {
            case MiscOp.Fxch:
            {
                int pi = (top + St(desc)) & 7;
                if (((tags >> pi) & 1) == 0) goto slow;
                (regs[top], regs[pi]) = (regs[pi], regs[top]);
                break;
            }
            case MiscOp.Fchs:
                regs[top] = regs[top].Negate();
                break;
            case MiscOp.Fabs:
                regs[top] = regs[top].Abs();
                break;
            case MiscOp.Fsqrt:
            {
                Float80 a = regs[top];
                if (*(uint*)(s + FpuState.OffCwX) != 0 || !Normal(a) || a.Sign) goto slow;
                var env = new FpEnv(FpEnv.RoundNearest, 64);
                regs[top] = SoftFloat.Sqrt(ref env, a);
                flags = env.Flags & (PE | C1);
                break;
            }
            case MiscOp.Fcmov:
            {
                int pi = (top + St(desc)) & 7;
                if (((tags >> pi) & 1) == 0) goto slow;
                if (arg != 0) regs[top] = regs[pi];
                // FCMOVcc leaves C1 alone (host)
                flags = fsw & C1;
                break;
            }
            default:
                goto slow;
        }
        *(uint*)(s + FpuState.OffFsw) = (fsw & ~C1) | flags;
        Pointers(s, desc, eip, 0);
        return;
    slow:
        X87.Misc(s, desc, arg, eip);
        SyncTop(s);
    }

    /// <summary>FST/FSTP m64 and m32, FISTP m32, first half (nothing changes yet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong StorePrepare(byte* s, ulong desc)
    {
        if (*(uint*)(s + FpuState.OffCwX) != 0) goto slow;
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        if (((*(uint*)(s + FpuState.OffTags) >> top) & 1) == 0) goto slow;
        Float80 v = Regs(s)[top];
        if (!Normal(v)) goto slow;
        int kind = Op(desc);
        int e = v.Exp - Bias;
        ulong sig = v.Sig;
        uint flags = 0;
        ulong result;
        if (kind == StoreKind.M64Fp)
        {
            // a normal double after rounding: exponent -1022..1023 (a carry may reach 1024)
            if (e < -1022 || e > 1023) goto slow;
            ulong kept = sig >> 11, rest = sig << 53;
            if (rest != 0)
            {
                flags = PE;
                if (rest > Half || (rest == Half && (kept & 1) != 0))
                {
                    flags = PE | C1;
                    if (++kept >> 53 != 0)
                    {
                        kept >>= 1;
                        if (++e > 1023) goto slow;
                    }
                }
            }
            result = (v.Sign ? 1UL << 63 : 0) | (ulong)(e + 1023) << 52 | (kept & 0xF_FFFF_FFFF_FFFF);
        }
        else if (kind == StoreKind.M32Fp)
        {
            if (e < -126 || e > 127) goto slow;
            ulong kept = sig >> 40, rest = sig << 24;
            if (rest != 0)
            {
                flags = PE;
                if (rest > Half || (rest == Half && (kept & 1) != 0))
                {
                    flags = PE | C1;
                    if (++kept >> 24 != 0)
                    {
                        kept >>= 1;
                        if (++e > 127) goto slow;
                    }
                }
            }
            result = (v.Sign ? 1UL << 31 : 0) | (ulong)(e + 127) << 23 | (kept & 0x7F_FFFF);
        }
        else goto slow;
        *(uint*)(s + FpuState.OffStoreSkip) = 0;
        *(uint*)(s + FpuState.OffStoreStatus) = flags;
        return result;
    slow:
        return X87.StorePrepare(s, desc);
    }

    /// <summary>Second half of a store prepared on the fast path: only PE and C1 to merge, and
    /// the pop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreCommit(byte* s, ulong desc, uint eip, uint ea)
    {
        if (*(uint*)(s + FpuState.OffCwX) != 0) goto slow;
        uint fsw = *(uint*)(s + FpuState.OffFsw);
        int top = *(int*)(s + FpuState.OffTopHint);
        if (top != ((int)(fsw >> TopShift) & 7)) goto slow;
        uint flags = *(uint*)(s + FpuState.OffStoreStatus);
        if (*(uint*)(s + FpuState.OffStoreSkip) != 0 || (flags & ~(PE | C1)) != 0) goto slow;
        if (Pops(desc) != 0)
        {
            *(uint*)(s + FpuState.OffTags) &= ~(1u << top);
            top = (top + 1) & 7;
            *(int*)(s + FpuState.OffTopHint) = top;
        }
        *(uint*)(s + FpuState.OffFsw) = (fsw & ~(C1 | TopMask)) | flags | (uint)top << TopShift;
        Pointers(s, desc, eip, ea);
        return;
    slow:
        X87.StoreCommit(s, desc, eip, ea);
        SyncTop(s);
    }

    /// <summary>Copies TOP from the status word to <see cref="FpuState.OffTopHint"/> (after the
    /// general code, which keeps only the status word).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SyncTop(byte* s) => *(int*)(s + FpuState.OffTopHint) = FpuState.Top(s);
}
