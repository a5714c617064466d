using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.X87Desc;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The x87 helpers the lifters call (ids in the frontend's <see cref="HelperTable"/>). Each works
/// on the FPU state in CpuState through the context's State pointer; none faults (#MF and #NM are
/// checked inline by the lifter before the call), so none is MayFault. Every one has a managed
/// entry point (interpreter, IL) and an unmanaged one (native backends).
/// </summary>
public sealed unsafe class X87Helpers
{
    internal X87Helpers(HelperTable table)
    {
        Arith = Add(table, "x87_arith", &ArithManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&ArithNative);
        // One helper per (operation, operand form) of the common forms, so each is compiled with
        // both known; native code shares the general entry point (the descriptor says the same).
        _arithSpecial = new int[8 * 8];
        Array.Fill(_arithSpecial, Arith);
        nint native = (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&ArithNative;
        void Spec(int op, int form, string name, delegate*<RuntimeContext*, ulong, ulong, ulong, ulong, ulong> f) =>
            _arithSpecial[op * 8 + form] = Add(table, "x87_arith_" + name, f, native);
        Spec(ArithOp.Add, Form.St0StI, "add_st0", &ArithK<OpAdd, FSt0StI>);
        Spec(ArithOp.Add, Form.StISt0, "add_sti", &ArithK<OpAdd, FStISt0>);
        Spec(ArithOp.Add, Form.M64Fp, "add_m64", &ArithK<OpAdd, FM64>);
        Spec(ArithOp.Add, Form.M32Fp, "add_m32", &ArithK<OpAdd, FM32>);
        Spec(ArithOp.Mul, Form.St0StI, "mul_st0", &ArithK<OpMul, FSt0StI>);
        Spec(ArithOp.Mul, Form.StISt0, "mul_sti", &ArithK<OpMul, FStISt0>);
        Spec(ArithOp.Mul, Form.M64Fp, "mul_m64", &ArithK<OpMul, FM64>);
        Spec(ArithOp.Mul, Form.M32Fp, "mul_m32", &ArithK<OpMul, FM32>);
        Spec(ArithOp.Sub, Form.St0StI, "sub_st0", &ArithK<OpSub, FSt0StI>);
        Spec(ArithOp.Sub, Form.StISt0, "sub_sti", &ArithK<OpSub, FStISt0>);
        Spec(ArithOp.Sub, Form.M64Fp, "sub_m64", &ArithK<OpSub, FM64>);
        Spec(ArithOp.Sub, Form.M32Fp, "sub_m32", &ArithK<OpSub, FM32>);
        Spec(ArithOp.SubR, Form.St0StI, "subr_st0", &ArithK<OpSubR, FSt0StI>);
        Spec(ArithOp.SubR, Form.StISt0, "subr_sti", &ArithK<OpSubR, FStISt0>);
        Spec(ArithOp.SubR, Form.M64Fp, "subr_m64", &ArithK<OpSubR, FM64>);
        Spec(ArithOp.SubR, Form.M32Fp, "subr_m32", &ArithK<OpSubR, FM32>);
        Spec(ArithOp.Div, Form.St0StI, "div_st0", &ArithK<OpDiv, FSt0StI>);
        Spec(ArithOp.Div, Form.StISt0, "div_sti", &ArithK<OpDiv, FStISt0>);
        Spec(ArithOp.Div, Form.M64Fp, "div_m64", &ArithK<OpDiv, FM64>);
        Spec(ArithOp.Div, Form.M32Fp, "div_m32", &ArithK<OpDiv, FM32>);
        Spec(ArithOp.DivR, Form.St0StI, "divr_st0", &ArithK<OpDivR, FSt0StI>);
        Spec(ArithOp.DivR, Form.StISt0, "divr_sti", &ArithK<OpDivR, FStISt0>);
        Spec(ArithOp.DivR, Form.M64Fp, "divr_m64", &ArithK<OpDivR, FM64>);
        Spec(ArithOp.DivR, Form.M32Fp, "divr_m32", &ArithK<OpDivR, FM32>);
        Compare = Add(table, "x87_compare", &CompareManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&CompareNative);
        Load = Add(table, "x87_load", &LoadManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&LoadNative);
        StorePrepare = Add(table, "x87_store_prepare", &StorePrepareManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&StorePrepareNative);
        StoreCommit = Add(table, "x87_store_commit", &StoreCommitManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&StoreCommitNative);
        StoreReg = Add(table, "x87_store_reg", &StoreRegManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&StoreRegNative);
        Misc = Add(table, "x87_misc", &MiscManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&MiscNative);
        Control = Add(table, "x87_control", &ControlManaged, (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&ControlNative);
    }

    /// <summary>(desc, memory operand, EIP, operand offset): FADD..FDIVR, P and I forms.</summary>
    public int Arith { get; }

    private readonly int[] _arithSpecial;

    /// <summary>The helper for an arithmetic descriptor: one compiled for its operation and form
    /// when there is one, else <see cref="Arith"/> (same arguments, same effect).</summary>
    public int ArithFor(ulong desc) => _arithSpecial[(X87Desc.Op(desc) & 7) * 8 + X87Desc.FormOf(desc)];

    /// <summary>A constant for a specialized helper (the JIT compiles a generic method once per
    /// struct type argument, with the constant folded).</summary>
    private interface IConst { static abstract int Value { get; } }
    private struct OpAdd : IConst { public static int Value => ArithOp.Add; }
    private struct OpMul : IConst { public static int Value => ArithOp.Mul; }
    private struct OpSub : IConst { public static int Value => ArithOp.Sub; }
    private struct OpSubR : IConst { public static int Value => ArithOp.SubR; }
    private struct OpDiv : IConst { public static int Value => ArithOp.Div; }
    private struct OpDivR : IConst { public static int Value => ArithOp.DivR; }
    private struct FSt0StI : IConst { public static int Value => Form.St0StI; }
    private struct FStISt0 : IConst { public static int Value => Form.StISt0; }
    private struct FM64 : IConst { public static int Value => Form.M64Fp; }
    private struct FM32 : IConst { public static int Value => Form.M32Fp; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong ArithK<TOp, TForm>(RuntimeContext* ctx, ulong desc, ulong mem, ulong eip, ulong ea)
        where TOp : struct, IConst where TForm : struct, IConst
    {
        X87Fast.Arith(ctx->State, desc, mem, (uint)eip, (uint)ea, TOp.Value, TForm.Value);
        return 0;
    }
    /// <summary>(desc, memory operand, EIP, operand offset) → EFLAGS bits for FCOMI/FUCOMI.</summary>
    public int Compare { get; }
    /// <summary>(desc, value, EIP, operand offset): pushes.</summary>
    public int Load { get; }
    /// <summary>(desc) → the value to store.</summary>
    public int StorePrepare { get; }
    /// <summary>(desc, EIP, operand offset).</summary>
    public int StoreCommit { get; }
    /// <summary>(desc, EIP): FST/FSTP ST(i).</summary>
    public int StoreReg { get; }
    /// <summary>(desc, FCMOV condition, EIP).</summary>
    public int Misc { get; }
    /// <summary>(desc, value): control instructions.</summary>
    public int Control { get; }

    private static int Add(HelperTable table, string name, delegate*<RuntimeContext*, ulong, ulong, ulong, ulong, ulong> managed, nint native) =>
        table.Register(new HelperDescriptor { Name = name, Managed = managed, Unmanaged = native, TouchesState = true });

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong ArithManaged(RuntimeContext* ctx, ulong desc, ulong mem, ulong eip, ulong ea)
    {
        X87Fast.Arith(ctx->State, desc, mem, (uint)eip, (uint)ea);
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong CompareManaged(RuntimeContext* ctx, ulong desc, ulong mem, ulong eip, ulong ea) =>
        X87Fast.Compare(ctx->State, desc, mem, (uint)eip, (uint)ea);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong LoadManaged(RuntimeContext* ctx, ulong desc, ulong value, ulong eip, ulong ea)
    {
        X87Fast.Load(ctx->State, desc, value, (uint)eip, (uint)ea);
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong StorePrepareManaged(RuntimeContext* ctx, ulong desc, ulong b, ulong c, ulong d) =>
        X87Fast.StorePrepare(ctx->State, desc);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong StoreCommitManaged(RuntimeContext* ctx, ulong desc, ulong eip, ulong ea, ulong d)
    {
        X87Fast.StoreCommit(ctx->State, desc, (uint)eip, (uint)ea);
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong StoreRegManaged(RuntimeContext* ctx, ulong desc, ulong eip, ulong c, ulong d)
    {
        X87Fast.StoreReg(ctx->State, desc, (uint)eip);
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong MiscManaged(RuntimeContext* ctx, ulong desc, ulong arg, ulong eip, ulong d)
    {
        X87Fast.Misc(ctx->State, desc, arg, (uint)eip);
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong ControlManaged(RuntimeContext* ctx, ulong desc, ulong value, ulong c, ulong d)
    {
        X87.Control(ctx->State, desc, value);
        X87Fast.SyncTop(ctx->State);
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong ArithNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => ArithManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong CompareNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => CompareManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong LoadNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => LoadManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong StorePrepareNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => StorePrepareManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong StoreCommitNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => StoreCommitManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong StoreRegNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => StoreRegManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong MiscNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => MiscManaged(ctx, a, b, c, d);
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong ControlNative(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => ControlManaged(ctx, a, b, c, d);
}
