// LLVM backend: IR block -> LLVM IR (LlvmEmitter) -> optimization passes -> x86-64 object code
// for the host CPU -> linked by ORC LLJIT -> called through `delegate* unmanaged<RuntimeContext*, int>`.
//
// The interpreter (Backend.Interp/IrInterpreter.cs) is the reference and the IL backend the
// model: results, state, exit codes, fault exits and the code-modified protocol match them for
// every block. libLLVM is loaded on first use (Interop/LlvmRuntime.cs); without it, creating
// the compiler throws LlvmUnavailableException saying what to install.
using System.Diagnostics;
using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;

namespace Transmeta.Backend.LLVM;

/// <summary>What <see cref="LlvmCompiler.UnitCompiled"/> reports for each compiled unit.</summary>
/// <param name="Name">The block name (<c>blk_XXXXXXXX</c>).</param>
/// <param name="Symbol">The native symbol (the name, plus a suffix when the address was compiled before).</param>
/// <param name="GeneratedIr">The module as emitted, before the passes.</param>
/// <param name="OptimizedIr">The module after the passes, as it went to code generation.</param>
public sealed record LlvmUnit(string Name, string Symbol, string GeneratedIr, string OptimizedIr, int NativeCodeBytes);

public sealed class LlvmCompilerOptions
{
    /// <summary>The optimization pipeline (new pass manager syntax, as for <c>opt -passes=</c>).</summary>
    public string Pipeline { get; init; } = LlvmCompiler.DefaultPipeline;
    /// <summary>Code generator optimization level.</summary>
    public LLVMCodeGenOptLevel CodeGenLevel { get; init; } = LLVMCodeGenOptLevel.Default;
}

/// <summary>Compiles IR blocks to native code with LLVM. Thread-safe (compiles one block at a time).</summary>
public sealed unsafe class LlvmCompiler : IBlockCompiler
{
    /// <summary>The passes run on every block: SSA construction, then the scalar optimizations
    /// that pay off on straight-line guest code with a few loops (see the README's measurements).</summary>
    public const string DefaultPipeline = "default<O2>";

    /// <summary>A fresh LLVM context after this many blocks (a context keeps every constant it saw).</summary>
    private const int ContextReuse = 1000;

    private readonly object _gate = new();
    private readonly LlvmCompilerOptions _options;
    private readonly LlvmJit _jit;
    private LlvmContextCache _context;
    private readonly Dictionary<uint, int> _compiledAt = new();

    /// <summary>Loads libLLVM (once per process) and creates a JIT for this compiler's blocks.</summary>
    /// <exception cref="LlvmUnavailableException">libLLVM 19 cannot be loaded; the message says what to install.</exception>
    public LlvmCompiler(LlvmCompilerOptions? options = null)
    {
        _options = options ?? new LlvmCompilerOptions();
        LlvmRuntime.EnsureInitialized();
        _jit = new LlvmJit(_options.CodeGenLevel);
        _context = new LlvmContextCache();
    }

    public string Name => "llvm";

    /// <summary>Called (on the compiling thread) with each unit's LLVM IR; set it to dump them.
    /// Printing the IR costs time, so leave it null otherwise.</summary>
    public Action<LlvmUnit>? UnitCompiled { get; set; }

    /// <summary>Blocks compiled, total native code bytes, and total compile time, for statistics.</summary>
    public int BlocksCompiled { get; private set; }
    public long NativeCodeBytes { get; private set; }
    public TimeSpan CompileTime { get; private set; }

    /// <summary>The host CPU LLVM generates code for.</summary>
    public string HostCpu => _jit.HostCpu;

    public CompiledBlock Compile(IrBlock block) => CompileBlock(block);

    public LlvmCompiledBlock CompileBlock(IrBlock block)
    {
        lock (_gate)
        {
            long start = Stopwatch.GetTimestamp();
            if (_context.Uses >= ContextReuse)
            {
                _context.Dispose(); // no module of it is alive: each is disposed after code generation
                _context = new LlvmContextCache();
            }
            _context.Uses++;

            string symbol = block.Name;
            if (_compiledAt.TryGetValue(block.GuestAddress, out int seen))
                symbol = $"{block.Name}_v{seen + 1}"; // symbols are unique in the JIT
            _compiledAt[block.GuestAddress] = seen + 1;

            LlvmCode code;
            string generated = "", optimized = "";
            using (var module = new LlvmModule(block.Name, _context.Context))
            {
                _jit.Configure(module);
                _ = new LlvmEmitter(_context, module, block, symbol);
                if (UnitCompiled is not null) generated = module.Print();
                _jit.Optimize(module, _options.Pipeline);
                if (UnitCompiled is not null) optimized = module.Print();
                code = _jit.Load(module, symbol);
            }
            var compiled = new LlvmCompiledBlock(block, code, symbol);
            BlocksCompiled++;
            NativeCodeBytes += code.Size;
            CompileTime += Stopwatch.GetElapsedTime(start);
            UnitCompiled?.Invoke(new LlvmUnit(block.Name, symbol, generated, optimized, code.Size));
            return compiled;
        }
    }
}

/// <summary>A block compiled to native code by LLVM.</summary>
public sealed unsafe class LlvmCompiledBlock : CompiledBlock
{
    private readonly delegate* unmanaged<RuntimeContext*, int> _entry;
    private readonly LlvmCode _code;

    internal LlvmCompiledBlock(IrBlock source, LlvmCode code, string symbol) : base(source)
    {
        _code = code;
        _entry = (delegate* unmanaged<RuntimeContext*, int>)code.Address;
        Symbol = symbol;
    }

    public override string Tier => "llvm";

    /// <summary>Bytes of machine code of the block's function (its ELF symbol size).</summary>
    public override int NativeCodeBytes => _code.Size;

    /// <summary>The native symbol (<c>blk_XXXXXXXX</c>, with a suffix if the address was compiled before).</summary>
    public string Symbol { get; }

    /// <summary>Where the code starts.</summary>
    public nint NativeAddress => _code.Address;

    public override int Execute(RuntimeContext* context)
    {
        int exit = _entry(context);
        // The code's memory lives as long as this object: keep it reachable until the native
        // call returns (a slow path may drop the block from the cache while it runs).
        GC.KeepAlive(this);
        return exit;
    }
}
