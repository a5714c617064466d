using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Transmeta.Frontend.Flags;
using Transmeta.IR;

namespace Transmeta.Frontend.Helpers;

/// <summary>
/// The helper functions x86 translation needs at run time, registered once in a
/// <see cref="HelperTable"/> that travels with every block to the backends.
/// </summary>
public sealed unsafe class FrontendHelpers
{
    public static readonly FrontendHelpers Instance = new();

    private FrontendHelpers()
    {
        Table = new HelperTable();
        ComputeFlags = Table.Register(new HelperDescriptor
        {
            Name = "lazy_flags",
            Managed = &ComputeFlagsManaged,
            Unmanaged = (nint)(delegate* unmanaged[Cdecl]<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)&ComputeFlagsNative,
            Pure = true,
            Body = Flags.LazyFlagsIr.Build(),
        });
        X87 = new Fpu.X87Helpers(Table);
    }

    public HelperTable Table { get; }

    /// <summary>(CcOp | CcAux &lt;&lt; 32, CcRes, CcSrc1, CcSrc2) → the six arithmetic flags as EFLAGS bits.</summary>
    public int ComputeFlags { get; }

    /// <summary>The x87 FPU helpers (Fpu/X87Helpers.cs).</summary>
    public Fpu.X87Helpers X87 { get; }

    private static ulong ComputeFlagsManaged(RuntimeContext* ctx, ulong opAux, ulong res, ulong src1, ulong src2) =>
        LazyFlags.Compute((uint)opAux, (uint)res, (uint)src1, (uint)src2, (uint)(opAux >> 32));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ulong ComputeFlagsNative(RuntimeContext* ctx, ulong opAux, ulong res, ulong src1, ulong src2) =>
        ComputeFlagsManaged(ctx, opAux, res, src1, src2);
}
