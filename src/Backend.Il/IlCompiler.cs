// IL backend: IR block -> one DynamicMethod `int blk_XXXXXXXX(object closure, RuntimeContext* ctx)`,
// invoked through a delegate closed over `closure` (cheaper to call than an open static delegate).
//
// Design:
// * Temporaries are IL locals (uint for I32, ulong for I64; constants are not locals at all but
//   ldc literals at each use). The JIT enregisters locals and folds literals, so the IR's
//   three-address code becomes ordinary register code; the interpreter's array of 64-bit slots
//   and its dispatch switch disappear. Locals are shared between same-typed temporaries whose
//   live ranges are disjoint, so big blocks stay under the JIT's limit of tracked locals.
// * ctx->State is loaded once into a byte* local; guest state is `state + constant offset`.
//   Loop-carried guest values go through state (the IR is SSA within one pass of a block); the
//   JIT keeps the state pointer in a register, so a state access is one mov.
// * The soft-TLB hit path is inlined (index, tag compare, addend, ldind/stind: a handful of
//   instructions) because guest memory accesses are everywhere and a call per access would cost
//   more than the access. The miss path (slow-path call, status check) is placed after the
//   block's hot code so the hit path is a straight fall-through.
// * Slow paths and helpers are reached with `calli` on managed function pointers: no delegate,
//   no marshalling, no GC transition -- the same cost as a direct static call. Helper entry points
//   are embedded as constants (they are static methods that are never collected); the slow paths
//   are read from the context because the VMM owns them.
// * Faults never throw: the callee sets ctx->Status, generated code tests it and leaves through
//   an exit stub per guest instruction that stores PC and the retired count, like the interpreter.
// The interpreter (Backend.Interp/IrInterpreter.cs) is the reference; results, state and exit
// codes must match it for every block.
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Transmeta.IR;

namespace Transmeta.Backend.Il;

/// <summary>Compiles IR blocks to .NET IL (<see cref="DynamicMethod"/>) and has the runtime
/// JIT-compile them at once (<see cref="JitAtCompile"/>).</summary>
public sealed unsafe class IlCompiler : IBlockCompiler
{
    // The first parameter is a closure object the delegate is bound to: a delegate closed over
    // an instance calls its target directly, where an open static one goes through a shuffle
    // thunk on every call (measured: ~9% of run time on call-heavy guests).
    private static readonly Type[] Parameters = [typeof(object), typeof(RuntimeContext*)];
    private static readonly object Closure = new();

    public string Name => "il";

    /// <summary>Optional: wraps each block's ILGenerator (transmeta inspect records an IL listing this way).</summary>
    public Func<ILGenerator, ILGenerator>? GeneratorHook { get; set; }

    public CompiledBlock Compile(IrBlock block) => CompileBlock(block);

    /// <summary>JIT-compile each block's method in <see cref="Compile"/> instead of on its first
    /// run (default on): the compile time then is the whole cost, and a tier compiling on a
    /// background thread keeps the JIT off the guest's thread.</summary>
    public bool JitAtCompile { get; init; } = true;

    private static readonly MethodInfo? GetMethodDescriptor =
        typeof(DynamicMethod).GetMethod("GetMethodDescriptor", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>JIT-compiles a DynamicMethod now (if it is not yet) and returns its native entry
    /// point (for an LCG method, the start of its code once compiled); 0 if the runtime does not
    /// expose the method's handle (a private member: then the JIT runs on the first call).</summary>
    public static nint Prepare(DynamicMethod method)
    {
        if (GetMethodDescriptor?.Invoke(method, null) is not RuntimeMethodHandle handle) return 0;
        RuntimeHelpers.PrepareMethod(handle);
        return handle.GetFunctionPointer();
    }

    /// <summary>Same as <see cref="Compile"/> with the concrete result type.</summary>
    public IlCompiledBlock CompileBlock(IrBlock block)
    {
        var method = new DynamicMethod(block.Name, typeof(int), Parameters, typeof(IlCompiler).Module,
            skipVisibility: true);
        // Every local is written before it is read (constants are literals, temporaries are
        // defined before use, the few bookkeeping locals are set in the prologue).
        method.InitLocals = false;
        ILGenerator il = method.GetILGenerator(256 + block.Count * 24);
        if (GeneratorHook is not null) il = GeneratorHook(il);
        var emitter = new IlEmitter(il, block);
        emitter.EmitBlock();
        int ilBytes = il.ILOffset;
        var entry = (IlBlockEntry)method.CreateDelegate(typeof(IlBlockEntry), Closure);
        if (JitAtCompile) Prepare(method);
        return new IlCompiledBlock(block, method, entry, ilBytes, emitter.Analysis.LocalTypes.Count);
    }
}
