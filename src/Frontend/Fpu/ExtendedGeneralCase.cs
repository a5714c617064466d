using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.FpuBits;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The general case of the IR's extended-precision operations (<see cref="ExtendedOperation"/>):
/// the x87 soft-float under the control word the inline paths require (037F: round to nearest,
/// 64-bit precision, every exception masked), so an inline FADD of a denormal or a NaN gives what
/// the helper gives, which is what the hardware gives. Registered when this assembly is loaded.
/// </summary>
internal static unsafe class ExtendedGeneralCase
{
#pragma warning disable CA2255 // a module initializer in a library is the point here: no IR runs before it
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        ExtendedOperation.RegisterGeneralCase(&Evaluate,
            (nint)(delegate* unmanaged[Cdecl]<int, ulong, uint, ulong, uint, ExtendedArithmetic.Result>)&EvaluateNative);

    public static ExtendedArithmetic.Result Evaluate(int op, ulong a, uint aSignExp, ulong b, uint bSignExp)
    {
        var env = FpEnv.FromControlWord(FpuState.DefaultControlWord);
        var x = new Float80(a, (ushort)aSignExp);
        var y = new Float80(b, (ushort)bSignExp);
        Float80 r;
        switch ((ExtOp)op)
        {
            case ExtOp.Add: r = SoftFloat.Add(ref env, x, y); break;
            case ExtOp.Sub: r = SoftFloat.Sub(ref env, x, y); break;
            case ExtOp.Mul: r = SoftFloat.Mul(ref env, x, y); break;
            case ExtOp.Div: r = SoftFloat.Div(ref env, x, y); break;
            case ExtOp.Sqrt: r = SoftFloat.Sqrt(ref env, x); break;
            case ExtOp.FromDouble: r = SoftFloat.FromFloat64(ref env, a); break;
            case ExtOp.FromSingle: r = SoftFloat.FromFloat32(ref env, (uint)a); break;
            case ExtOp.ToDouble: return Bits(SoftFloat.ToFloat64(ref env, x), env.Flags);
            default: return Bits(SoftFloat.ToFloat32(ref env, x), env.Flags);
        }
        return ExtendedArithmetic.Result.WithFlags(r.Sig, r.SignExp, env.Flags & (Exceptions | C1));
    }

    private static ExtendedArithmetic.Result Bits(ulong bits, uint flags) =>
        ExtendedArithmetic.Result.WithFlags(bits, 0, flags & (Exceptions | C1));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ExtendedArithmetic.Result EvaluateNative(int op, ulong a, uint aSignExp, ulong b, uint bSignExp) =>
        Evaluate(op, a, aSignExp, b, bSignExp);
}
