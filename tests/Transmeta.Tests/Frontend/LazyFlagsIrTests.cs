using Transmeta.Frontend.Flags;
using Transmeta.IR;
using Transmeta.IR.Passes;
using Xunit;

namespace Transmeta.Tests.Frontend;

/// <summary>The IR body of the lazy-flags helper (what native code inlines) computes exactly
/// what <see cref="LazyFlags.Compute"/> (what the interpreter and IL call) computes.</summary>
public sealed class LazyFlagsIrTests
{
    private static readonly HelperBody Body = LazyFlagsIr.Build();

    [Fact]
    public void BodyMatchesTheManagedHelperForEveryCcOp()
    {
        var rng = new Random(1234);
        uint[] edges = [0, 1, 0xF, 0x10, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF];
        uint Pick(uint mask) => (rng.Next(3) == 0 ? edges[rng.Next(edges.Length)] : (uint)rng.NextInt64()) & mask;
        int checkedCases = 0;
        for (uint op = 0; op < CcOp.Count; op++)
        {
            uint mask = op == CcOp.Eflags ? 0xFFFF_FFFF : CcOp.Mask(CcOp.SizeOf(op));
            for (int i = 0; i < 3000; i++)
            {
                // Operands as the lifters store them: zero-extended to the operation size; the
                // result word may carry bits above it (Compute masks it).
                uint res = i % 7 == 0 ? (uint)rng.NextInt64() : Pick(mask), src1 = Pick(mask), src2 = Pick(mask);
                uint aux = (uint)rng.Next(2);
                uint expected = LazyFlags.Compute(op, res, src1, src2, aux);
                ulong actual = Body.Evaluate(op | (ulong)aux << 32, res, src1, src2);
                if (actual != expected)
                    Assert.Fail($"op {op} res {res:x} src1 {src1:x} src2 {src2:x} aux {aux}: body {actual:x}, helper {expected:x}");
                checkedCases++;
            }
        }
        Assert.Equal(CcOp.Count * 3000, checkedCases);
    }

    [Fact]
    public void InliningReplacesTheCallAndKeepsTheRestOfTheBlock()
    {
        var helpers = new HelperTable();
        int id = helpers.Register(new HelperDescriptor { Name = "lazy_flags", Managed = null, Pure = true, Body = Body });
        var b = new IrBuilder(helpers, new StateLayout(0, 8, 16));
        int opAux = b.Const64(CcOp.Make(CcKind.Sub, 4));
        int r = b.CallHelper(id, opAux, b.Const64(0), b.Const64(5), b.Const64(5));
        b.StoreState(32, b.Unary(Opcode.Trunc, r));
        b.Exit(0, 1);
        IrBlock block = b.Finish(0x1000);
        IrBlock inlined = HelperInlining.Apply(block);
        Assert.NotSame(block, inlined);
        Assert.DoesNotContain(inlined.Span.ToArray(), ins => ins.Op == Opcode.CallHelper);
        Assert.Equal(block.Count - 1 + Body.Code.Count, inlined.Count);
        // The original block (shared with other tiers) is unchanged.
        Assert.Contains(block.Span.ToArray(), ins => ins.Op == Opcode.CallHelper);
        // Constant folding of the inlined code gives sub 5-5's flags: ZF and PF.
        PassPipeline.Optimize(inlined);
        Assert.Contains(inlined.Span.ToArray(), ins => ins.Op == Opcode.StoreState);
        IrInstruction store = inlined.Span.ToArray().First(ins => ins.Op == Opcode.StoreState);
        IrInstruction value = inlined.Span.ToArray().First(ins => ins.Dst == store.A);
        Assert.Equal(Opcode.Const, value.Op);
        Assert.Equal((long)(EflagsBits.ZF | EflagsBits.PF), value.Imm);
    }

    [Fact]
    public void BodiesMustBeStraightLinePureCode()
    {
        Assert.Throws<ArgumentException>(() => HelperBody.Build((b, a) => { b.StoreState(0, a[0]); return a[0]; }));
        Assert.Throws<ArgumentException>(() => HelperBody.Build((b, a) => b.Binary(Opcode.UDiv, a[0], a[1])));
        Assert.Throws<ArgumentException>(() => HelperBody.Build((b, a) => b.Unary(Opcode.Trunc, a[0])));
    }
}
