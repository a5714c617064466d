using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

public class IrVerifierTests
{
    private static IrInstruction I(Opcode op, int dst = -1, int a = -1, int b = -1, long imm = 0, int aux = 0) =>
        new() { Op = op, Type = IrType.I32, Dst = dst, A = a, B = b, C = -1, D = -1, Imm = imm, Aux = aux };

    private static IrBlock Make(int temps, int labels, params IrInstruction[] code) =>
        new(0x1000, code, code.Length, Enumerable.Repeat(IrType.I32, temps).ToList(), labels, Helpers(), Layout);

    private static string Fails(IrBlock block) => Assert.Throws<IrVerificationException>(() => IrVerifier.Verify(block)).Message;

    [Fact]
    public void AcceptsAValidBlock()
    {
        IrVerifier.Verify(Make(2, 1,
            I(Opcode.Const, dst: 0, imm: 1),
            I(Opcode.Label, aux: 0),
            I(Opcode.Add, dst: 1, a: 0, b: 0),
            I(Opcode.BranchIf, a: 1, aux: 0),
            I(Opcode.Exit)));
    }

    [Fact]
    public void CatchesUseBeforeDefinition()
    {
        string msg = Fails(Make(2, 0,
            I(Opcode.Add, dst: 1, a: 0, b: 0),
            I(Opcode.Const, dst: 0, imm: 1),
            I(Opcode.Exit)));
        Assert.Contains("t0 used before it is defined", msg);
    }

    [Fact]
    public void CatchesDoubleDefinition()
    {
        string msg = Fails(Make(1, 0,
            I(Opcode.Const, dst: 0, imm: 1),
            I(Opcode.Const, dst: 0, imm: 2),
            I(Opcode.Exit)));
        Assert.Contains("t0 defined twice", msg);
    }

    [Fact]
    public void CatchesAJumpToAnUndefinedLabel()
    {
        string msg = Fails(Make(0, 2,
            I(Opcode.Label, aux: 0),
            I(Opcode.Jump, aux: 1)));
        Assert.Contains("undefined label L1", msg);
    }

    [Fact]
    public void CatchesAMissingTerminator()
    {
        string msg = Fails(Make(1, 0,
            I(Opcode.Const, dst: 0, imm: 1),
            I(Opcode.StoreState, a: 0, imm: 16)));
        Assert.Contains("does not end with exit or jump", msg);
        Assert.Contains("does not end with exit or jump", Fails(Make(0, 0)));
    }
}
