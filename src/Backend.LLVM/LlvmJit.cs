using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Transmeta.Backend.LLVM.Interop;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// Native code generation and loading for one compiler: a target machine for the host CPU (its
/// exact model and features, since the code never leaves this process), the optimization
/// pipeline, and an ORC LLJIT instance that links and owns the code of every block compiled.
/// </summary>
/// <remarks>
/// Modules are compiled here to an in-memory ELF object (LLVMTargetMachineEmitToMemoryBuffer),
/// not by the JIT's own IR layer, so the object can be read first: its text section gives each
/// block's exact native code size. The object is then handed to LLJIT, which links it into
/// executable memory under a resource tracker of its own, so the code of a block that is no longer
/// referenced (invalidated by self-modifying code, replaced by another tier) can be freed.
/// Not thread-safe: <see cref="LlvmCompiler"/> serializes every call.
/// </remarks>
internal sealed unsafe class LlvmJit : IDisposable
{
    private readonly LlvmTargetMachine _targetMachine;
    private readonly LlvmTargetData _dataLayout;
    private readonly LlvmPassBuilderOptions _passOptions;
    private readonly LlvmOrcJit _jit;
    private readonly LLVMOrcJITDylibRef _dylib;
    /// <summary>Resource trackers of blocks whose managed owner was collected, freed on the next compile.</summary>
    private readonly ConcurrentQueue<nint> _retired = new();

    public LlvmJit(LLVMCodeGenOptLevel codeGenLevel)
    {
        LlvmRuntime.EnsureInitialized();
        Triple = LlvmRuntime.TakeMessage(LlvmNative.LLVMGetDefaultTargetTriple()) ?? "x86_64-pc-linux-gnu";
        if (LlvmNative.LLVMGetTargetFromTriple(Triple, out LLVMTargetRef target, out nint error) != 0)
            throw new LlvmException($"no LLVM target for {Triple}: {LlvmRuntime.TakeMessage(error)}");
        HostCpu = LlvmRuntime.TakeMessage(LlvmNative.LLVMGetHostCPUName()) ?? "generic";
        string features = LlvmRuntime.TakeMessage(LlvmNative.LLVMGetHostCPUFeatures()) ?? "";
        LLVMTargetMachineRef tm = LlvmNative.LLVMCreateTargetMachine(target, Triple, HostCpu, features, codeGenLevel,
            LLVMRelocMode.PIC, LLVMCodeModel.Small);
        if (tm.Handle == 0) throw new LlvmException($"cannot create an LLVM target machine for {Triple} ({HostCpu})");
        _targetMachine = new LlvmTargetMachine(tm);
        _dataLayout = new LlvmTargetData(_targetMachine);
        _passOptions = new LlvmPassBuilderOptions();
        LlvmRuntime.Check(LlvmNative.LLVMOrcCreateLLJIT(out LLVMOrcLLJITRef jit, 0), "creating the LLVM JIT");
        _jit = new LlvmOrcJit(jit);
        _dylib = LlvmNative.LLVMOrcLLJITGetMainJITDylib(_jit.Ref);
    }

    public string Triple { get; }
    /// <summary>Time in code generation (IR to object code) and in linking (JIT, symbol lookup).</summary>
    public TimeSpan CodeGenTime { get; private set; }
    public TimeSpan LinkTime { get; private set; }

    /// <summary>Units whose code memory has been returned.</summary>
    public int UnitsReleased { get; private set; }
    public string HostCpu { get; }

    /// <summary>Gives a new module the target's triple and data layout.</summary>
    public void Configure(LlvmModule module)
    {
        LlvmNative.LLVMSetTarget(module.Ref, Triple);
        LlvmNative.LLVMSetModuleDataLayout(module.Ref, _dataLayout.Ref);
    }

    /// <summary>Runs an optimization pipeline (new pass manager syntax) over the module.</summary>
    public void Optimize(LlvmModule module, string pipeline) =>
        LlvmRuntime.Check(LlvmNative.LLVMRunPasses(module.Ref, pipeline, _targetMachine.Ref, _passOptions.Ref),
            $"running LLVM passes '{pipeline}'");

    /// <summary>Compiles <paramref name="module"/> to machine code, links it, and returns the
    /// address and size of <paramref name="symbol"/>, plus the code's owner.</summary>
    public LlvmCode Load(LlvmModule module, string symbol)
    {
        ReleaseRetired();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (LlvmNative.LLVMTargetMachineEmitToMemoryBuffer(_targetMachine.Ref, module.Ref, LLVMCodeGenFileType.ObjectFile,
                out nint error, out LLVMMemoryBufferRef bufferRef) != 0)
            throw new LlvmException($"LLVM code generation failed for {symbol}: {LlvmRuntime.TakeMessage(error)}");
        using var buffer = new LlvmMemoryBuffer(bufferRef);
        long emitted = System.Diagnostics.Stopwatch.GetTimestamp();
        CodeGenTime += System.Diagnostics.Stopwatch.GetElapsedTime(started, emitted);
        long size = CodeSize(buffer);

        LLVMOrcResourceTrackerRef rt = LlvmNative.LLVMOrcJITDylibCreateResourceTracker(_dylib);
        var code = new LlvmCode(this, rt);
        nint addError = LlvmNative.LLVMOrcLLJITAddObjectFileWithRT(_jit.Ref, rt, buffer.Ref);
        buffer.Release(); // the JIT owns the buffer now, whatever the outcome
        LlvmRuntime.Check(addError, $"linking {symbol}");
        LlvmRuntime.Check(LlvmNative.LLVMOrcLLJITLookup(_jit.Ref, out ulong address, symbol), $"looking up {symbol}");
        code.Address = (nint)address;
        code.Size = (int)size;
        LinkTime += System.Diagnostics.Stopwatch.GetElapsedTime(emitted);
        return code;
    }

    /// <summary>Bytes of machine code in the object: the sizes of its text sections. An object
    /// holds one block's function, so this is the function's size (constant pools, if any, are
    /// in other sections and not counted).</summary>
    private static long CodeSize(LlvmMemoryBuffer buffer)
    {
        LLVMBinaryRef binaryRef = LlvmNative.LLVMCreateBinary(buffer.Ref, default, out nint error);
        if (binaryRef.Handle == 0)
        {
            LlvmRuntime.TakeMessage(error);
            return 0;
        }
        using var binary = new LlvmBinary(binaryRef);
        using var it = new LlvmSectionIterator(binary);
        long size = 0;
        for (; LlvmNative.LLVMObjectFileIsSectionIteratorAtEnd(binary.Ref, it.Ref) == 0; LlvmNative.LLVMMoveToNextSection(it.Ref))
            if (Marshal.PtrToStringUTF8(LlvmNative.LLVMGetSectionName(it.Ref)) is { } name && name.StartsWith(".text", StringComparison.Ordinal))
                size += (long)LlvmNative.LLVMGetSectionSize(it.Ref);
        return size;
    }

    /// <summary>Called by a finalizer (any thread): the tracker is freed by the compiling thread.</summary>
    internal void Retire(LLVMOrcResourceTrackerRef rt) => _retired.Enqueue(rt.Handle);

    private void ReleaseRetired()
    {
        while (_retired.TryDequeue(out nint rt))
        {
            LlvmRuntime.ConsumeError(LlvmNative.LLVMOrcResourceTrackerRemove(new(rt)));
            LlvmNative.LLVMOrcReleaseResourceTracker(new(rt));
            UnitsReleased++;
        }
    }

    public void Dispose()
    {
        // Only called when no block of this JIT can run any more (see LlvmCompiler).
        ReleaseRetired();
        _jit.Dispose();
        _passOptions.Dispose();
        _dataLayout.Dispose();
        _targetMachine.Dispose();
    }
}

/// <summary>
/// The native code of one block. Keeps its JIT alive while the block may run; when it is
/// collected, its code memory is returned (by the compiling thread, on the next compile).
/// </summary>
internal sealed class LlvmCode
{
    private readonly LlvmJit _jit;
    private readonly LLVMOrcResourceTrackerRef _tracker;

    public LlvmCode(LlvmJit jit, LLVMOrcResourceTrackerRef tracker)
    {
        _jit = jit;
        _tracker = tracker;
    }

    public nint Address { get; set; }
    public int Size { get; set; }

    ~LlvmCode() => _jit.Retire(_tracker);
}
