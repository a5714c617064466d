// The LLVM-C surface this backend calls, and nothing more.
//
// Why hand-written: the usual binding (LLVMSharp / LLVMSharp.Interop, with the libLLVM NuGet
// packages) is not obtainable on these machines; Debian's libllvm19 is. So this file declares,
// with source-generated [LibraryImport], exactly the LLVM-C 19 functions the backend uses (see
// /usr/include/llvm-c-19/llvm-c for the C declarations). Keep it that way: add a function here
// only when the emitter needs it, with the C signature it mirrors.
//
// Conventions:
// * Non-owning references (values, types, basic blocks, metadata, ...) are the one-pointer
//   structs below, passed by value; they are only valid while their owner (a context or a
//   module) is alive.
// * Everything that must be freed is owned by a SafeHandle in LlvmHandles.cs; call sites pass
//   its `.Ref` while the handle is alive (a `using` scope), so no handle leaks or is used after
//   it is freed, and the hot builder calls pay no SafeHandle reference counting.
// * `const char*` inputs are UTF-8 strings; `char*` results that LLVM wants back
//   (LLVMDisposeMessage, LLVMDisposeErrorMessage) are returned as nint and freed by the
//   helpers in LlvmRuntime. LLVMBool is int (nonzero = true, or = failure where documented).
using System.Runtime.InteropServices;

namespace Transmeta.Backend.LLVM.Interop;

[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMContextRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMModuleRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMTypeRef(nint Handle)
{
    public bool IsNull => Handle == 0;
}
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMValueRef(nint Handle)
{
    public bool IsNull => Handle == 0;
}
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMBasicBlockRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMBuilderRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMMetadataRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMAttributeRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMTargetRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMTargetMachineRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMTargetDataRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMMemoryBufferRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMBinaryRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMSectionIteratorRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMPassBuilderOptionsRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMOrcLLJITRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMOrcJITDylibRef(nint Handle);
[StructLayout(LayoutKind.Sequential)] public readonly record struct LLVMOrcResourceTrackerRef(nint Handle);

/// <summary>LLVMIntPredicate.</summary>
public enum LLVMIntPredicate
{
    EQ = 32, NE, UGT, UGE, ULT, ULE, SGT, SGE, SLT, SLE,
}

/// <summary>LLVMRealPredicate (the ones used).</summary>
public enum LLVMRealPredicate
{
    OLT = 4, UNE = 14,
}

public enum LLVMCodeGenOptLevel { None, Less, Default, Aggressive }
public enum LLVMRelocMode { Default, Static, PIC, DynamicNoPic, ROPI, RWPI, ROPI_RWPI }
public enum LLVMCodeModel { Default, JITDefault, Tiny, Small, Kernel, Medium, Large }
public enum LLVMCodeGenFileType { AssemblyFile, ObjectFile }
public enum LLVMTailCallKind { None, Tail, MustTail, NoTail }
public enum LLVMInlineAsmDialect { ATT, Intel }

internal static unsafe partial class LlvmNative
{
    /// <summary>The library name P/Invoke resolves: libLLVM-19.so from Debian's libllvm19
    /// (see <see cref="LlvmRuntime"/> for the resolver and the override variable).</summary>
    public const string Library = "LLVM-19";

    // ------------------------------------------------------------------ Core.h: contexts, modules, messages
    [LibraryImport(Library)] public static partial LLVMContextRef LLVMContextCreate();
    [LibraryImport(Library)] public static partial void LLVMContextDispose(LLVMContextRef c);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMModuleRef LLVMModuleCreateWithNameInContext(string moduleId, LLVMContextRef c);
    [LibraryImport(Library)] public static partial void LLVMDisposeModule(LLVMModuleRef m);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void LLVMSetTarget(LLVMModuleRef m, string triple);
    [LibraryImport(Library)] public static partial nint LLVMPrintModuleToString(LLVMModuleRef m);
    [LibraryImport(Library)] public static partial void LLVMDisposeMessage(nint message);
    /// <summary>Analysis.h; action 2 = LLVMReturnStatusAction (nonzero result: the module is invalid).</summary>
    [LibraryImport(Library)] public static partial int LLVMVerifyModule(LLVMModuleRef m, int action, out nint message);

    // ------------------------------------------------------------------ Core.h: types
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMInt1TypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMInt8TypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMInt16TypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMInt32TypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMInt64TypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMIntTypeInContext(LLVMContextRef c, uint numBits);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMX86FP80TypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMStructTypeInContext(LLVMContextRef c, LLVMTypeRef* elementTypes, uint count, int packed);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMDoubleTypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMFloatTypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMVoidTypeInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial LLVMTypeRef LLVMPointerTypeInContext(LLVMContextRef c, uint addressSpace);
    [LibraryImport(Library)]
    public static partial LLVMTypeRef LLVMFunctionType(LLVMTypeRef returnType, LLVMTypeRef* paramTypes, uint paramCount, int isVarArg);

    // ------------------------------------------------------------------ Core.h: functions, blocks, attributes
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMValueRef LLVMAddFunction(LLVMModuleRef m, string name, LLVMTypeRef functionType);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMGetParam(LLVMValueRef fn, uint index);
    /// <summary>linkage: LLVMLinkage (8 = internal).</summary>
    [LibraryImport(Library)] public static partial void LLVMSetLinkage(LLVMValueRef global, int linkage);
    /// <summary>cc: LLVMCallConv (0 = C, 14 = preserve_most).</summary>
    [LibraryImport(Library)] public static partial void LLVMSetFunctionCallConv(LLVMValueRef fn, uint cc);
    [LibraryImport(Library)] public static partial void LLVMSetInstructionCallConv(LLVMValueRef call, uint cc);
    [LibraryImport(Library)]
    public static partial LLVMBasicBlockRef LLVMAppendBasicBlockInContext(LLVMContextRef c, LLVMValueRef fn, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMGetBasicBlockTerminator(LLVMBasicBlockRef bb);
    [LibraryImport(Library)] public static partial uint LLVMGetEnumAttributeKindForName(byte* name, nuint length);
    [LibraryImport(Library)] public static partial LLVMAttributeRef LLVMCreateEnumAttribute(LLVMContextRef c, uint kind, ulong value);
    /// <summary>idx: -1 (LLVMAttributeFunctionIndex) for the function, 0 the return value, 1.. parameters.</summary>
    [LibraryImport(Library)] public static partial void LLVMAddAttributeAtIndex(LLVMValueRef fn, uint idx, LLVMAttributeRef a);
    [LibraryImport(Library)] public static partial void LLVMAddCallSiteAttribute(LLVMValueRef call, uint idx, LLVMAttributeRef a);

    // ------------------------------------------------------------------ Core.h: constants
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMConstInt(LLVMTypeRef type, ulong value, int signExtend);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMConstReal(LLVMTypeRef type, double value);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMConstIntToPtr(LLVMValueRef value, LLVMTypeRef toType);

    // ------------------------------------------------------------------ Core.h: metadata
    [LibraryImport(Library)] public static partial uint LLVMGetMDKindIDInContext(LLVMContextRef c, byte* name, uint length);
    [LibraryImport(Library)] public static partial LLVMMetadataRef LLVMMDStringInContext2(LLVMContextRef c, byte* str, nuint length);
    [LibraryImport(Library)] public static partial LLVMMetadataRef LLVMMDNodeInContext2(LLVMContextRef c, LLVMMetadataRef* mds, nuint count);
    [LibraryImport(Library)] public static partial LLVMMetadataRef LLVMValueAsMetadata(LLVMValueRef value);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMMetadataAsValue(LLVMContextRef c, LLVMMetadataRef md);
    [LibraryImport(Library)] public static partial void LLVMSetMetadata(LLVMValueRef instruction, uint kind, LLVMValueRef node);

    // ------------------------------------------------------------------ Core.h: intrinsics
    [LibraryImport(Library)] public static partial uint LLVMLookupIntrinsicID(byte* name, nuint length);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMGetIntrinsicDeclaration(LLVMModuleRef m, uint id, LLVMTypeRef* paramTypes, nuint count);
    [LibraryImport(Library)]
    public static partial LLVMTypeRef LLVMIntrinsicGetType(LLVMContextRef c, uint id, LLVMTypeRef* paramTypes, nuint count);

    // ------------------------------------------------------------------ Core.h: instruction builder
    [LibraryImport(Library)] public static partial LLVMBuilderRef LLVMCreateBuilderInContext(LLVMContextRef c);
    [LibraryImport(Library)] public static partial void LLVMDisposeBuilder(LLVMBuilderRef b);
    [LibraryImport(Library)] public static partial void LLVMPositionBuilderAtEnd(LLVMBuilderRef b, LLVMBasicBlockRef bb);
    [LibraryImport(Library)] public static partial LLVMBasicBlockRef LLVMGetInsertBlock(LLVMBuilderRef b);

    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildRet(LLVMBuilderRef b, LLVMValueRef v);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildRetVoid(LLVMBuilderRef b);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildBr(LLVMBuilderRef b, LLVMBasicBlockRef dest);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildCondBr(LLVMBuilderRef b, LLVMValueRef cond, LLVMBasicBlockRef then, LLVMBasicBlockRef otherwise);

    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildAdd(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildSub(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildMul(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildUDiv(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildSDiv(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildURem(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildSRem(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildShl(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildLShr(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildAShr(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildAnd(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildOr(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildXor(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildFAdd(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildFSub(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildFMul(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildFDiv(LLVMBuilderRef b, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildFNeg(LLVMBuilderRef b, LLVMValueRef v, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildNeg(LLVMBuilderRef b, LLVMValueRef v, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildNot(LLVMBuilderRef b, LLVMValueRef v, byte* name);

    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildAlloca(LLVMBuilderRef b, LLVMTypeRef type, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildLoad2(LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef ptr, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildStore(LLVMBuilderRef b, LLVMValueRef value, LLVMValueRef ptr);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildGEP2(LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef ptr, LLVMValueRef* indices, uint count, byte* name);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildInBoundsGEP2(LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef ptr, LLVMValueRef* indices, uint count, byte* name);
    [LibraryImport(Library)] public static partial void LLVMSetAlignment(LLVMValueRef memoryAccess, uint bytes);

    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildTrunc(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef to, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildZExt(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef to, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildSExt(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef to, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildBitCast(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef to, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildIntToPtr(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef to, byte* name);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildPtrToInt(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef to, byte* name);

    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildICmp(LLVMBuilderRef b, LLVMIntPredicate op, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildFCmp(LLVMBuilderRef b, LLVMRealPredicate op, LLVMValueRef l, LLVMValueRef r, byte* name);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildSelect(LLVMBuilderRef b, LLVMValueRef cond, LLVMValueRef then, LLVMValueRef otherwise, byte* name);
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMBuildCall2(LLVMBuilderRef b, LLVMTypeRef fnType, LLVMValueRef fn, LLVMValueRef* args, uint count, byte* name);
    /// <summary>LLVM 18+: marks a call tail/musttail (<see cref="LLVMTailCallKind"/>).</summary>
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMConstNull(LLVMTypeRef type);
    [LibraryImport(Library)] public static partial void LLVMSetTailCallKind(LLVMValueRef call, LLVMTailCallKind kind);
    [LibraryImport(Library)] public static partial LLVMValueRef LLVMBuildExtractValue(LLVMBuilderRef b, LLVMValueRef aggregate, uint index, byte* name);
    /// <summary>An inline assembly callee (Core.h, LLVM 19 signature).</summary>
    [LibraryImport(Library)]
    public static partial LLVMValueRef LLVMGetInlineAsm(LLVMTypeRef type, byte* asmString, nuint asmLength, byte* constraints,
        nuint constraintsLength, int hasSideEffects, int isAlignStack, LLVMInlineAsmDialect dialect, int canThrow);

    // ------------------------------------------------------------------ Core.h: version (LLVM 16+)
    [LibraryImport(Library)] public static partial void LLVMGetVersion(out uint major, out uint minor, out uint patch);

    // ------------------------------------------------------------------ Support.h
    /// <summary>Sets LLVM's global command-line options (process-wide, once, before any use).</summary>
    [LibraryImport(Library)] public static partial void LLVMParseCommandLineOptions(int argc, byte** argv, byte* overview);

    // ------------------------------------------------------------------ Target.h / TargetMachine.h
    // LLVMInitializeNativeTarget & co. are static inline in the headers; the X86 entry points are exported.
    [LibraryImport(Library)] public static partial void LLVMInitializeX86TargetInfo();
    [LibraryImport(Library)] public static partial void LLVMInitializeX86Target();
    [LibraryImport(Library)] public static partial void LLVMInitializeX86TargetMC();
    [LibraryImport(Library)] public static partial void LLVMInitializeX86AsmPrinter();
    /// <summary>Needed to emit inline assembly (the x87 status-word reads, FNSTSW and FNCLEX).</summary>
    [LibraryImport(Library)] public static partial void LLVMInitializeX86AsmParser();
    [LibraryImport(Library)] public static partial nint LLVMGetDefaultTargetTriple();
    [LibraryImport(Library)] public static partial nint LLVMGetHostCPUName();
    [LibraryImport(Library)] public static partial nint LLVMGetHostCPUFeatures();
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LLVMGetTargetFromTriple(string triple, out LLVMTargetRef target, out nint errorMessage);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial LLVMTargetMachineRef LLVMCreateTargetMachine(LLVMTargetRef target, string triple, string cpu,
        string features, LLVMCodeGenOptLevel level, LLVMRelocMode reloc, LLVMCodeModel codeModel);
    [LibraryImport(Library)] public static partial void LLVMDisposeTargetMachine(LLVMTargetMachineRef tm);
    [LibraryImport(Library)] public static partial LLVMTargetDataRef LLVMCreateTargetDataLayout(LLVMTargetMachineRef tm);
    [LibraryImport(Library)] public static partial void LLVMDisposeTargetData(LLVMTargetDataRef td);
    [LibraryImport(Library)] public static partial void LLVMSetModuleDataLayout(LLVMModuleRef m, LLVMTargetDataRef td);
    [LibraryImport(Library)]
    public static partial int LLVMTargetMachineEmitToMemoryBuffer(LLVMTargetMachineRef tm, LLVMModuleRef m,
        LLVMCodeGenFileType fileType, out nint errorMessage, out LLVMMemoryBufferRef buffer);

    // ------------------------------------------------------------------ Core.h: memory buffers
    [LibraryImport(Library)] public static partial nuint LLVMGetBufferSize(LLVMMemoryBufferRef buffer);
    [LibraryImport(Library)] public static partial void LLVMDisposeMemoryBuffer(LLVMMemoryBufferRef buffer);

    // ------------------------------------------------------------------ Object.h (code size)
    // (LLVMGetSymbolSize is no use here: it returns the size of common symbols only.)
    [LibraryImport(Library)]
    public static partial LLVMBinaryRef LLVMCreateBinary(LLVMMemoryBufferRef buffer, LLVMContextRef c, out nint errorMessage);
    [LibraryImport(Library)] public static partial void LLVMDisposeBinary(LLVMBinaryRef binary);
    [LibraryImport(Library)] public static partial LLVMSectionIteratorRef LLVMObjectFileCopySectionIterator(LLVMBinaryRef binary);
    [LibraryImport(Library)] public static partial int LLVMObjectFileIsSectionIteratorAtEnd(LLVMBinaryRef binary, LLVMSectionIteratorRef it);
    [LibraryImport(Library)] public static partial void LLVMDisposeSectionIterator(LLVMSectionIteratorRef it);
    [LibraryImport(Library)] public static partial void LLVMMoveToNextSection(LLVMSectionIteratorRef it);
    /// <summary>Owned by the binary: not freed.</summary>
    [LibraryImport(Library)] public static partial nint LLVMGetSectionName(LLVMSectionIteratorRef it);
    [LibraryImport(Library)] public static partial ulong LLVMGetSectionSize(LLVMSectionIteratorRef it);

    // ------------------------------------------------------------------ Transforms/PassBuilder.h
    [LibraryImport(Library)] public static partial LLVMPassBuilderOptionsRef LLVMCreatePassBuilderOptions();
    [LibraryImport(Library)] public static partial void LLVMDisposePassBuilderOptions(LLVMPassBuilderOptionsRef options);
    /// <summary>Returns an LLVMErrorRef (0 = success).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LLVMRunPasses(LLVMModuleRef m, string passes, LLVMTargetMachineRef tm, LLVMPassBuilderOptionsRef options);

    // ------------------------------------------------------------------ Error.h
    [LibraryImport(Library)] public static partial nint LLVMGetErrorMessage(nint error);
    [LibraryImport(Library)] public static partial void LLVMDisposeErrorMessage(nint message);

    // ------------------------------------------------------------------ Orc.h / LLJIT.h
    /// <summary>builder may be 0 (defaults: host target, in-place compilation, no threads).</summary>
    [LibraryImport(Library)] public static partial nint LLVMOrcCreateLLJIT(out LLVMOrcLLJITRef jit, nint builder);
    [LibraryImport(Library)] public static partial nint LLVMOrcDisposeLLJIT(LLVMOrcLLJITRef jit);
    [LibraryImport(Library)] public static partial LLVMOrcJITDylibRef LLVMOrcLLJITGetMainJITDylib(LLVMOrcLLJITRef jit);
    /// <summary>Takes ownership of the buffer, even on failure.</summary>
    [LibraryImport(Library)]
    public static partial nint LLVMOrcLLJITAddObjectFileWithRT(LLVMOrcLLJITRef jit, LLVMOrcResourceTrackerRef rt, LLVMMemoryBufferRef objectBuffer);
    /// <summary>name is unmangled (LLJIT applies the platform's global prefix).</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LLVMOrcLLJITLookup(LLVMOrcLLJITRef jit, out ulong address, string name);
    [LibraryImport(Library)] public static partial LLVMOrcResourceTrackerRef LLVMOrcJITDylibCreateResourceTracker(LLVMOrcJITDylibRef dylib);
    [LibraryImport(Library)] public static partial nint LLVMOrcResourceTrackerRemove(LLVMOrcResourceTrackerRef rt);
    [LibraryImport(Library)] public static partial void LLVMOrcReleaseResourceTracker(LLVMOrcResourceTrackerRef rt);
}
