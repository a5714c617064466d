using Transmeta.Vmm.Execution;

namespace Transmeta.Vmm.Profiling;

/// <summary>
/// Collects the profile of a run from the dispatcher's exact per-block counters: every block the
/// engine translates is remembered (so blocks dropped by self-modifying code still count), and
/// at the end the blocks are ranked by guest instructions retired inside them.
/// </summary>
public sealed unsafe class BlockProfiler
{
    private readonly List<CachedBlock> _blocks = new();
    private readonly HashSet<CachedBlock> _seen = new(ReferenceEqualityComparer.Instance);

    /// <summary>Starts recording the blocks <paramref name="engine"/> translates.</summary>
    /// <param name="exactCounts">Per-unit execution and instruction counts must be exact: turns
    /// unit chaining off, so every unit is entered through the dispatcher (a perf map or a
    /// code-size survey does not need that).</param>
    public void Attach(ExecutionEngine engine, bool exactCounts = true)
    {
        if (exactCounts) engine.Chaining = false;
        Action<CachedBlock>? previous = engine.BlockCompiled;
        engine.BlockCompiled = b =>
        {
            previous?.Invoke(b);
            Record(b);
        };
    }

    public void Record(CachedBlock block)
    {
        if (_seen.Add(block)) _blocks.Add(block);
    }

    /// <summary>Every block recorded (plus any in <paramref name="cache"/> not seen through the hook).</summary>
    public IReadOnlyList<CachedBlock> AllBlocks(TranslationCache? cache = null)
    {
        if (cache is not null)
            foreach (CachedBlock b in cache.Blocks) Record(b);
        return _blocks;
    }

    /// <summary>Guest instructions retired inside a block: exact when the dispatcher accounts them
    /// (<see cref="CachedBlock.RetiredInside"/>), else executions × body length.</summary>
    public static long InstructionsOf(CachedBlock b) =>
        b.RetiredInside > 0 ? b.RetiredInside : b.Executions * b.GuestInstructions;

    public ProfileReport Build(Machine machine, string image, string backend, SymbolMap symbols, string symbolSource)
    {
        var engine = machine.Engine;
        var stats = machine.Stats;
        IReadOnlyList<CachedBlock> blocks = AllBlocks(engine.Cache);
        ulong total = machine.Cpu->Retired;
        long sumInsns = blocks.Sum(InstructionsOf);
        double denom = Math.Max(1, Math.Max((double)total, sumInsns));
        var rows = blocks
            .Where(b => b.Executions > 0)
            .Select(b => (Block: b, Shape: UnitShape.Of(b.Ir)))
            .Select(p => (b: p.Block, p.Shape))
            .Select(p => new BlockProfile
            {
                Name = p.b.Ir.Name,
                Address = p.b.LinearAddress,
                PhysicalAddress = p.b.PhysicalAddress,
                Symbol = symbols.Describe(p.b.LinearAddress),
                Executions = p.b.Executions,
                GuestInstructions = InstructionsOf(p.b),
                BlockInstructions = p.Shape.Instructions,
                GuestBytes = p.Shape.Bytes,
                RegionBlocks = p.b.Ir.RegionBlocks,
                GuestRanges = p.b.Ir.GuestRanges.Select(r => new GuestRange(r.Start, r.Length)).ToList(),
                InstructionShare = InstructionsOf(p.b) / denom,
                Tier = p.b.Code.Tier,
                CompileMs = p.b.Code.CompileTime.TotalMilliseconds,
                NativeBytes = p.b.Code.NativeCodeBytes,
                Invalidated = p.b.Invalid,
            })
            .OrderByDescending(r => r.GuestInstructions).ThenByDescending(r => r.Executions).ThenBy(r => r.Address)
            .ToList();

        long hypercalls = stats.Hypercalls.Sum(h => h.Count);
        long dispatches = blocks.Sum(b => b.Executions);
        return new ProfileReport
        {
            Image = image,
            Backend = backend,
            WallSeconds = stats.Wall.Elapsed.TotalSeconds,
            GuestInstructions = total,
            BlocksTranslated = stats.BlocksTranslated,
            BlocksInvalidated = engine.Cache.BlocksInvalidated,
            Dispatches = dispatches,
            TranslateMs = stats.TranslateTime.TotalMilliseconds,
            CompileMs = stats.CompileTime.TotalMilliseconds,
            SymbolSource = symbolSource,
            Blocks = rows,
            Exits =
            [
                new NamedCount("block dispatches", dispatches),
                new NamedCount("translations (cache misses)", engine.Cache.Misses),
                new NamedCount("hypercalls", hypercalls),
                new NamedCount("faults delivered", stats.Faults),
                new NamedCount("self-modifying-code exits", stats.CodeModifiedExits),
            ],
            Hypercalls = stats.Hypercalls.Select(h => new NamedCount(h.Kind.ToString(), h.Count)).ToList(),
        };
    }

    /// <summary>Merges sampler results into the report: time shares per block.</summary>
    public static void AddSamples(ProfileReport report, SampleResult samples)
    {
        report.Sampling = samples;
        long blockSamples = Math.Max(1, samples.Samples);
        foreach (BlockProfile b in report.Blocks)
        {
            samples.Blocks.TryGetValue(b.Address.ToString("x8"), out long n);
            b.Samples = n;
            b.TimeShare = (double)n / blockSamples;
        }
        // Name the guest blocks in the sampled stacks as the counters' profile does.
        var names = report.Blocks.GroupBy(b => b.Name).ToDictionary(g => g.Key, g => ProfileWriters.BlockFrame(g.First()));
        samples.Stacks = samples.Stacks
            .GroupBy(p => string.Join(';', p.Key.Split(';').Select(f => names.GetValueOrDefault(f, f))))
            .ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
    }
}
