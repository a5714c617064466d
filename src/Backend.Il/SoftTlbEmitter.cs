using System.Reflection;
using System.Reflection.Emit;
using Transmeta.IR;

namespace Transmeta.Backend.Il;

/// <summary>
/// Guest Load/Store: the soft-TLB hit path inline, exactly as <see cref="GuestMemoryAccess"/>
/// does it, and the miss path out of line:
/// <code>
///   entry = ctx->ReadTlb + ((addr >> 12) &amp; IndexMask) * 16   // as (addr >> 8) &amp; 0x3FF0
///   if ((addr &amp; (PageMask | (size - 1))) != entry->Tag) goto miss;   // page and alignment
///   value = *(T*)(entry->Addend + (nuint)addr);
/// done:
///   ...
/// miss:                                                   // after the hot path
///   value = ctx->ReadSlow(ctx, addr, size);               // calli, managed convention
///   if (ctx->Status == StatusFault) goto fault_exit;
///   goto done;
/// </code>
/// Stores also keep the interpreter's code-modified protocol: a slow-path write that leaves a
/// non-OK, non-fault status sets the <c>storedInInsn</c> flag checked at the next InsnStart.
/// </summary>
internal sealed class SoftTlbEmitter
{
    private static readonly Type[] ReadSlowParameters = [IlEmitter.ContextPointer, typeof(uint), typeof(int)];
    private static readonly Type[] WriteSlowParameters = [IlEmitter.ContextPointer, typeof(uint), typeof(int), typeof(uint)];
    private static readonly MethodInfo ReadSlow64 = typeof(GuestMemoryAccess).GetMethod(nameof(GuestMemoryAccess.ReadSlow64))!;
    private static readonly MethodInfo WriteSlow64 = typeof(GuestMemoryAccess).GetMethod(nameof(GuestMemoryAccess.WriteSlow64))!;
    private static readonly Type[] ProbeSlowParameters = [IlEmitter.ContextPointer, typeof(uint), typeof(uint), typeof(int)];

    /// <summary>((addr >> PageBits) &amp; IndexMask) * EntrySize, folded into one shift and mask.</summary>
    private const int IndexShift = SoftTlbLayout.PageBits - 4;
    private const int IndexMaskScaled = (int)SoftTlbLayout.IndexMask * SoftTlbLayout.EntrySize;

    private readonly IlEmitter _e;

    static SoftTlbEmitter()
    {
        if (SoftTlbLayout.EntrySize != 16)
            throw new NotSupportedException("IL backend: soft TLB entries must be 16 bytes");
    }

    public SoftTlbEmitter(IlEmitter emitter) => _e = emitter;

    public void EmitLoad(in IrInstruction ins, int faultSite)
    {
        ILGenerator il = _e.Il;
        int addr = ins.A, dst = ins.Dst, size = ins.Size;
        Label miss = il.DefineLabel(), done = il.DefineLabel();

        IrType type = size == 8 ? IrType.I64 : IrType.I32;
        EmitHitTest(IlEmitter.FieldReadTlb, addr, size, miss);
        EmitHostAddress(addr);
        il.Emit(size switch { 1 => OpCodes.Ldind_U1, 2 => OpCodes.Ldind_U2, 4 => OpCodes.Ldind_U4, _ => OpCodes.Ldind_I8 });
        _e.StoreTemp(dst, type);
        il.MarkLabel(done);

        _e.Cold(() =>
        {
            il.MarkLabel(miss);
            _e.LoadContext();
            _e.LoadTemp(addr, IrType.I32);
            if (size == 8) il.Emit(OpCodes.Call, ReadSlow64);
            else
            {
                il.EmitI4(size);
                _e.LoadContext();
                il.Emit(OpCodes.Ldfld, IlEmitter.FieldReadSlow);
                il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, typeof(uint), ReadSlowParameters, null);
            }
            _e.StoreTemp(dst, type);
            _e.LoadContext();
            il.Emit(OpCodes.Ldfld, IlEmitter.FieldStatus);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Beq, _e.FaultExit(faultSite));
            il.Emit(OpCodes.Br, done);
        });
    }

    public void EmitStore(in IrInstruction ins, int faultSite)
    {
        ILGenerator il = _e.Il;
        int addr = ins.A, value = ins.B, size = ins.Size;
        Label miss = il.DefineLabel(), checkStatus = il.DefineLabel(), done = il.DefineLabel();

        IrType type = size == 8 ? IrType.I64 : IrType.I32;
        EmitHitTest(IlEmitter.FieldWriteTlb, addr, size, miss);
        EmitHostAddress(addr);
        _e.LoadTemp(value, type);
        il.Emit(size switch { 1 => OpCodes.Stind_I1, 2 => OpCodes.Stind_I2, 4 => OpCodes.Stind_I4, _ => OpCodes.Stind_I8 });
        if (_e.Analysis.HasHelperCall)
        {
            // A helper may have left a non-OK status (say, it wrote translated code through the
            // slow path); the interpreter then counts this store as the one that modified code.
            _e.LoadContext();
            il.Emit(OpCodes.Ldfld, IlEmitter.FieldStatus);
            il.Emit(OpCodes.Brtrue, checkStatus);
        }
        il.MarkLabel(done);

        _e.Cold(() =>
        {
            il.MarkLabel(miss);
            _e.LoadContext();
            _e.LoadTemp(addr, IrType.I32);
            if (size == 8)
            {
                _e.LoadTemp(value, IrType.I64);
                il.Emit(OpCodes.Call, WriteSlow64);
            }
            else
            {
                il.EmitI4(size);
                _e.LoadTemp(value, IrType.I32);
                _e.LoadContext();
                il.Emit(OpCodes.Ldfld, IlEmitter.FieldWriteSlow);
                il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, typeof(void), WriteSlowParameters, null);
            }
            // if (Status != OK) { if (Status == Fault) goto fault; storedInInsn = 1; }
            il.MarkLabel(checkStatus);
            _e.LoadContext();
            il.Emit(OpCodes.Ldfld, IlEmitter.FieldStatus);
            il.Emit(OpCodes.Brfalse, done);
            _e.LoadContext();
            il.Emit(OpCodes.Ldfld, IlEmitter.FieldStatus);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Beq, _e.FaultExit(faultSite));
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Stloc, _e.StoredInInsn!);
            il.Emit(OpCodes.Br, done);
        });
    }

    /// <summary>MemProbe: the test of <see cref="GuestMemoryAccess.Probe"/> inline (the range in
    /// one page, that page in the write and/or read TLB), the context's slow path out of line.</summary>
    public void EmitProbe(in IrInstruction ins)
    {
        ILGenerator il = _e.Il;
        int addr = ins.A, dst = ins.Dst;
        uint length = (uint)ins.Imm;
        var rights = (ProbeRights)ins.Aux;
        Label slow = il.DefineLabel(), done = il.DefineLabel();

        _e.LoadTemp(addr, IrType.I32);
        il.EmitI4((int)~SoftTlbLayout.PageMask);
        il.Emit(OpCodes.And);
        il.EmitI4((int)(SoftTlbLayout.PageSize - length));
        il.Emit(OpCodes.Bgt_Un, slow);
        foreach (var (right, tlb) in new[] { (ProbeRights.Write, IlEmitter.FieldWriteTlb), (ProbeRights.Read, IlEmitter.FieldReadTlb) })
        {
            if ((rights & right) == 0) continue;
            EmitEntry(tlb, addr);
            _e.LoadTemp(addr, IrType.I32);
            il.EmitI4(unchecked((int)SoftTlbLayout.PageMask));
            il.Emit(OpCodes.And);
            EmitTag();
            il.Emit(OpCodes.Bne_Un, slow);
        }
        EmitHostAddress(addr);
        il.Emit(OpCodes.Conv_I8);
        _e.StoreTemp(dst, IrType.I64);
        il.MarkLabel(done);

        _e.Cold(() =>
        {
            il.MarkLabel(slow);
            _e.LoadContext();
            _e.LoadTemp(addr, IrType.I32);
            il.EmitI4((int)length);
            il.EmitI4((int)rights);
            _e.LoadContext();
            il.Emit(OpCodes.Ldfld, IlEmitter.FieldProbeSlow);
            il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, typeof(nint), ProbeSlowParameters, null);
            il.Emit(OpCodes.Conv_I8);
            _e.StoreTemp(dst, IrType.I64);
            il.Emit(OpCodes.Br, done);
        });
    }

    /// <summary>HostLoad: *(T*)(probe + Imm), no check (the probe made it).</summary>
    public void EmitHostLoad(in IrInstruction ins)
    {
        ILGenerator il = _e.Il;
        EmitHostPointer(ins);
        il.Emit(OpCodes.Unaligned, (byte)1);
        il.Emit(ins.Size switch { 1 => OpCodes.Ldind_U1, 2 => OpCodes.Ldind_U2, 4 => OpCodes.Ldind_U4, _ => OpCodes.Ldind_I8 });
        _e.StoreTemp(ins.Dst, ins.Size == 8 ? IrType.I64 : IrType.I32);
    }

    public void EmitHostStore(in IrInstruction ins)
    {
        ILGenerator il = _e.Il;
        EmitHostPointer(ins);
        _e.LoadTemp(ins.B, ins.Size == 8 ? IrType.I64 : IrType.I32);
        il.Emit(OpCodes.Unaligned, (byte)1);
        il.Emit(ins.Size switch { 1 => OpCodes.Stind_I1, 2 => OpCodes.Stind_I2, 4 => OpCodes.Stind_I4, _ => OpCodes.Stind_I8 });
    }

    private void EmitHostPointer(in IrInstruction ins)
    {
        ILGenerator il = _e.Il;
        _e.LoadTemp(ins.A, IrType.I64);
        il.Emit(OpCodes.Conv_I);
        if (ins.Imm != 0)
        {
            il.EmitI4((int)ins.Imm);
            il.Emit(OpCodes.Add);
        }
    }

    /// <summary>entry = ctx->tlb + index * 16; branch to <paramref name="miss"/> unless the entry's tag
    /// equals the address masked to its page plus its misalignment bits.</summary>
    private void EmitHitTest(FieldInfo tlb, int addr, int size, Label miss)
    {
        ILGenerator il = _e.Il;
        EmitEntry(tlb, addr);
        // 8 bytes: the test on the last word (4-byte aligned, and in the entry's page).
        _e.LoadTemp(addr, IrType.I32);
        if (size == 8)
        {
            il.EmitI4(4);
            il.Emit(OpCodes.Add);
        }
        il.EmitI4((int)(SoftTlbLayout.PageMask | (uint)(Math.Min(size, 4) - 1)));
        il.Emit(OpCodes.And);
        EmitTag();
        il.Emit(OpCodes.Bne_Un, miss);
    }

    /// <summary>The TLB entry local = ctx->tlb + index * 16.</summary>
    private void EmitEntry(FieldInfo tlb, int addr)
    {
        ILGenerator il = _e.Il;
        _e.LoadContext();
        il.Emit(OpCodes.Ldfld, tlb);
        _e.LoadTemp(addr, IrType.I32);
        il.EmitI4(IndexShift);
        il.Emit(OpCodes.Shr_Un);
        il.EmitI4(IndexMaskScaled);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, _e.TlbEntry!);
    }

    /// <summary>Pushes the entry local's tag.</summary>
    private void EmitTag()
    {
        ILGenerator il = _e.Il;
        il.Emit(OpCodes.Ldloc, _e.TlbEntry!);
        il.EmitAddOffset(SoftTlbLayout.OffsetTag);
        il.Emit(OpCodes.Ldind_U4);
    }

    /// <summary>Pushes entry->Addend + (nuint)addr.</summary>
    private void EmitHostAddress(int addr)
    {
        ILGenerator il = _e.Il;
        il.Emit(OpCodes.Ldloc, _e.TlbEntry!);
        il.EmitAddOffset(SoftTlbLayout.OffsetAddend);
        il.Emit(OpCodes.Ldind_I);
        _e.LoadTemp(addr, IrType.I32);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
    }
}
