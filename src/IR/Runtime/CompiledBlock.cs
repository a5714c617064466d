namespace Transmeta.IR;

/// <summary>A block ready to run: whatever a backend made of an <see cref="IrBlock"/>.</summary>
public abstract unsafe class CompiledBlock
{
    protected CompiledBlock(IrBlock source) => Source = source;

    public IrBlock Source { get; }

    /// <summary>Runs the block once; returns a <see cref="BlockExit"/> code.</summary>
    public abstract int Execute(RuntimeContext* context);

    /// <summary>Which backend made it ("interp", "il", "llvm").</summary>
    public abstract string Tier { get; }

    /// <summary>Size of generated native code, where known (0 otherwise).</summary>
    public virtual int NativeCodeBytes => 0;

    /// <summary>The unit's native entry point if other native code may tail-call it through the
    /// chain table (<see cref="ChainTableLayout"/>); 0 when it can only be run by
    /// <see cref="Execute"/>.</summary>
    public virtual nint ChainEntry => 0;

    /// <summary>Time the backend took to compile it.</summary>
    public TimeSpan CompileTime { get; set; }
}

/// <summary>A backend: turns IR blocks into runnable blocks.</summary>
public interface IBlockCompiler
{
    string Name { get; }
    CompiledBlock Compile(IrBlock block);

    /// <summary>Executes the IR operation by operation (an interpreter): a frontend should then
    /// prefer one helper call to a long inline expansion of the same work.</summary>
    bool Interprets => false;
}

/// <summary>A backend whose code is not faster for every unit (native code calling managed
/// helpers pays a runtime transition per call): tiered execution asks before promoting a unit
/// to it, and a unit it declines stays in the tier below.</summary>
public interface ISelectiveBlockCompiler : IBlockCompiler
{
    /// <summary>False when this backend's code for <paramref name="block"/> is not expected to
    /// be faster than the tier below; <paramref name="reason"/> says why (statistics).</summary>
    bool WorthCompiling(IrBlock block, out string reason);
}
