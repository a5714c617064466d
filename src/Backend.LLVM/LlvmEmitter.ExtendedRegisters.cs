using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// Extended-precision registers: a pair of guest state fields, a significand (I64 at offset o) and
/// a sign/exponent (I32 at o + 8: the 80-bit format's layout in memory), that the unit stores and
/// computes on with <see cref="Opcode.ExtArith"/>. Such a pair is shadowed as one host
/// <c>x86_fp80</c> value instead of two integers:
/// <list type="bullet">
/// <item>a result stored into the pair (its two parts, one after the other) is stored as the
/// value the host computed, and an operand loaded from the pair is that value again: no round trip
/// through integers (each one an FSTP m80 and two loads, or two stores and an FLD m80, on x86);</item>
/// <item>the value lives in the host's x87 registers, across loop iterations too, and leaves the
/// integer registers to the guest's: a loop over a handful of x87 registers had all of them, and
/// the guest's general registers, spilled, and its unit took three times as long to compile;</item>
/// <item>a part stored alone (a sign flipped, a constant loaded) replaces its bits in the value;</item>
/// <item>write-back stores the 80 bits (FSTP m80 and FLD m80 copy any bit pattern unchanged) and
/// zeroes the two bytes above them, as the I32 store of a 16-bit sign/exponent does.</item>
/// </list>
/// </summary>
internal sealed unsafe partial class LlvmEmitter
{
    /// <summary>Pairs shadowed as one value, by the significand's offset: the x86_fp80 alloca and its dirty flag.</summary>
    private readonly Dictionary<long, (LLVMValueRef Slot, LLVMValueRef Dirty)> _extRegisters = new();
    /// <summary>The value of each pair as this straight run of code last loaded or stored it (one
    /// SSA value, so both parts of a load are seen to come from the same value).</summary>
    private readonly Dictionary<long, LLVMValueRef> _extRegisterValues = new();

    /// <summary>Called by the constructor once the shadowed fields are known: takes the pairs out
    /// of <see cref="_shadows"/>.</summary>
    private void FindExtendedRegisters()
    {
        var candidates = new HashSet<long>();
        ReadOnlySpan<IrInstruction> code = _block.Span;
        foreach (ref readonly IrInstruction ins in code)
        {
            if (ins.Op == Opcode.ExtArith)
            {
                if (LoadedFrom(ins.A) is long a) candidates.Add(a);
                if (LoadedFrom(ins.C) is long c) candidates.Add(c);
            }
            else if (ins.Op == Opcode.StoreState && ins.Type == IrType.I64 && Definition(ins.A) is { } def
                     && def.Op == Opcode.ExtArith && (ExtPart)def.Aux == ExtPart.Significand)
                candidates.Add(ins.Imm);
        }
        foreach (long o in candidates)
        {
            if (_shadows.TryGetValue(o, out var sig) && sig.Type == IrType.I64
                && _shadows.TryGetValue(o + 8, out var signExp) && signExp.Type == IrType.I32
                && o + 8 != _roundedUpOffset && o + 8 != _raisedOffset)
            {
                _shadows.Remove(o);
                _shadows.Remove(o + 8);
                _extRegisters[o] = default;
            }
        }
    }

    /// <summary>The state offset an I64 temporary was loaded from, if a LoadState defined it.</summary>
    private long? LoadedFrom(int temp) =>
        Definition(temp) is { Op: Opcode.LoadState, Type: IrType.I64 } def ? def.Imm : null;

    private IrInstruction? Definition(int temp)
    {
        if (temp < 0) return null;
        int at = DefinedAt(temp);
        return at < 0 ? null : _block.Span[at];
    }

    /// <summary>In the entry block, with the other allocas.</summary>
    private void MakeExtendedRegisterSlots()
    {
        foreach (long o in _extRegisters.Keys.ToArray())
        {
            LLVMValueRef slot = LLVMBuildAlloca(_b, Fp80, NoName), dirty = LLVMBuildAlloca(_b, _cx.I1, NoName);
            LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 0, 0), dirty);
            _extRegisters[o] = (slot, dirty);
        }
    }

    private void ReloadExtendedRegisters()
    {
        _extRegisterValues.Clear();
        foreach ((long o, (LLVMValueRef slot, _)) in _extRegisters)
            LLVMBuildStore(_b, Load(Fp80, StatePointer((ulong)o), _cx.TbaaState), slot);
    }

    private void WriteBackExtendedRegisters()
    {
        foreach ((long o, (LLVMValueRef slot, LLVMValueRef dirty)) in _extRegisters)
        {
            WhenDirty(dirty, () =>
            {
                Store(LLVMBuildLoad2(_b, Fp80, slot, NoName), StatePointer((ulong)o), _cx.TbaaState);
                Store(LLVMConstInt(_cx.I16, 0, 0), StatePointer((ulong)o + 10), _cx.TbaaState);
            });
        }
    }

    /// <summary>Which pair a state access names: its significand's offset, and whether it is the significand.</summary>
    private bool IsExtendedRegisterPart(long offset, IrType type, out long register, out bool significand)
    {
        significand = type == IrType.I64;
        register = significand ? offset : offset - 8;
        return _extRegisters.ContainsKey(register) && (significand || type == IrType.I32);
    }

    private LLVMValueRef ExtendedRegisterValue(long register)
    {
        if (!_extRegisterValues.TryGetValue(register, out LLVMValueRef v))
            _extRegisterValues[register] = v = LLVMBuildLoad2(_b, Fp80, _extRegisters[register].Slot, NoName);
        return v;
    }

    private void SetExtendedRegister(long register, LLVMValueRef value)
    {
        (LLVMValueRef slot, LLVMValueRef dirty) = _extRegisters[register];
        LLVMBuildStore(_b, value, slot);
        LLVMBuildStore(_b, LLVMConstInt(_cx.I1, 1, 0), dirty);
        _extRegisterValues[register] = value;
    }

    /// <summary>A LoadState of a pair's part: the part of its value, remembered as such.</summary>
    private bool TryLoadExtendedRegister(in IrInstruction ins)
    {
        if (!IsExtendedRegisterPart(ins.Imm, ins.Type, out long register, out bool significand)) return false;
        LLVMValueRef value = ExtendedRegisterValue(register);
        (LLVMValueRef sig, LLVMValueRef signExp) = FromHost(value);
        StoreTemp(ins.Dst, significand ? sig : signExp, ins.Type);
        NoteHostPart(ins.Dst, value, significand);
        return true;
    }

    /// <summary>A StoreState of a pair's part. With the other part stored by the next instruction
    /// from the same host value, both are one store of that value (returns true: the caller skips
    /// the next instruction); alone, the part replaces its bits of the value.</summary>
    private bool TryStoreExtendedRegister(in IrInstruction ins, in IrInstruction next, out bool fused)
    {
        fused = false;
        if (!IsExtendedRegisterPart(ins.Imm, ins.Type, out long register, out bool significand)) return false;
        if (next.Op == Opcode.StoreState && IsExtendedRegisterPart(next.Imm, next.Type, out long nextRegister, out bool nextSignificand)
            && nextRegister == register && nextSignificand != significand
            && HostValueOf(significand ? ins.A : next.A, significand ? next.A : ins.A) is { } whole)
        {
            SetExtendedRegister(register, whole);
            fused = true;
            return true;
        }
        LLVMValueRef bits = LLVMBuildBitCast(_b, ExtendedRegisterValue(register), I80, NoName);
        LLVMValueRef low64 = LLVMConstInt(I80, ulong.MaxValue, 0);
        LLVMValueRef part = significand
            ? LLVMBuildZExt(_b, LoadTemp(ins.A, IrType.I64), I80, NoName)
            : LLVMBuildShl(_b, LLVMBuildZExt(_b, LLVMBuildTrunc(_b, LoadTemp(ins.A, IrType.I32), _cx.I16, NoName), I80, NoName),
                LLVMConstInt(I80, 64, 0), NoName);
        LLVMValueRef kept = LLVMBuildAnd(_b, bits, significand ? LLVMBuildNot(_b, low64, NoName) : low64, NoName);
        SetExtendedRegister(register, LLVMBuildBitCast(_b, LLVMBuildOr(_b, kept, part, NoName), Fp80, NoName));
        return true;
    }
}
