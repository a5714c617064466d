using System.Runtime.InteropServices;

namespace Transmeta.Backend.LLVM.Interop;

/// <summary>
/// Owner of one LLVM object that must be freed: a <see cref="SafeHandle"/>, so it is freed
/// exactly once, by <c>Dispose</c> or, if the owner forgot, by the finalizer. Native calls take
/// the plain reference (<c>Ref</c>) while the owner is alive; an object whose ownership passes to
/// LLVM (a memory buffer handed to the JIT) is released with <see cref="Release"/>.
/// </summary>
public abstract class LlvmHandle : SafeHandle
{
    protected LlvmHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected nint Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed || IsInvalid, this);
            return handle;
        }
    }

    /// <summary>LLVM took ownership: forget the object without freeing it.</summary>
    public void Release() => SetHandleAsInvalid();
}

public sealed class LlvmContext : LlvmHandle
{
    public LlvmContext() : base(LlvmNative.LLVMContextCreate().Handle) { }
    public LLVMContextRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMContextDispose(new(handle)); return true; }
}

public sealed class LlvmModule : LlvmHandle
{
    /// <summary>The module belongs to <paramref name="context"/>, which must outlive it.</summary>
    public LlvmModule(string name, LlvmContext context)
        : base(LlvmNative.LLVMModuleCreateWithNameInContext(name, context.Ref).Handle) { }
    public LLVMModuleRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeModule(new(handle)); return true; }

    /// <summary>The module as LLVM assembly text.</summary>
    public string Print() => LlvmRuntime.TakeMessage(LlvmNative.LLVMPrintModuleToString(Ref)) ?? "";

    /// <summary>Runs LLVM's verifier; null if the module is valid, else what is wrong.</summary>
    public string? Verify()
    {
        int invalid = LlvmNative.LLVMVerifyModule(Ref, 2, out nint message);
        string? text = LlvmRuntime.TakeMessage(message);
        return invalid != 0 ? text ?? "invalid module" : null;
    }
}

public sealed class LlvmBuilder : LlvmHandle
{
    public LlvmBuilder(LlvmContext context) : base(LlvmNative.LLVMCreateBuilderInContext(context.Ref).Handle) { }
    public LLVMBuilderRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeBuilder(new(handle)); return true; }
}

public sealed class LlvmTargetMachine : LlvmHandle
{
    public LlvmTargetMachine(LLVMTargetMachineRef tm) : base(tm.Handle) { }
    public LLVMTargetMachineRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeTargetMachine(new(handle)); return true; }
}

public sealed class LlvmTargetData : LlvmHandle
{
    public LlvmTargetData(LlvmTargetMachine tm) : base(LlvmNative.LLVMCreateTargetDataLayout(tm.Ref).Handle) { }
    public LLVMTargetDataRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeTargetData(new(handle)); return true; }
}

public sealed class LlvmPassBuilderOptions : LlvmHandle
{
    public LlvmPassBuilderOptions() : base(LlvmNative.LLVMCreatePassBuilderOptions().Handle) { }
    public LLVMPassBuilderOptionsRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposePassBuilderOptions(new(handle)); return true; }
}

public sealed class LlvmMemoryBuffer : LlvmHandle
{
    public LlvmMemoryBuffer(LLVMMemoryBufferRef buffer) : base(buffer.Handle) { }
    public LLVMMemoryBufferRef Ref => new(Raw);
    public long Size => (long)LlvmNative.LLVMGetBufferSize(Ref);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeMemoryBuffer(new(handle)); return true; }
}

/// <summary>An object file parsed from a memory buffer (which must outlive it).</summary>
public sealed class LlvmBinary : LlvmHandle
{
    public LlvmBinary(LLVMBinaryRef binary) : base(binary.Handle) { }
    public LLVMBinaryRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeBinary(new(handle)); return true; }
}

public sealed class LlvmSectionIterator : LlvmHandle
{
    public LlvmSectionIterator(LlvmBinary binary) : base(LlvmNative.LLVMObjectFileCopySectionIterator(binary.Ref).Handle) { }
    public LLVMSectionIteratorRef Ref => new(Raw);
    protected override bool ReleaseHandle() { LlvmNative.LLVMDisposeSectionIterator(new(handle)); return true; }
}

/// <summary>An ORC LLJIT instance: owns the code memory of everything added to it.</summary>
public sealed class LlvmOrcJit : LlvmHandle
{
    public LlvmOrcJit(LLVMOrcLLJITRef jit) : base(jit.Handle) { }
    public LLVMOrcLLJITRef Ref => new(Raw);
    protected override bool ReleaseHandle()
    {
        LlvmRuntime.ConsumeError(LlvmNative.LLVMOrcDisposeLLJIT(new(handle)));
        return true;
    }
}
