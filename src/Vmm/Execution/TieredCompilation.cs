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
public sealed class TieredCompilation : IDisposable
{
    private readonly Tier[] _tiers;
    private readonly BlockingCollection<(CachedBlock Block, int Tier)> _requests = new();
    private readonly ConcurrentQueue<(CachedBlock Block, int Tier, CompiledBlock? Code, Exception? Error)> _done = new();
    private readonly Thread _worker;
    private volatile int _completed;

    public TieredCompilation(IReadOnlyList<Tier> tiers)
    {
        if (tiers.Count == 0) throw new ArgumentException("at least one tier");
        _tiers = tiers.ToArray();
        BlocksCompiled = new long[_tiers.Length];
        CompileTime = new TimeSpan[_tiers.Length];
        InstructionsExecuted = new long[_tiers.Length];
        _worker = new Thread(Work) { IsBackground = true, Name = "tier compiler", Priority = ThreadPriority.BelowNormal };
        _worker.Start();
    }

    public IReadOnlyList<Tier> Tiers => _tiers;
    public long[] BlocksCompiled { get; }
    public TimeSpan[] CompileTime { get; }
    public long[] InstructionsExecuted { get; }
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
        return code;
    }

    /// <summary>Records that <paramref name="block"/> retired <paramref name="retired"/> guest
    /// instructions, and asks for the next tier when it crosses that tier's threshold.</summary>
    public void Account(CachedBlock block, long retired)
    {
        InstructionsExecuted[block.Tier] += retired;
        block.RetiredInside += retired;
        int next = block.Tier + 1;
        if (next < _tiers.Length && !block.PromotionPending && block.RetiredInside >= _tiers[next].Threshold)
        {
            block.PromotionPending = true;
            _requests.Add((block, next));
        }
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
            if (r.Block.Invalid) continue; // its code page was written meanwhile
            r.Block.Code = r.Code;
            r.Block.Tier = r.Tier;
            // Ask for the tier after this one at once if the block is already that hot.
            int next = r.Tier + 1;
            if (next < _tiers.Length && r.Block.RetiredInside >= _tiers[next].Threshold)
            {
                r.Block.PromotionPending = true;
                _requests.Add((r.Block, next));
            }
        }
    }

    private void Work()
    {
        foreach (var (block, tier) in _requests.GetConsumingEnumerable())
        {
            CompiledBlock? code = null;
            Exception? error = null;
            if (!block.Invalid)
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
            _done.Enqueue((block, tier, code, error));
            Interlocked.Increment(ref _completed);
        }
    }

    /// <summary>Waits until every requested compile has finished (for tests and benchmarks).</summary>
    public void WaitIdle(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (_requests.Count > 0 && sw.Elapsed < timeout) Thread.Sleep(1);
    }

    public void Dispose() => _requests.CompleteAdding();
}
