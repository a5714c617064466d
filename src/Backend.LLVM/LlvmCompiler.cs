// LLVM backend: IR block -> LLVM IR (LlvmEmitter) -> optimization passes -> x86-64 object code
// for the host CPU -> linked by ORC LLJIT -> called through `delegate* unmanaged<RuntimeContext*, int>`.
//
// The interpreter (Backend.Interp/IrInterpreter.cs) is the reference and the IL backend the
// model: results, state, exit codes, fault exits and the code-modified protocol match them for
// every block. libLLVM is loaded on first use (Interop/LlvmRuntime.cs); without it, creating
// the compiler throws LlvmUnavailableException saying what to install.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Transmeta.Backend.LLVM.Interop;
using Transmeta.IR;
using Transmeta.IR.Passes;

namespace Transmeta.Backend.LLVM;

/// <summary>What <see cref="LlvmCompiler.UnitCompiled"/> reports for each compiled unit.</summary>
/// <param name="Name">The block name (<c>blk_XXXXXXXX</c>).</param>
/// <param name="Symbol">The native symbol (the name, plus a suffix when the address was compiled before).</param>
/// <param name="GeneratedIr">The module as emitted, before the passes.</param>
/// <param name="OptimizedIr">The module after the passes, as it went to code generation.</param>
public sealed record LlvmUnit(string Name, string Symbol, string GeneratedIr, string OptimizedIr, int NativeCodeBytes);

public sealed class LlvmCompilerOptions
{
    /// <summary>The optimization pipeline (new pass manager syntax, as for <c>opt -passes=</c>).
    /// Default: <see cref="LlvmCompiler.DefaultPipeline"/>, or the TRANSMETA_LLVM_PASSES variable (for experiments).</summary>
    public string Pipeline { get; init; } =
        Environment.GetEnvironmentVariable("TRANSMETA_LLVM_PASSES") is { Length: > 0 } p ? p : LlvmCompiler.DefaultPipeline;
    /// <summary>Code generator optimization level (default: Default, or TRANSMETA_LLVM_CODEGEN = 0..3).</summary>
    public LLVMCodeGenOptLevel CodeGenLevel { get; init; } =
        int.TryParse(Environment.GetEnvironmentVariable("TRANSMETA_LLVM_CODEGEN"), out int l) && l is >= 0 and <= 3
            ? (LLVMCodeGenOptLevel)l : LLVMCodeGenOptLevel.Default;
    /// <summary>Let generated code go on into the next unit through the VMM's chain table
    /// (<see cref="ChainTableLayout"/>) instead of returning at every jump; default on
    /// (TRANSMETA_LLVM_CHAINING=0 turns it off, for comparisons).</summary>
    public bool Chaining { get; init; } = Environment.GetEnvironmentVariable("TRANSMETA_LLVM_CHAINING") != "0";
    /// <summary>Run LLVM's verifier on every generated module (tests do; it costs compile time).</summary>
    public bool Verify { get; init; }
}

/// <summary>Compiles IR blocks to native code with LLVM. Thread-safe (compiles one block at a time).</summary>
public sealed unsafe class LlvmCompiler : ISelectiveBlockCompiler
{
    /// <summary>The passes run on every unit: SSA construction (SROA turns the temporaries and the
    /// shadowed guest state into SSA values), then the scalar optimizations that pay off on guest
    /// code: CSE of TLB lookups and flag computations, constant propagation through the
    /// code-modified and dirty flags (jump threading), GVN, dead-store elimination. Measured on the
    /// CPU-bound suite it gives the code of <c>default&lt;O2&gt;</c> (same size and speed within
    /// noise) for about 20% less compile time: O2's SLP vectorizer, inliner and loop passes find
    /// nothing to do here.</summary>
    public const string DefaultPipeline =
        "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,simplifycfg,jump-threading,gvn,dse," +
        "instcombine<no-verify-fixpoint>,simplifycfg)";

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
        _hostCheck = HostExtendedPrecision.Verify(_jit, _context);
    }

    /// <summary>The code of the host check, kept with the JIT (see <see cref="HostExtendedPrecision"/>).</summary>
    private readonly LlvmCode _hostCheck;

    public string Name => "llvm";

    /// <summary>
    /// A unit that calls managed helpers (the x87 FPU, division, ...) on more than this share of
    /// its guest instructions is not worth LLVM's compile time: each call from native code into
    /// .NET costs a runtime transition (~20-30 ns, against ~3 ns for IL code calling the same
    /// helper), which then outweighs what LLVM's code saves. Measured on the x87 guests
    /// (mandelbrot: LLVM 0.75× IL on units at about one helper call per two instructions).
    /// </summary>
    public double MaxHelperCallsPerInstruction { get; init; } = DefaultMaxHelperCallsPerInstruction;
    public const double DefaultMaxHelperCallsPerInstruction = 0.2;

    public bool WorthCompiling(IrBlock block, out string reason) =>
        IsWorthCompiling(block, MaxHelperCallsPerInstruction, out reason);

    /// <summary>The test of <see cref="WorthCompiling"/>, without a compiler (a tier that has not
    /// created its JIT yet can answer it on the dispatcher's thread).</summary>
    public static bool IsWorthCompiling(IrBlock block, double maxHelperCallsPerInstruction, out string reason)
    {
        int calls = 0, instructions = 0;
        foreach (ref readonly IrInstruction ins in block.Span)
        {
            if (ins.Op == Opcode.InsnStart) instructions++;
            else if (ins.Op == Opcode.CallHelper && block.Helpers[ins.Aux].Body is null) calls++;
        }
        if (instructions > 0 && calls > maxHelperCallsPerInstruction * instructions)
        {
            reason = $"{block.Name}: {calls} managed helper calls in {instructions} guest instructions";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>Called (on the compiling thread) with each unit's LLVM IR; set it to dump them.
    /// Printing the IR costs time, so leave it null otherwise.</summary>
    public Action<LlvmUnit>? UnitCompiled { get; set; }

    /// <summary>Blocks compiled, total native code bytes, and total compile time, for statistics.</summary>
    public int BlocksCompiled { get; private set; }
    public long NativeCodeBytes { get; private set; }
    public TimeSpan CompileTime { get; private set; }
    /// <summary>CPU time of the compiling thread spent in <see cref="Compile"/> (unlike the wall-clock
    /// <see cref="CompileTime"/>, not inflated when other processes compete for the CPU).</summary>
    public TimeSpan CompileCpuTime { get; private set; }
    /// <summary>Guest instructions in the units compiled (for native bytes per guest instruction).</summary>
    public long GuestInstructions { get; private set; }
    /// <summary>Compile time of each block (wall clock and thread CPU), in compile order; a copy.</summary>
    public IReadOnlyList<(TimeSpan Wall, TimeSpan Cpu)> BlockCompileTimes
    {
        get { lock (_gate) return _blockTimes.ToArray(); }
    }
    private readonly List<(TimeSpan Wall, TimeSpan Cpu)> _blockTimes = new();
    /// <summary>Of <see cref="CompileTime"/>: building the LLVM IR, running the passes, generating
    /// machine code, linking it into the JIT.</summary>
    public TimeSpan EmitTime { get; private set; }
    public TimeSpan PassTime { get; private set; }
    public TimeSpan CodeGenTime => _jit.CodeGenTime;
    public TimeSpan LinkTime => _jit.LinkTime;

    /// <summary>Units whose code memory was returned (their blocks were collected: invalidated
    /// or replaced); it happens on the next compile.</summary>
    public int UnitsReleased
    {
        get { lock (_gate) return _jit.UnitsReleased; }
    }

    /// <summary>The host CPU LLVM generates code for.</summary>
    public string HostCpu => _jit.HostCpu;

    public CompiledBlock Compile(IrBlock block) => CompileBlock(block);

    /// <summary>Guest instructions a unit translates: its InsnStart markers (a region's
    /// <see cref="IrBlock.GuestInstructionCount"/> counts its first block only).</summary>
    private static int GuestInstructionsIn(IrBlock block)
    {
        int n = 0;
        foreach (ref readonly IrInstruction ins in block.Span)
            if (ins.Op == Opcode.InsnStart) n++;
        return n;
    }

    public LlvmCompiledBlock CompileBlock(IrBlock block)
    {
        lock (_gate)
        {
            long start = Stopwatch.GetTimestamp();
            TimeSpan cpuStart = ThreadCpuTime.Now;
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
                // Native code calling a .NET helper pays a runtime transition; pure helpers
                // with an IR body (the lazy flags) are cheaper inlined.
                _ = new LlvmEmitter(_context, module, HelperInlining.Apply(block), symbol, _options.Chaining);
                long emitted = Stopwatch.GetTimestamp();
                EmitTime += Stopwatch.GetElapsedTime(start, emitted);
                if (UnitCompiled is not null) generated = module.Print();
                if (_options.Verify && module.Verify() is { } problem)
                    throw new LlvmException($"LLVM backend generated invalid IR for {block.Name}: {problem}\n{module.Print()}");
                long optimizing = Stopwatch.GetTimestamp();
                _jit.Optimize(module, _options.Pipeline);
                long optimizedAt = Stopwatch.GetTimestamp();
                PassTime += Stopwatch.GetElapsedTime(optimizing, optimizedAt);
                if (UnitCompiled is not null) optimized = module.Print();
                code = _jit.Load(module, symbol);
            }
            var compiled = new LlvmCompiledBlock(block, code, symbol);
            BlocksCompiled++;
            NativeCodeBytes += code.Size;
            GuestInstructions += GuestInstructionsIn(block);
            TimeSpan took = Stopwatch.GetElapsedTime(start);
            TimeSpan cpu = ThreadCpuTime.Now - cpuStart;
            CompileTime += took;
            CompileCpuTime += cpu;
            _blockTimes.Add((took, cpu));
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

    /// <summary>Other units' code may tail-call this one (its signature is theirs).</summary>
    public override nint ChainEntry => _code.Address;

    public override int Execute(RuntimeContext* context)
    {
        int exit = _entry(context);
        // The code's memory lives as long as this object: keep it reachable until the native
        // call returns (a slow path may drop the block from the cache while it runs).
        GC.KeepAlive(this);
        return exit;
    }
}
