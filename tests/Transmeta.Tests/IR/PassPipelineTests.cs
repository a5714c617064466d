using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;
using Xunit.Abstractions;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

public class PassPipelineTests(ITestOutputHelper output)
{
    // Lazy-flag fields and registers of an x86-like guest, for the sample below.
    private const int CcOp = 40, CcRes = 44, CcSrc1 = 48, CcSrc2 = 52, Regs = 64;

    /// <summary>Ten ALU instructions (reg = reg op reg) as an x86 frontend lifts them: load both
    /// registers, compute, store the result and the four lazy-flag fields.</summary>
    private static IrBlock AluSample()
    {
        var b = Builder();
        (Opcode Op, int Dst, int Src)[] insns =
        [
            (Opcode.Add, 0, 1), (Opcode.Sub, 2, 0), (Opcode.Xor, 3, 1), (Opcode.And, 1, 2), (Opcode.Or, 0, 3),
            (Opcode.Add, 2, 2), (Opcode.Sub, 1, 0), (Opcode.Add, 3, 1), (Opcode.Xor, 0, 2), (Opcode.Sub, 2, 3),
        ];
        uint pc = 0x1000;
        for (int i = 0; i < insns.Length; i++)
        {
            var (op, dst, src) = insns[i];
            b.InsnStart(pc, i);
            int x = b.LoadState(Regs + 4 * dst), y = b.LoadState(Regs + 4 * src);
            int r = b.Binary(op, x, y);
            b.StoreState(Regs + 4 * dst, r);
            b.StoreState(CcOp, b.Const(10 + (int)op));
            b.StoreState(CcRes, r);
            b.StoreState(CcSrc1, x);
            b.StoreState(CcSrc2, y);
            pc += 2;
        }
        b.StoreState(0, b.Const(pc));
        b.Exit(BlockExit.Jump, insns.Length);
        IrBlock block = b.Finish(0x1000);
        block.GuestInstructionCount = insns.Length;
        return block;
    }

    [Fact]
    public void DeadLazyFlagsAreNotComputed()
    {
        IrBlock block = AluSample();
        IrBlock original = Clone(block);
        var stats = new PassStatistics();
        PassPipeline.Optimize(block, stats, verify: true);
        output.WriteLine(IrPrinter.Print(original));
        output.WriteLine(IrPrinter.Print(block));
        output.WriteLine(stats.ToString());

        // 103 ops in: 10 × (insn start, 2 loads, op, register store, const, 4 flag stores) + 3.
        // Out: the 10 insn starts and ops stay; 4 loads (each register's first read) of 20; the
        // last store of each of the 4 registers; the last instruction's flags (const + 4 stores).
        Assert.Equal(103, original.Count);
        Assert.Equal(36 + 6, stats.DeadStoresRemoved);  // 9 × 4 flag stores, 6 register stores
        Assert.Equal(16, stats.LoadsForwarded);
        Assert.Equal(9, stats.DeadValuesRemoved);       // the 9 dead CcOp constants
        Assert.Equal(10 + 4 + 10 + 4 + 5 + 3, block.Count);

        // Only the last flag stores remain, and the block still computes the same thing.
        string text = Ops(block);
        Assert.Single(block.Span.ToArray(), i => i.Op == Opcode.StoreState && i.Imm == CcSrc1);
        var rng = new Random(5);
        var state = new byte[StateSize];
        rng.NextBytes(state);
        RunResult expect = Run(original, state, new byte[MemorySize]), got = Run(block, state, new byte[MemorySize]);
        expect.AssertSame(got, text);
    }

    [Fact]
    public void RandomBlocksComputeTheSameBeforeAndAfterOptimization()
    {
        var total = new PassStatistics();
        int exits = 0, faults = 0, modified = 0;
        for (int seed = 0; seed < 1500; seed++)
        {
            IrBlock original = new RandomBlockGenerator(seed).Generate(10 + seed % 50);
            IrVerifier.Verify(original);
            IrBlock optimized = Clone(original);
            PassPipeline.Optimize(optimized, total, verify: true);

            var rng = new Random(seed * 7919);
            for (int run = 0; run < 3; run++)
            {
                var state = new byte[StateSize];
                var memory = new byte[MemorySize];
                rng.NextBytes(state);
                rng.NextBytes(memory);
                RunResult expect = Run(original, state, memory);
                RunResult got = RunBounded(optimized, state, memory);
                expect.AssertSame(got, $"seed {seed}, run {run}\n{IrPrinter.Print(original)}\n{IrPrinter.Print(optimized)}");
                switch (expect.Exit)
                {
                    case BlockExit.Fault: faults++; break;
                    case BlockExit.CodeModified: modified++; break;
                    default: exits++; break;
                }
            }
        }
        output.WriteLine(total.ToString());
        output.WriteLine($"exits {exits}, faults {faults}, code modified {modified}");
        // The generator must reach every kind of ending, and the passes must do something.
        Assert.True(exits > 100 && faults > 100 && modified > 50, $"exits {exits}, faults {faults}, code modified {modified}");
        Assert.True(total.ConstantsFolded > 0 && total.IdentitiesSimplified > 0 && total.BranchesFolded > 0
            && total.HelpersFolded > 0 && total.LoadsForwarded > 0 && total.RedundantStoresRemoved > 0
            && total.DeadStoresRemoved > 0 && total.DeadValuesRemoved > 0 && total.UnreachableRemoved > 0
            && total.ControlRemoved > 0, total.ToString());
    }

    [Fact]
    public void AConvergedBlockIsAFixedPoint()
    {
        int converged = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            IrBlock block = new RandomBlockGenerator(seed).Generate(30);
            var stats = new PassStatistics();
            PassPipeline.Optimize(block, stats, verify: true);
            string once = Ops(block);
            PassPipeline.Optimize(block, null, verify: true);
            // A run that stopped before the round limit found nothing more to do: running the
            // pipeline again must not change the block.
            if (stats.Rounds < PassPipeline.MaxRounds)
            {
                converged++;
                Assert.Equal(once, Ops(block));
            }
        }
        Assert.True(converged > 250, $"{converged} of 300 converged");
    }

    [Fact]
    public void VerificationNamesWhereTheBlockWasBroken()
    {
        IrBlock bad = new(0x1000,
            [new IrInstruction { Op = Opcode.Const, Type = IrType.I32, Dst = 0, A = -1, B = -1, C = -1, D = -1 }],
            1, [IrType.I32], 0, Helpers(), Layout);
        var e = Assert.Throws<IrVerificationException>(() => PassPipeline.Optimize(bad, null, verify: true));
        Assert.StartsWith("after input (before any pass):", e.Message);
    }

    [Fact]
    public void StatisticsAddUp()
    {
        var a = new PassStatistics();
        PassPipeline.Optimize(AluSample(), a, verify: false);
        var sum = new PassStatistics();
        sum.Add(a);
        sum.Add(a);
        Assert.Equal(2, sum.Blocks);
        Assert.Equal(2 * a.InstructionsRemoved, sum.InstructionsRemoved);
        Assert.Equal(36, a.InstructionsOut);
    }
}
