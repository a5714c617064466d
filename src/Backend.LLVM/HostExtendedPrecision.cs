using System.Runtime.InteropServices;
using Transmeta.Backend.LLVM.Interop;
using static Transmeta.Backend.LLVM.Interop.LlvmNative;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// The LLVM backend computes <see cref="Transmeta.IR.Opcode.ExtArith"/> on the host's x87
/// (LlvmEmitter.ExtendedArithmetic.cs), whose results depend on the host's control word: they
/// are the operation's only under round to nearest with 64-bit precision (037F, the x86-64
/// System V default, which nothing in this process changes). This checks once, by running
/// code the JIT compiled, that the host really rounds that way, so another environment (a
/// library that set precision control to 53 bits, say) gives a clear error instead of wrong
/// guest results.
/// </summary>
internal static unsafe class HostExtendedPrecision
{
    /// <summary>Throws <see cref="LlvmUnavailableException"/> unless (1 + 3·2^-65) - 1 is 2^-63
    /// (64-bit precision, not rounded down or toward zero) and (1 + 2^-65) - 1 is 0 (not rounded
    /// up): together, round to nearest at 64 bits. Returns the probe's code, which the caller
    /// keeps as long as the JIT (it is not a unit, and its release would count as one).</summary>
    public static LlvmCode Verify(LlvmJit jit, LlvmContextCache cx)
    {
        using var module = new LlvmModule("transmeta_fp80_probe", cx.Context);
        jit.Configure(module);
        using (var builder = new LlvmBuilder(cx.Context))
        {
            LLVMBuilderRef b = builder.Ref;
            LLVMTypeRef ptr = cx.Ptr, fp80 = LLVMX86FP80TypeInContext(cx.Ref);
            LLVMTypeRef fnType = LLVMFunctionType(cx.Void, &ptr, 1, 0);
            LLVMValueRef fn = LLVMAddFunction(module.Ref, "transmeta_fp80_probe", fnType);
            byte* noName = stackalloc byte[1];
            noName[0] = 0;
            LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(cx.Ref, fn, noName));
            LLVMValueRef buffer = LLVMGetParam(fn, 0);
            LLVMValueRef Slot(int i)
            {
                LLVMValueRef offset = LLVMConstInt(cx.I64, (ulong)(16 * i), 0);
                return LLVMBuildGEP2(b, cx.I8, buffer, &offset, 1, noName);
            }
            // Operands from memory, so LLVM cannot fold the arithmetic at compile time.
            LLVMValueRef one = LLVMBuildLoad2(b, fp80, Slot(0), noName);
            for (int i = 1; i <= 2; i++)
            {
                LLVMValueRef sum = LLVMBuildFAdd(b, one, LLVMBuildLoad2(b, fp80, Slot(i), noName), noName);
                LLVMBuildStore(b, LLVMBuildFSub(b, sum, one, noName), Slot(2 + i));
            }
            LLVMBuildRetVoid(b);
        }
        LlvmCode code = jit.Load(module, "transmeta_fp80_probe");
        byte* values = (byte*)NativeMemory.AllocZeroed(16 * 5);
        try
        {
            Write(values, 0, 1UL << 63, 0x3FFF);      // 1
            Write(values, 1, 3UL << 62, 0x3FFF - 64); // 3·2^-65 (0.75 of the last place of 1)
            Write(values, 2, 1UL << 63, 0x3FFF - 65); // 2^-65 (0.25 of it)
            ((delegate* unmanaged<byte*, void>)code.Address)(values);
            bool nearest64 = Read(values, 3) == (1UL << 63, 0x3FFF - 63) && Read(values, 4) == (0UL, 0);
            if (!nearest64)
                throw new LlvmUnavailableException(
                    "the host x87 does not round to nearest at 64-bit precision (control word 037F), " +
                    "which the LLVM backend's extended-precision arithmetic relies on");
            return code;
        }
        finally
        {
            NativeMemory.Free(values);
        }
    }

    private static void Write(byte* values, int i, ulong sig, int signExp)
    {
        *(ulong*)(values + 16 * i) = sig;
        *(ushort*)(values + 16 * i + 8) = (ushort)signExp;
    }

    private static (ulong Sig, int SignExp) Read(byte* values, int i) =>
        (*(ulong*)(values + 16 * i), *(ushort*)(values + 16 * i + 8));
}
