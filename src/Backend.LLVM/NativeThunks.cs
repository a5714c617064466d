using System.Runtime.InteropServices;
using Transmeta.IR;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// Native-callable stand-ins for entry points that only exist in managed form: a helper whose
/// <see cref="HelperDescriptor.Unmanaged"/> is zero, and a context whose
/// <see cref="RuntimeContext.ReadSlowUnmanaged"/>/<see cref="RuntimeContext.WriteSlowUnmanaged"/>/
/// <see cref="RuntimeContext.ProbeSlowUnmanaged"/> are unset. Generated code can only call [UnmanagedCallersOnly] functions; these forward to
/// the managed function pointer. The native entry points are preferred (one transition less).
/// Like every [UnmanagedCallersOnly] method, a managed exception escaping them ends the process
/// (the runtime fails fast instead of unwinding through LLVM frames), so the managed code they
/// call must report failures through <see cref="RuntimeContext.Status"/>, as the contract says.
/// </summary>
internal static unsafe class NativeThunks
{
    public static readonly nint ReadSlow = (nint)(delegate* unmanaged<RuntimeContext*, uint, int, uint>)&ReadSlowThunk;
    public static readonly nint WriteSlow = (nint)(delegate* unmanaged<RuntimeContext*, uint, int, uint, void>)&WriteSlowThunk;
    public static readonly nint ProbeSlow = (nint)(delegate* unmanaged<RuntimeContext*, uint, uint, int, nint>)&ProbeSlowThunk;
    /// <summary>(ctx, a, b, c, d, managed helper) → helper(ctx, a, b, c, d).</summary>
    public static readonly nint Helper =
        (nint)(delegate* unmanaged<RuntimeContext*, ulong, ulong, ulong, ulong, nint, ulong>)&HelperThunk;

    [UnmanagedCallersOnly]
    private static uint ReadSlowThunk(RuntimeContext* ctx, uint address, int size) => ctx->ReadSlow(ctx, address, size);

    [UnmanagedCallersOnly]
    private static void WriteSlowThunk(RuntimeContext* ctx, uint address, int size, uint value) =>
        ctx->WriteSlow(ctx, address, size, value);

    [UnmanagedCallersOnly]
    private static nint ProbeSlowThunk(RuntimeContext* ctx, uint address, uint length, int rights) =>
        ctx->ProbeSlow(ctx, address, length, rights);

    [UnmanagedCallersOnly]
    private static ulong HelperThunk(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d, nint managed) =>
        ((delegate*<RuntimeContext*, ulong, ulong, ulong, ulong, ulong>)managed)(ctx, a, b, c, d);
}
