using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Transmeta.IR;

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
        X87.StoreCommit(ctx->State, desc, (uint)eip, (uint)ea);
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
