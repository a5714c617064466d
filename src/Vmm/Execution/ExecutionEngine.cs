using System.Diagnostics;
using Transmeta.Frontend.Decoding;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using Transmeta.IR.Passes;
using Transmeta.Vmm.Devices;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Execution;

/// <summary>
/// The dispatch loop: find the block at EIP (jump cache, then the translation cache, else
/// translate: decode and lift, optimize, compile, cache), run it, and handle how it exits:
/// hypercalls, faults delivered through the guest IDT, self-modifying code, the instruction
/// budget. Interrupts will be taken here too, at block boundaries.
/// </summary>
public sealed unsafe class ExecutionEngine
{
    private readonly CpuState* _cpu;
    private readonly GuestMemory _memory;
    private readonly IBlockCompiler _backend;
    private readonly HypercallHandler _hypercalls;
    private readonly DebugExitPort _exitPort;
    private readonly X86Translator _translator = new();
    private readonly RegionTranslator _regions;
    private readonly GuestCodeReader _codeReader;

    public ExecutionEngine(CpuState* cpu, GuestMemory memory, IBlockCompiler backend, HypercallHandler hypercalls,
        DebugExitPort exitPort, ExecutionStats stats, TieredCompilation? tiering = null)
    {
        Tiering = tiering;
        _cpu = cpu;
        _memory = memory;
        _backend = backend;
        _hypercalls = hypercalls;
        _exitPort = exitPort;
        Stats = stats;
        _codeReader = new GuestCodeReader(memory);
        _regions = new RegionTranslator(_translator);
        memory.CodePageWritten = page => Cache.InvalidatePage(page);
        Chaining = true;
    }

    /// <summary>Let generated code that can (LLVM) go from unit to unit through the chain table
    /// without returning here (on by default). Then <see cref="CachedBlock.Executions"/> and
    /// <see cref="CachedBlock.RetiredInside"/> count only what the dispatcher ran: profilers that
    /// want exact per-unit counts turn it off.</summary>
    public bool Chaining
    {
        get => _memory.Context->ChainTable != null;
        set => _memory.Context->ChainTable = value ? Cache.Chain.Entries : null;
    }

    public TranslationCache Cache { get; } = new();
    /// <summary>Tiered execution, or null when one backend compiles every block.</summary>
    public TieredCompilation? Tiering { get; }
    public ExecutionStats Stats { get; }
    public IBlockCompiler Backend => _backend;
    /// <summary>Called with each block's IR after the passes, before it is compiled (--dump-ir).</summary>
    public Action<IrBlock>? BlockTranslated { get; set; }
    /// <summary>Called with each new cache entry, after it is compiled and cached (profiles, perf maps).</summary>
    public Action<CachedBlock>? BlockCompiled { get; set; }

    /// <summary>Join blocks reached through direct jumps on the same page into one compiled
    /// region (on by default; off to compare with block-at-a-time translation).</summary>
    public bool Regions { get; set; } = true;

    /// <summary>Run the IR passes before compiling (on by default; off to compare).</summary>
    public bool Optimize { get; set; } = true;

    private DecodeMode _mode = DecodeMode.Flat32;
    private bool _unspecializedNext;
    private uint _modeKey = DecodeMode.Flat32.Key;

    /// <summary>The mode bits the current CPU state decodes under: 32-bit protected mode, with
    /// segment bases known to be zero when CS, SS, DS and ES all have base 0 (so the lifter can
    /// leave the additions out). Real mode and paging will extend this.</summary>
    private DecodeMode ComputeMode()
    {
        bool flat = true;
        foreach (int seg in new[] { SegReg.ES, SegReg.CS, SegReg.SS, SegReg.DS })
            flat &= _cpu->Segment(seg).Base == 0;
        int stackSize = (_cpu->Segment(SegReg.SS).Attributes & 0x4000) != 0 ? 4 : 2;
        return new DecodeMode(32, flat, (int)_cpu->Cpl, stackSize);
    }

    public RunResult Run(ulong maxInstructions = 0)
    {
        ulong limit = maxInstructions == 0 ? ulong.MaxValue : _cpu->Retired + maxInstructions;
        SetDeadline(limit);
        RuntimeContext* ctx = _memory.Context;
        TieredCompilation? tiering = Tiering;
        _mode = ComputeMode();
        _modeKey = _mode.Key;
        Stats.Wall.Start();
        TimeSpan cpuAtStart = ThreadCpuTime.Now;
        try
        {
            while (true)
            {
                if (_cpu->Retired >= _cpu->Deadline)
                {
                    if (_cpu->Retired >= limit)
                        return new RunResult(StopReason.InstructionLimit, ExitStatus.InstructionLimit,
                            $"stopped after {_cpu->Retired} guest instructions (--max-instructions) at eip=0x{_cpu->Eip:x8}");
                    SetDeadline(limit);
                }
                uint eip = _cpu->Eip;
                CachedBlock block;
                if (_unspecializedNext)
                {
                    // After BlockExit.Slow: this instruction runs from a translation without assumptions.
                    _unspecializedNext = false;
                    block = Find(eip, _mode with { Unspecialized = true });
                }
                else block = Cache.LookupFast(eip, _modeKey) ?? Find(eip, _mode);
                block.Executions++;
                ulong before = _cpu->Retired;
                CompiledBlock code = block.Code;
                if (ctx->ChainTable != null && code.ChainEntry != 0 && block.ModeKey == _modeKey) Cache.Chain.Publish(eip, code);
                // The tiering quantum brings loops back so they can be promoted; a unit at the top
                // tier has nowhere to go, and coming back would only make the dispatcher re-enter
                // its loop mid-way, in a new region that is compiled all over again.
                bool topTier = tiering is not null && block.Tier == tiering.Tiers.Count - 1;
                if (topTier) _cpu->Deadline = limit;
                int exit = code.Execute(ctx);
                if (topTier) SetDeadline(limit);
                Cache.Chain.ReleaseDropped();
                if (tiering is not null)
                {
                    tiering.Account(block, (long)(_cpu->Retired - before));
                    if (tiering.HasCompleted) tiering.SwapIn();
                }
                else block.RetiredInside += (long)(_cpu->Retired - before); // exact per-block counts (profiles)
                if (exit == BlockExit.Jump) continue;
                RunResult? stop = HandleExit(exit);
                if (stop is not null) return stop;
            }
        }
        finally
        {
            Stats.Wall.Stop();
            Stats.GuestThreadCpu += ThreadCpuTime.Now - cpuAtStart;
            Stats.BlocksExecuted = Cache.Blocks.Sum(b => b.Executions);
        }
    }

    /// <summary>The next instruction count at which long-running blocks return to the dispatcher:
    /// the budget, or sooner with tiering so hot loops can be promoted while they run.</summary>
    private void SetDeadline(ulong limit)
    {
        ulong deadline = limit;
        if (Tiering is not null && ulong.MaxValue - _cpu->Retired > Tiering.Quantum)
            deadline = Math.Min(limit, _cpu->Retired + Tiering.Quantum);
        _cpu->Deadline = deadline;
    }

    private RunResult? HandleExit(int exit)
    {
        switch (exit)
        {
            case BlockExit.Hypercall:
                switch (_hypercalls.Handle())
                {
                    case HypercallOutcome.Halted:
                        return new RunResult(StopReason.Halted, ExitStatus.Halted,
                            $"guest halted at eip=0x{_cpu->Eip:x8} with nothing left to wake it");
                    case HypercallOutcome.Fault:
                        Stats.Faults++;
                        return DeliverFault((int)_cpu->FaultVector, _cpu->FaultErrorCode, _cpu->FaultHasError != 0);
                    case HypercallOutcome.ModeChanged:
                        _mode = ComputeMode();
                        _modeKey = _mode.Key;
                        Cache.Chain.Clear(); // its entries are for the old mode's units
                        break;
                }
                if (_exitPort.ExitRequested)
                    return new RunResult(StopReason.GuestExit, _exitPort.ProcessExitStatus,
                        $"guest wrote 0x{_exitPort.ExitValue:x} to the exit port");
                return null;
            case BlockExit.Fault:
                Stats.Faults++;
                return DeliverFault((int)_cpu->FaultVector, _cpu->FaultErrorCode, _cpu->FaultHasError != 0);
            case BlockExit.CodeModified:
                Stats.CodeModifiedExits++;
                return null;
            case BlockExit.Interrupted:
                return null;
            case BlockExit.Slow:
                Stats.SlowExits++;
                _unspecializedNext = true;
                return null;
            default:
                throw new InvalidOperationException($"block returned unknown exit code {exit}");
        }
    }

    private RunResult? DeliverFault(int vector, uint errorCode, bool hasError)
    {
        if (ExceptionDelivery.Deliver(_cpu, _memory, vector, errorCode, hasError, _cpu->Eip)) return null;
        return new RunResult(StopReason.TripleFault, ExitStatus.GuestCrashed,
            $"guest raised {ExceptionDelivery.Mnemonic(vector)} at eip=0x{_cpu->Eip:x8} and has no handler for it (a real CPU would triple-fault and reset)");
    }

    private CachedBlock Find(uint eip, DecodeMode mode)
    {
        uint phys = _memory.Translate(eip);
        return Cache.Lookup(eip, phys, mode.Key) ?? TranslateBlock(eip, phys, mode);
    }

    private CachedBlock TranslateBlock(uint eip, uint phys, DecodeMode mode)
    {
        TimeSpan cpu0 = ThreadCpuTime.Now;
        long t0 = Stopwatch.GetTimestamp();
        // No assumptions (so no inline x87 paths) for a lone interpreter: it runs a helper call
        // faster than the IR that replaces it. Tiered execution starts there too, but its IR goes
        // on to the compilers.
        bool specialize = !mode.Unspecialized && (Tiering is not null || !_backend.Interprets);
        int x87Top = specialize ? X87StackTracking.EntryTopOf((byte*)_cpu) : -1;
        IrBlock ir = Regions ? _regions.Translate(_codeReader, eip, mode, x87Top) : _translator.Translate(_codeReader, eip, mode, x87Top, out _);
        if (Optimize) PassPipeline.Optimize(ir);
        // One probe for nearby accesses; a refused probe leaves with BlockExit.Slow, so only a
        // translation that may leave that way gets them.
        if (Optimize && specialize) Stats.GroupedAccesses += GuestAccessGrouping.Run(ir);
        BlockTranslated?.Invoke(ir);
        long t1 = Stopwatch.GetTimestamp();
        CompiledBlock code = Tiering is not null ? Tiering.CompileFirst(ir) : _backend.Compile(ir);
        long t2 = Stopwatch.GetTimestamp();
        code.CompileTime = Stopwatch.GetElapsedTime(t1, t2);
        Stats.TranslateTime += Stopwatch.GetElapsedTime(t0, t1);
        Stats.CompileTime += code.CompileTime;
        Stats.BlockCompileMs.Add(code.CompileTime.TotalMilliseconds);
        Stats.TranslateCompileCpu += ThreadCpuTime.Now - cpu0;
        Stats.BlocksTranslated++;

        // Every physical page the unit's guest code came from (a region stays on one page; an
        // instruction may straddle into the next).
        var pageSet = new SortedSet<uint>();
        foreach (var (start, length) in ir.GuestRanges)
        {
            uint from = _memory.Translate(start) >> SoftTlbLayout.PageBits;
            uint to = _memory.Translate(start + (uint)Math.Max(length, 1) - 1) >> SoftTlbLayout.PageBits;
            pageSet.Add(from);
            pageSet.Add(to);
        }
        uint[] pages = pageSet.ToArray();
        foreach (uint p in pages) _memory.MarkCodePage(p);
        var block = new CachedBlock(eip, phys, mode.Key, pages, code, ir);
        Cache.Add(block);
        BlockCompiled?.Invoke(block);
        return block;
    }
}

/// <summary>Process exit statuses of <c>transmeta run</c>. A guest's own exit through port 0xF4
/// is always odd ((V &lt;&lt; 1) | 1, as QEMU's isa-debug-exit), so ours are even.</summary>
public static class ExitStatus
{
    public const int Halted = 0;
    public const int InstructionLimit = 2;
    public const int GuestCrashed = 4;
    public const int UsageError = 64;
    public const int BadImage = 66;
}
