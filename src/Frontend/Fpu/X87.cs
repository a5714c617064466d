using System.Runtime.CompilerServices;
using Transmeta.Frontend.State;
using static Transmeta.Frontend.Fpu.FpuBits;
using static Transmeta.Frontend.Fpu.X87Desc;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The x87 instructions over the FPU state in CpuState (<see cref="FpuState"/>): the register
/// stack with its tags, stack overflow and underflow, the exception flags with the masked
/// responses, unmasked exceptions (ES and B set, the destination left alone for invalid
/// operation, denormal operand and divide-by-zero, no store to memory), C1, and the
/// last-instruction pointers. The lifters (Lifters/X87*.cs) call these through helpers; memory
/// operands are read and written by the lifter, so they are values here.
///
/// Behaviour not pinned down by the SDM follows the test host (an AMD EPYC), checked by
/// tests/Transmeta.Tests/Fpu: C0, C2 and C3 keep their values where the SDM says "undefined";
/// a masked stack overflow decrements TOP and loads the indefinite; FDP/FDS change only with
/// instructions that have a memory operand; an unmasked overflow, underflow or invalid
/// operation on a store to memory sets only that flag (no PE, C1 = 0), writes nothing and
/// does not pop.
///
/// A pending unmasked exception (#MF) and CR0.EM/TS (#NM) are checked by the lifter before the
/// instruction runs, so nothing here faults.
/// </summary>
[SkipLocalsInit]
public static unsafe class X87
{
    // ------------------------------------------------------------------ common

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Empty(uint tags, int phys) => (tags & (1u << phys)) == 0;

    /// <summary>The new status word: <paramref name="flags"/> (exceptions, SF, C1) merged, C1
    /// replaced, TOP set, and ES/B when an exception is unmasked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Status(uint fsw, uint flags, uint cw, int top)
    {
        fsw = (fsw & ~(C1 | TopMask)) | (flags & (C1 | Exceptions | SF)) | (uint)top << TopShift;
        if ((flags & ~cw & Exceptions) != 0) fsw |= ES | B;
        return fsw;
    }

    /// <summary>A transcendental result that is tiny (denormal) and inexact is an underflow,
    /// whatever path computed it (the host reports UE; found by the differential tester).</summary>
    private static void TinyInexact(ref FpEnv env, Float80 r)
    {
        if (r.Exp == 0 && !r.IsZero && (env.Flags & PE) != 0) env.Flags |= UE;
    }

    /// <summary>True when an unmasked invalid-operation, denormal-operand or divide-by-zero
    /// exception stops the instruction: the destination and the stack stay as they were, and the
    /// status shows only those exceptions (the result's PE, UE, OE and C1 are not reported).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Blocked(ref FpEnv env, uint cw)
    {
        if ((env.Flags & ~cw & PreComputation) == 0) return false;
        // C1 stays only as the stack-overflow indicator.
        env.Flags &= PreComputation | SF | ((env.Flags & SF) != 0 ? C1 : 0);
        return true;
    }

    private static void SetPointers(byte* s, ulong desc, uint eip, uint ea)
    {
        *(uint*)(s + FpuState.OffFip) = eip;
        *(uint*)(s + FpuState.OffFcs) = *(ushort*)(s + CpuState.SegmentOffset(SegReg.CS) + CpuState.SegSelector);
        *(uint*)(s + FpuState.OffFop) = Fop(desc);
        if (HasMem(desc))
        {
            *(uint*)(s + FpuState.OffFdp) = ea;
            *(uint*)(s + FpuState.OffFds) = *(ushort*)(s + CpuState.SegmentOffset(Seg(desc)) + CpuState.SegSelector);
        }
    }

    /// <summary>A memory operand as an extended value (signaling NaNs stay signaling: the
    /// arithmetic raises IE for them, and a QNaN operand wins over them). A single or double
    /// denormal is normal in extended format, so its denormal-operand exception is raised here,
    /// unless the other operand is a NaN or unsupported (those take precedence, as for register
    /// operands).</summary>
    private static Float80 MemoryOperand(int form, ulong mem, out bool denormal)
    {
        var conv = new FpEnv();
        Float80 v = form switch
        {
            Form.M32Fp => SoftFloat.FromFloat32(ref conv, (uint)mem, quiet: false),
            Form.M64Fp => SoftFloat.FromFloat64(ref conv, mem, quiet: false),
            Form.M16Int => SoftFloat.FromInt((short)mem),
            Form.M32Int => SoftFloat.FromInt((int)mem),
            _ => SoftFloat.FromInt((long)mem),
        };
        denormal = (conv.Flags & DE) != 0;
        return v;
    }

    /// <summary>The denormal-operand exception of a single/double memory operand: not when the
    /// other operand is a NaN or unsupported, nor when the operation divided by zero (those take
    /// precedence, as with register operands).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MemoryDenormal(ref FpEnv env, Float80 other)
    {
        if (!other.IsNaN && !other.IsUnsupported && (env.Flags & ZE) == 0) env.Flags |= DE;
    }

    // ------------------------------------------------------------------ arithmetic

    /// <summary>FADD FSUB FSUBR FMUL FDIV FDIVR with their P and I forms.</summary>
    public static void Arith(byte* s, ulong desc, ulong mem, uint eip, uint ea)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        uint tags = FpuState.Tags(s);
        int top = (int)(fsw >> TopShift) & 7;
        int form = FormOf(desc);
        int pi = (top + St(desc)) & 7;
        int dst = form == Form.StISt0 ? pi : top;
        var env = FpEnv.FromControlWord(cw);
        bool write;
        Float80 result;
        if (Empty(tags, top) || (form <= Form.StISt0 && Empty(tags, pi)))
        {
            env.Flags = IE | SF;
            result = Float80.Indefinite;
            write = (cw & IE) != 0;
        }
        else
        {
            Float80 d = FpuState.Reg(s, dst);
            bool memDenormal = false;
            Float80 src = form switch
            {
                Form.St0StI => FpuState.Reg(s, pi),
                Form.StISt0 => FpuState.Reg(s, top),
                _ => MemoryOperand(form, mem, out memDenormal),
            };
            result = Op(desc) switch
            {
                ArithOp.Add => SoftFloat.Add(ref env, d, src),
                ArithOp.Mul => SoftFloat.Mul(ref env, d, src),
                ArithOp.Sub => SoftFloat.Sub(ref env, d, src),
                ArithOp.SubR => SoftFloat.Sub(ref env, src, d),
                ArithOp.Div => SoftFloat.Div(ref env, d, src),
                _ => SoftFloat.Div(ref env, src, d),
            };
            if (memDenormal) MemoryDenormal(ref env, d);
            write = !Blocked(ref env, cw);
        }
        if (write)
        {
            FpuState.Reg(s, dst) = result;
            tags |= 1u << dst;
            if (Pops(desc) != 0)
            {
                tags &= ~(1u << top);
                top = (top + 1) & 7;
            }
            FpuState.Tags(s) = tags;
        }
        FpuState.Fsw(s) = Status(fsw, env.Flags, cw, top);
        SetPointers(s, desc, eip, ea);
    }

    // ------------------------------------------------------------------ compare

    /// <summary>FCOM FCOMP FCOMPP FUCOM* FICOM* FTST (C3 C2 C0) and FCOMI* FUCOMI* (returns
    /// ZF PF CF as EFLAGS bits; the lifter materializes them with OF SF AF cleared).</summary>
    public static ulong Compare(byte* s, ulong desc, ulong mem, uint eip, uint ea)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        uint tags = FpuState.Tags(s);
        int top = (int)(fsw >> TopShift) & 7;
        int kind = Op(desc);
        int form = FormOf(desc);
        int pi = (top + St(desc)) & 7;
        var env = FpEnv.FromControlWord(cw);
        int rel;
        bool pop;
        if (Empty(tags, top) || (kind != CompareKind.Ftst && form == Form.St0StI && Empty(tags, pi)))
        {
            env.Flags = IE | SF;
            rel = 2;
            pop = (cw & IE) != 0;
        }
        else
        {
            Float80 a = FpuState.Reg(s, top);
            bool memDenormal = false;
            Float80 b = kind == CompareKind.Ftst ? Float80.Zero
                : form == Form.St0StI ? FpuState.Reg(s, pi)
                : MemoryOperand(form, mem, out memDenormal);
            rel = SoftFloat.Compare(ref env, a, b, kind is CompareKind.Fcom or CompareKind.Fcomi or CompareKind.Ftst);
            if (memDenormal) MemoryDenormal(ref env, a);
            pop = !Blocked(ref env, cw);
        }
        int pops = pop ? Pops(desc) : 0;
        for (int k = 0; k < pops; k++)
        {
            tags &= ~(1u << top);
            top = (top + 1) & 7;
        }
        FpuState.Tags(s) = tags;
        env.Flags &= ~C1;
        ulong result = 0;
        if (kind is CompareKind.Fcomi or CompareKind.Fucomi)
        {
            result = rel switch { 0 => 0x40u, -1 => 0x01u, 1 => 0u, _ => 0x45u };
        }
        else
        {
            fsw &= ~(C0 | C2 | C3);
            fsw |= rel switch { 0 => C3, -1 => C0, 1 => 0u, _ => C3 | C2 | C0 };
        }
        FpuState.Fsw(s) = Status(fsw, env.Flags, cw, top);
        SetPointers(s, desc, eip, ea);
        return result;
    }

    // ------------------------------------------------------------------ loads

    /// <summary>FLD m32/m64/m80/ST(i), FILD, FBLD and the constants: push.</summary>
    public static void Load(byte* s, ulong desc, ulong value, uint eip, uint ea)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        uint tags = FpuState.Tags(s);
        int top = (int)(fsw >> TopShift) & 7;
        var env = FpEnv.FromControlWord(cw);
        Float80 v;
        switch (Op(desc))
        {
            case LoadKind.M32Fp: v = SoftFloat.FromFloat32(ref env, (uint)value); break;
            case LoadKind.M64Fp: v = SoftFloat.FromFloat64(ref env, value); break;
            case LoadKind.M80Fp: v = new Float80(value, High(desc)); break;
            case LoadKind.M16Int: v = SoftFloat.FromInt((short)value); break;
            case LoadKind.M32Int: v = SoftFloat.FromInt((int)value); break;
            case LoadKind.M64Int: v = SoftFloat.FromInt((long)value); break;
            case LoadKind.Bcd: v = Bcd.FromPacked(value, High(desc)); break;
            case LoadKind.StI:
            {
                int pi = (top + St(desc)) & 7;
                if (Empty(tags, pi))
                {
                    env.Flags |= IE | SF;
                    v = Float80.Indefinite;
                }
                else v = FpuState.Reg(s, pi);
                break;
            }
            default: v = Constants.Get(Op(desc), env.Rc); break;
        }
        int nt = (top - 1) & 7;
        // FLD ST(i) from an empty register into a full stack reports the underflow (C1 = 0), as
        // the host does; otherwise stack overflow is detected first.
        bool underflow = Op(desc) == LoadKind.StI && Empty(tags, (top + St(desc)) & 7);
        if (!Empty(tags, nt) && !underflow)
        {
            // Stack overflow is detected first: the operand's own exceptions are not reported.
            env.Flags = IE | SF | C1;
            v = Float80.Indefinite;
        }
        // A denormal source (single/double) is loaded even when DE is unmasked (host); only an
        // unmasked invalid operation (stack overflow, SNaN) stops the push.
        if ((env.Flags & ~cw & IE) == 0)
        {
            FpuState.Reg(s, nt) = v;
            FpuState.Tags(s) = tags | 1u << nt;
            top = nt;
        }
        FpuState.Fsw(s) = Status(fsw, env.Flags, cw, top);
        SetPointers(s, desc, eip, ea);
    }

    // ------------------------------------------------------------------ stores to memory

    /// <summary>FST/FSTP m32/m64/m80, FIST/FISTP, FBSTP, first half: the value to write (the high
    /// 16 bits of an 80-bit one in the scratch slot), whether to write it, and the status to
    /// commit. Changes no architectural state, so a faulting write leaves the FPU as it was.</summary>
    public static ulong StorePrepare(byte* s, ulong desc)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        int top = (int)(fsw >> TopShift) & 7;
        int kind = Op(desc);
        var env = FpEnv.FromControlWord(cw);
        ulong value;
        uint high = 0;
        if (Empty(FpuState.Tags(s), top))
        {
            env.Flags = IE | SF;
            value = IndefiniteOf(kind, out high);
        }
        else
        {
            Float80 v = FpuState.Reg(s, top);
            switch (kind)
            {
                case StoreKind.M32Fp: value = SoftFloat.ToFloat32(ref env, v); break;
                case StoreKind.M64Fp: value = SoftFloat.ToFloat64(ref env, v); break;
                case StoreKind.M80Fp: value = v.Sig; high = v.SignExp; break;
                case StoreKind.M16Int: value = (ulong)SoftFloat.ToInt(ref env, v, 16) & 0xFFFF; break;
                case StoreKind.M32Int: value = (ulong)SoftFloat.ToInt(ref env, v, 32) & 0xFFFF_FFFF; break;
                case StoreKind.M64Int: value = (ulong)SoftFloat.ToInt(ref env, v, 64); break;
                default: value = Bcd.ToPacked(ref env, v, out high); break;
            }
        }
        // An unmasked invalid operation, overflow or underflow stores nothing; the status then
        // shows only the exceptions (no PE, C1 = 0). An unmasked PE alone does not stop the store.
        bool skip = (env.Flags & ~cw & (IE | OE | UE)) != 0;
        if (skip) env.Flags &= ~(PE | C1);
        *(uint*)(s + FpuState.OffStoreSkip) = skip ? 1u : 0u;
        *(uint*)(s + FpuState.OffStoreStatus) = env.Flags;
        *(uint*)(s + FpuState.OffStoreHigh) = high;
        return value;
    }

    private static ulong IndefiniteOf(int kind, out uint high)
    {
        high = 0;
        switch (kind)
        {
            case StoreKind.M32Fp: return 0xFFC0_0000;
            case StoreKind.M64Fp: return 0xFFF8_0000_0000_0000;
            case StoreKind.M80Fp: high = 0xFFFF; return 0xC000_0000_0000_0000;
            case StoreKind.M16Int: return 0x8000;
            case StoreKind.M32Int: return 0x8000_0000;
            case StoreKind.M64Int: return 0x8000_0000_0000_0000;
            default: high = 0xFFFF; return 0xC000_0000_0000_0000;
        }
    }

    /// <summary>Second half of a store, after the memory write: status, pop, pointers.</summary>
    public static void StoreCommit(byte* s, ulong desc, uint eip, uint ea)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        int top = (int)(fsw >> TopShift) & 7;
        uint flags = *(uint*)(s + FpuState.OffStoreStatus);
        bool skipped = *(uint*)(s + FpuState.OffStoreSkip) != 0;
        if (!skipped && Pops(desc) != 0)
        {
            FpuState.Tags(s) &= ~(1u << top);
            top = (top + 1) & 7;
        }
        FpuState.Fsw(s) = Status(fsw, flags, cw, top);
        SetPointers(s, desc, eip, ea);
    }

    // ------------------------------------------------------------------ everything else

    /// <summary>The register-stack instructions without memory operands (<see cref="MiscOp"/>);
    /// <paramref name="arg"/> is the FCMOVcc condition.</summary>
    public static void Misc(byte* s, ulong desc, ulong arg, uint eip)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        uint tags = FpuState.Tags(s);
        int top = (int)(fsw >> TopShift) & 7;
        int pi = (top + St(desc)) & 7;
        var env = FpEnv.FromControlWord(cw);
        int op = Op(desc);
        switch (op)
        {
            case MiscOp.Fchs:
            case MiscOp.Fabs:
            case MiscOp.Fsqrt:
            case MiscOp.Frndint:
            case MiscOp.F2xm1:
            case MiscOp.Fsin:
            case MiscOp.Fcos:
            {
                if (Empty(tags, top))
                {
                    env.Flags = IE | SF;
                    // FSIN FCOS: a stack fault clears C2 (the host does; the reduction is "complete").
                    if (op is MiscOp.Fsin or MiscOp.Fcos) fsw &= ~C2;
                    if ((cw & IE) != 0)
                    {
                        FpuState.Reg(s, top) = Float80.Indefinite;
                        tags |= 1u << top;
                    }
                    break;
                }
                Float80 a = FpuState.Reg(s, top);
                Float80 r;
                switch (op)
                {
                    case MiscOp.Fchs: r = a.Negate(); break;
                    case MiscOp.Fabs: r = a.Abs(); break;
                    case MiscOp.Fsqrt: r = SoftFloat.Sqrt(ref env, a); break;
                    case MiscOp.Frndint: r = SoftFloat.RoundToInt(ref env, a); break;
                    case MiscOp.F2xm1: r = Transcendental.F2xm1(ref env, a); break;
                    default:
                        if (!Transcendental.SinCos(ref env, a, op == MiscOp.Fsin, out r, out _, ref fsw))
                        {
                            fsw = Status(fsw, env.Flags, cw, top);
                            FpuState.Fsw(s) = fsw;
                            SetPointers(s, desc, eip, 0);
                            return;
                        }
                        break;
                }
                if (op is MiscOp.F2xm1 or MiscOp.Fsin or MiscOp.Fcos) TinyInexact(ref env, r);
                if (!Blocked(ref env, cw)) FpuState.Reg(s, top) = r;
                break;
            }
            case MiscOp.Fxam:
            {
                Float80 a = FpuState.Reg(s, top);
                uint cc;
                if (Empty(tags, top)) cc = C3 | C0;
                else if (a.IsUnsupported) cc = 0;
                else if (a.IsNaN) cc = C0;
                else if (a.IsInfinity) cc = C2 | C0;
                else if (a.IsZero) cc = C3;
                else if (a.IsDenormal) cc = C3 | C2;
                else cc = C2;
                fsw = (fsw & ~(C0 | C2 | C3)) | cc;
                env.Flags = a.Sign ? C1 : 0;
                break;
            }
            case MiscOp.Fxch:
            {
                Float80 a = FpuState.Reg(s, top), b = FpuState.Reg(s, pi);
                if (Empty(tags, top) || Empty(tags, pi))
                {
                    env.Flags = IE | SF;
                    if ((cw & IE) == 0) break;
                    if (Empty(tags, top)) a = Float80.Indefinite;
                    if (Empty(tags, pi)) b = Float80.Indefinite;
                    tags |= 1u << top | 1u << pi;
                }
                FpuState.Reg(s, top) = b;
                FpuState.Reg(s, pi) = a;
                break;
            }
            case MiscOp.Ffree:
                tags &= ~(1u << pi);
                break;
            case MiscOp.Ffreep:
                tags &= ~(1u << pi);
                tags &= ~(1u << top);
                top = (top + 1) & 7;
                break;
            case MiscOp.Fincstp:
                top = (top + 1) & 7;
                break;
            case MiscOp.Fdecstp:
                top = (top - 1) & 7;
                break;
            case MiscOp.Fnop:
                env.Flags = fsw & C1;
                break;
            case MiscOp.Fcmov:
                if (Empty(tags, top) || Empty(tags, pi))
                {
                    // Stack underflow whatever the condition: ST(0) gets the indefinite (host).
                    env.Flags = IE | SF;
                    if ((cw & IE) != 0)
                    {
                        FpuState.Reg(s, top) = Float80.Indefinite;
                        tags |= 1u << top;
                    }
                    break;
                }
                env.Flags = fsw & C1;
                if (arg != 0) FpuState.Reg(s, top) = FpuState.Reg(s, pi);
                break;
            default:
                TwoOperand(s, desc, eip, op, cw, ref fsw, ref tags, ref top, ref env);
                break;
        }
        FpuState.Tags(s) = tags;
        FpuState.Fsw(s) = Status(fsw, env.Flags, cw, top);
        SetPointers(s, desc, eip, 0);
    }

    /// <summary>FST/FSTP ST(i) (a register copy: no exceptions but stack underflow). FSTPNCE
    /// (D9 D8+i, form 1) does not check: with an empty ST(0) it only pops, without an exception
    /// and without writing ST(i) (the test host, an AMD EPYC, does this).</summary>
    public static void StoreReg(byte* s, ulong desc, uint eip)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        uint tags = FpuState.Tags(s);
        int top = (int)(fsw >> TopShift) & 7;
        int pi = (top + St(desc)) & 7;
        uint flags = 0;
        bool write = true;
        Float80 v;
        if (Empty(tags, top) && FormOf(desc) == 1)
        {
            if (Pops(desc) != 0) top = (top + 1) & 7;
            FpuState.Fsw(s) = Status(fsw, 0, cw, top);
            SetPointers(s, desc, eip, 0);
            return;
        }
        if (Empty(tags, top))
        {
            flags = IE | SF;
            v = Float80.Indefinite;
            write = (cw & IE) != 0;
        }
        else v = FpuState.Reg(s, top);
        if (write)
        {
            FpuState.Reg(s, pi) = v;
            tags |= 1u << pi;
            if (Pops(desc) != 0)
            {
                tags &= ~(1u << top);
                top = (top + 1) & 7;
            }
            FpuState.Tags(s) = tags;
        }
        FpuState.Fsw(s) = Status(fsw, flags, cw, top);
        SetPointers(s, desc, eip, 0);
    }

    /// <summary>FSCALE FXTRACT FPREM FPREM1 FPTAN FSINCOS FPATAN FYL2X FYL2XP1.</summary>
    private static void TwoOperand(byte* s, ulong desc, uint eip, int op, uint cw, ref uint fsw, ref uint tags, ref int top, ref FpEnv env)
    {
        int p1 = (top + 1) & 7;
        switch (op)
        {
            case MiscOp.Fxtract:
            case MiscOp.Fptan:
            case MiscOp.Fsincos:
            {
                // ST(0) is replaced and a second result pushed.
                int nt = (top - 1) & 7;
                // FPTAN FSINCOS: a stack fault clears C2 (the host does).
                if (op != MiscOp.Fxtract && (Empty(tags, top) || !Empty(tags, nt))) fsw &= ~C2;
                if (Empty(tags, top))
                {
                    env.Flags = IE | SF;
                    if ((cw & IE) == 0) return;
                    FpuState.Reg(s, top) = Float80.Indefinite;
                    FpuState.Reg(s, nt) = Float80.Indefinite;
                    tags |= 1u << top | 1u << nt;
                    top = nt;
                    return;
                }
                if (!Empty(tags, nt))
                {
                    env.Flags = IE | SF | C1;
                    if ((cw & IE) == 0) return;
                    FpuState.Reg(s, top) = Float80.Indefinite;
                    FpuState.Reg(s, nt) = Float80.Indefinite;
                    top = nt;
                    return;
                }
                Float80 a = FpuState.Reg(s, top);
                Float80 r0, r1;
                bool done = true;
                if (op == MiscOp.Fxtract) Transcendental.Fxtract(ref env, a, out r0, out r1);
                else if (op == MiscOp.Fptan) done = Transcendental.Fptan(ref env, a, out r0, out r1, ref fsw);
                else done = Transcendental.SinCos(ref env, a, true, out r0, out r1, ref fsw, both: true);
                if (!done) return; // out of range: C2 set, operand unchanged, nothing pushed
                if (op != MiscOp.Fxtract) { TinyInexact(ref env, r0); TinyInexact(ref env, r1); }
                if (Blocked(ref env, cw)) return;
                // r0 replaces ST(0) (exponent / sine / tangent), r1 is pushed (significand / cosine / 1).
                FpuState.Reg(s, top) = r0;
                FpuState.Reg(s, nt) = r1;
                tags |= 1u << nt;
                top = nt;
                return;
            }
            default:
            {
                // Two operands ST(0), ST(1).
                bool pops = op is MiscOp.Fpatan or MiscOp.Fyl2x or MiscOp.Fyl2xp1;
                if (Empty(tags, top) || Empty(tags, p1))
                {
                    env.Flags = IE | SF;
                    // FPREM FPREM1: a stack fault clears C2 but leaves C0 and C3 (the quotient
                    // bits) as they were, masked or not (the host does).
                    if (op is MiscOp.Fprem or MiscOp.Fprem1) fsw &= ~C2;
                    if ((cw & IE) == 0) return;
                    int dst = pops ? p1 : top;
                    FpuState.Reg(s, dst) = Float80.Indefinite;
                    tags |= 1u << dst;
                    if (pops)
                    {
                        tags &= ~(1u << top);
                        top = p1;
                    }
                    return;
                }
                Float80 a = FpuState.Reg(s, top), b = FpuState.Reg(s, p1);
                Float80 r;
                uint newFsw = fsw;
                switch (op)
                {
                    case MiscOp.Fscale: r = Transcendental.Fscale(ref env, a, b); break;
                    case MiscOp.Fprem: r = Transcendental.Fprem(ref env, a, b, false, ref newFsw); break;
                    case MiscOp.Fprem1: r = Transcendental.Fprem(ref env, a, b, true, ref newFsw); break;
                    case MiscOp.Fpatan: r = Transcendental.Fpatan(ref env, a, b); break;
                    case MiscOp.Fyl2x: r = Transcendental.Fyl2x(ref env, a, b); break;
                    default: r = Transcendental.Fyl2xp1(ref env, a, b); break;
                }
                if (op is MiscOp.Fpatan or MiscOp.Fyl2x or MiscOp.Fyl2xp1) TinyInexact(ref env, r);
                if (Blocked(ref env, cw))
                {
                    // FPREM FPREM1 stopped by an unmasked exception: C2 cleared, C0 C3 kept (host).
                    if (op is MiscOp.Fprem or MiscOp.Fprem1) fsw &= ~C2;
                    return;
                }
                fsw = newFsw;
                if (pops)
                {
                    FpuState.Reg(s, p1) = r;
                    tags &= ~(1u << top);
                    top = p1;
                }
                else FpuState.Reg(s, top) = r;
                return;
            }
        }
    }

    // ------------------------------------------------------------------ control

    /// <summary>FNINIT FNCLEX FLDCW and the environment images (<see cref="ControlOp"/>).</summary>
    public static void Control(byte* s, ulong desc, ulong value)
    {
        byte* stage = s + FpuState.OffStage;
        switch (Op(desc))
        {
            case ControlOp.Fninit:
                FpuState.Init(s);
                break;
            case ControlOp.Fnclex:
                FpuState.SetStatusWord(s, FpuState.Fsw(s) & ~(Exceptions | SF | ES | B));
                break;
            case ControlOp.Fldcw:
                LoadControlWord(s, (uint)value);
                break;
            case ControlOp.StoreEnv:
                FpuImages.StoreEnv(s, stage, FormOf(desc) == 1);
                break;
            case ControlOp.StoreEnvDone:
                // Every exception masked: nothing is pending any more (ES and B clear).
                FpuState.SetControlWord(s, FpuState.ControlWord(s) | Exceptions);
                UpdateErrorSummary(s);
                break;
            case ControlOp.StoreSave:
                FpuImages.StoreEnv(s, stage, FormOf(desc) == 1);
                FpuImages.StoreRegisters(s, stage + (FormOf(desc) == 1 ? 28 : 14));
                break;
            case ControlOp.StoreSaveDone:
                FpuState.Init(s);
                break;
            case ControlOp.LoadEnv:
                FpuImages.LoadEnv(s, stage, FormOf(desc) == 1);
                break;
            case ControlOp.LoadSave:
                FpuImages.LoadEnv(s, stage, FormOf(desc) == 1);
                FpuImages.LoadRegisters(s, stage + (FormOf(desc) == 1 ? 28 : 14));
                break;
            case ControlOp.FxSave:
                FpuImages.FxSave(s, stage);
                break;
            case ControlOp.FxRstor:
                FpuImages.FxRstor(s, stage);
                break;
        }
    }

    /// <summary>FLDCW: reserved bits 6 (reads as 1), 7 and 13..15 (read as 0) as the host
    /// stores them. Unmasking a pending exception sets ES (and B) at once.</summary>
    internal static void LoadControlWord(byte* s, uint value)
    {
        uint cw = (value & 0x1F3F) | 0x40;
        FpuState.SetControlWord(s, cw);
        UpdateErrorSummary(s);
    }

    /// <summary>ES and B follow the unmasked pending exceptions (after FLDCW, FLDENV, FRSTOR).</summary>
    internal static void UpdateErrorSummary(byte* s)
    {
        uint cw = FpuState.ControlWord(s);
        uint fsw = FpuState.Fsw(s);
        if ((fsw & ~cw & Exceptions) != 0) fsw |= ES | B;
        else fsw &= ~(ES | B);
        FpuState.Fsw(s) = fsw;
    }
}
