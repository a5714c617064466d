namespace Transmeta.IR;

/// <summary>
/// A pure helper's computation written in IR, for backends that would rather inline it than call
/// the managed helper (<see cref="Passes.HelperInlining"/>): for native code a call into .NET
/// costs a runtime transition (tens of nanoseconds), far more than the computation itself.
/// Temporaries 0..3 are the helper's four I64 arguments (a missing argument is 0);
/// <see cref="Result"/> is the I64 result. The body is straight-line code of pure operations:
/// no guest state or memory, no calls, labels or exits, and no division (which can trap).
/// </summary>
public sealed class HelperBody
{
    public const int ParameterCount = 4;

    private HelperBody(IrInstruction[] code, IReadOnlyList<IrType> tempTypes, int result)
    {
        Code = code;
        TempTypes = tempTypes;
        Result = result;
    }

    public IReadOnlyList<IrInstruction> Code { get; }
    public IReadOnlyList<IrType> TempTypes { get; }
    public int Result { get; }

    /// <summary>Runs the body on <paramref name="args"/> with the reference arithmetic
    /// (<see cref="Passes.ConstantEvaluator"/>), for tests that check it against the helper.</summary>
    public ulong Evaluate(params ulong[] args)
    {
        var v = new ulong[TempTypes.Count];
        for (int i = 0; i < ParameterCount; i++) v[i] = i < args.Length ? args[i] : 0;
        foreach (IrInstruction ins in Code)
        {
            ulong r;
            if (ins.Op == Opcode.Const) r = ins.Type == IrType.I32 ? (uint)ins.Imm : (ulong)ins.Imm;
            else if (ins.Op == Opcode.Select) r = (uint)v[ins.A] != 0 ? v[ins.B] : v[ins.C];
            else if (ins.OperandCount == 1 ? !Passes.ConstantEvaluator.TryUnary(ins.Op, ins.Type, v[ins.A], out r)
                                           : !Passes.ConstantEvaluator.TryBinary(ins.Op, ins.Type, v[ins.A], v[ins.B], out r))
                throw new InvalidOperationException($"cannot evaluate {ins.Op}");
            v[ins.Dst] = r;
        }
        return v[Result];
    }

    /// <summary>Builds a body: <paramref name="emit"/> gets a builder and the four argument
    /// temporaries and returns the result temporary.</summary>
    public static HelperBody Build(Func<IrBuilder, int[], int> emit)
    {
        var b = new IrBuilder(new HelperTable(), default);
        int[] args = new int[ParameterCount];
        for (int i = 0; i < ParameterCount; i++) args[i] = b.Parameter(IrType.I64);
        int result = emit(b, args);
        IrBlock block = b.Finish(0);
        if (block.TempTypes[result] != IrType.I64) throw new ArgumentException("a helper body's result is I64");
        var defined = new bool[block.TempCount];
        for (int i = 0; i < ParameterCount; i++) defined[i] = true;
        foreach (ref readonly IrInstruction ins in block.Span)
        {
            if (ins.Op is not (Opcode.Const or >= Opcode.Add and <= Opcode.Bswap) || ins.Op is >= Opcode.UDiv and <= Opcode.SRem)
                throw new ArgumentException($"a helper body is straight-line pure code; it has {ins.Op}");
            for (int k = 0; k < ins.OperandCount; k++)
                if (ins.Operand(k) < 0 || !defined[ins.Operand(k)])
                    throw new ArgumentException($"a helper body uses temporary {ins.Operand(k)} before defining it");
            if (defined[ins.Dst]) throw new ArgumentException($"a helper body assigns temporary {ins.Dst} twice");
            defined[ins.Dst] = true;
        }
        if (!defined[result] || result < ParameterCount) throw new ArgumentException("a helper body must compute its result");
        return new HelperBody(block.Span.ToArray(), block.TempTypes.ToArray(), result);
    }
}
