using System.Collections.Concurrent;
using System.Diagnostics;
using Transmeta.IR;

namespace Transmeta.Vmm.Execution;

/// <summary>One tier: a compiler and how hot a block must be to be compiled by it, counted in
/// guest instructions the block has retired (a block looping inside itself gets hot without
/// being dispatched often).</summary>
public sealed record Tier(IBlockCompiler Compiler, long Threshold);

/// <summary>
/// Tiered execution, as Transmeta's Code Morphing Software and Ryujinx do it: every block starts
/// in the first tier (the interpreter: no compile cost), and once it has retired enough guest
/// instructions it is compiled by the next tier on a background thread. The dispatcher swaps the
/// new code in between two blocks, so the guest never waits for a compiler and nothing it can
/// observe changes (every tier runs the same IR).
/// </summary>
/// <remarks>Each promoted tier has its own compiler thread: an LLVM compile takes tens of
/// milliseconds, an IL one well under one, so a queue shared by both would hold warm blocks in
/// the interpreter behind hot ones waiting for LLVM.</remarks>
public sealed class TieredCompilation : IDisposable
{
    private readonly Tier[] _tiers;
    /// <summary>Per tier (index 0 unused: the first tier compiles on the dispatcher's thread).</summary>
    private readonly HottestFirstQueue[] _requests;
    private readonly ConcurrentQueue<(CachedBlock Block, int Tier, CompiledBlock? Code, Exception? Error)> _done = new();
    private readonly Thread[] _workers;
    private volatile int _completed;
    private int _inFlight;
    private volatile bool _stopping;

    public TieredCompilation(IReadOnlyList<Tier> tiers)
    {
        if (tiers.Count == 0) throw new ArgumentException("at least one tier");
        _tiers = tiers.ToArray();
        BlocksCompiled = new long[_tiers.Length];
        CompileTime = new TimeSpan[_tiers.Length];
        InstructionsExecuted = new long[_tiers.Length];
        Declined = new long[_tiers.Length];
        FirstDeclineReason = new string?[_tiers.Length];
        BlockCompileMs = new List<double>[_tiers.Length];
        for (int i = 0; i < _tiers.Length; i++) BlockCompileMs[i] = new List<double>();
        _requests = new HottestFirstQueue[_tiers.Length];
        _workers = new Thread[_tiers.Length];
        for (int i = 1; i < _tiers.Length; i++)
        {
            int tier = i;
            _requests[i] = new HottestFirstQueue();
            _workers[i] = new Thread(() => Work(tier))
            {
                IsBackground = true, Name = $"tier {_tiers[i].Compiler.Name} compiler", Priority = ThreadPriority.BelowNormal,
            };
            _workers[i].Start();
        }
    }

    /// <summary>Why a tier the caller wanted is not there (e.g. libLLVM missing), for --stats.</summary>
    public string? Note { get; init; }

    public IReadOnlyList<Tier> Tiers => _tiers;
    public long[] BlocksCompiled { get; }
    public TimeSpan[] CompileTime { get; }
    public long[] InstructionsExecuted { get; }
    /// <summary>Per tier, the compile time of each unit it compiled, in milliseconds.</summary>
    public List<double>[] BlockCompileMs { get; }
    /// <summary>Compiles that failed (the block stays in its tier); the first error is kept.</summary>
    public long Failures { get; private set; }
    public Exception? FirstFailure { get; private set; }

    /// <summary>How often (in guest instructions) a block looping inside itself is made to come
    /// back to the dispatcher, so it can be promoted while the loop runs.</summary>
    public ulong Quantum { get; init; } = 200_000;

    /// <summary>Compiles a new block with the first tier, on the dispatcher's thread.</summary>
    public CompiledBlock CompileFirst(IrBlock ir)
    {
        long t0 = Stopwatch.GetTimestamp();
        CompiledBlock code = _tiers[0].Compiler.Compile(ir);
        code.CompileTime = Stopwatch.GetElapsedTime(t0);
        BlocksCompiled[0]++;
        CompileTime[0] += code.CompileTime;
        BlockCompileMs[0].Add(code.CompileTime.TotalMilliseconds);
        return code;
    }

    /// <summary>Records that <paramref name="block"/> retired <paramref name="retired"/> guest
    /// instructions, and asks for the next tier when it crosses that tier's threshold.</summary>
    public void Account(CachedBlock block, long retired)
    {
        InstructionsExecuted[block.Tier] += retired;
        block.RetiredInside += retired;
        int next = block.Tier + 1;
        if (next < _tiers.Length && !block.PromotionPending && !block.PromotionFailed && !block.PromotionDeclined
            && block.RetiredInside >= _tiers[next].Threshold)
            RequestIfWorthIt(block, next);
    }

    /// <summary>Per tier, units it declined (<see cref="ISelectiveBlockCompiler"/>), and the first reason.</summary>
    public long[] Declined { get; }
    public string?[] FirstDeclineReason { get; }

    private void RequestIfWorthIt(CachedBlock block, int tier)
    {
        if (_tiers[tier].Compiler is ISelectiveBlockCompiler selective && !selective.WorthCompiling(block.Ir, out string reason))
        {
            block.PromotionDeclined = true;
            Declined[tier]++;
            FirstDeclineReason[tier] ??= reason;
            return;
        }
        Request(block, tier);
    }

    private void Request(CachedBlock block, int tier)
    {
        block.PromotionPending = true;
        Interlocked.Increment(ref _inFlight);
        _requests[tier].Add(block);
    }

    /// <summary>True when compiled code is waiting to be swapped in.</summary>
    public bool HasCompleted => _completed != 0;

    /// <summary>Swaps finished compilations in (dispatcher thread, between blocks).</summary>
    public void SwapIn()
    {
        while (_done.TryDequeue(out var r))
        {
            Interlocked.Decrement(ref _completed);
            r.Block.PromotionPending = false;
            if (r.Code is null)
            {
                if (r.Error is null) continue; // invalidated before it was compiled
                Failures++;
                FirstFailure ??= r.Error;
                r.Block.PromotionFailed = true;
                continue;
            }
            BlocksCompiled[r.Tier]++;
            CompileTime[r.Tier] += r.Code.CompileTime;
            BlockCompileMs[r.Tier].Add(r.Code.CompileTime.TotalMilliseconds);
            if (r.Block.Invalid) continue; // its code page was written meanwhile
            r.Block.Code = r.Code;
            r.Block.Tier = r.Tier;
            // Ask for the tier after this one at once if the block is already that hot.
            int next = r.Tier + 1;
            if (next < _tiers.Length && r.Block.RetiredInside >= _tiers[next].Threshold)
                RequestIfWorthIt(r.Block, next);
        }
    }

    private void Work(int tier)
    {
        while (_requests[tier].TryTake(out CachedBlock block))
        {
            CompiledBlock? code = null;
            Exception? error = null;
            Interlocked.Increment(ref s_compiling); // before the check: see CompilesRunning
            if (!block.Invalid && !_stopping)
            {
                long t0 = Stopwatch.GetTimestamp();
                try
                {
                    code = _tiers[tier].Compiler.Compile(block.Ir);
                    code.CompileTime = Stopwatch.GetElapsedTime(t0);
                }
                catch (Exception e)
                {
                    error = e;
                }
            }
            Interlocked.Decrement(ref s_compiling);
            _done.Enqueue((block, tier, code, error));
            Interlocked.Increment(ref _completed);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Waits until every requested compile has finished (for tests and benchmarks).</summary>
    public void WaitIdle(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (Volatile.Read(ref _inFlight) > 0 && sw.Elapsed < timeout) Thread.Sleep(1);
    }

    /// <summary>Whether <see cref="Dispose"/> waits for a compile in progress (default). A process
    /// must not exit while a thread is inside LLVM: libLLVM's static destructors would run under
    /// it (seen: a segfault after a finished run). The runner's Main turns the wait off and, if
    /// a compile is still running when it is done, ends the process without running them.</summary>
    public static bool WaitForCompilerOnDispose { get; set; } = true;

    /// <summary>Compiles running now on tier threads, over every instance (counted before a
    /// thread checks for Dispose, so after Dispose returns a zero here means none will start).</summary>
    public static int CompilesRunning => Volatile.Read(ref s_compiling);
    private static int s_compiling;

    /// <summary>Stops the compiler threads: no new compile starts, and (see
    /// <see cref="WaitForCompilerOnDispose"/>) the one running finishes before this returns.</summary>
    public void Dispose()
    {
        _stopping = true;
        for (int i = 1; i < _tiers.Length; i++) _requests[i].CompleteAdding();
        if (!WaitForCompilerOnDispose) return;
        for (int i = 1; i < _tiers.Length; i++) _workers[i].Join(TimeSpan.FromSeconds(30));
    }
}
