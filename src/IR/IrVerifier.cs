namespace Transmeta.IR;

/// <summary>Thrown when a block breaks an IR rule: a bug in a frontend or a pass.</summary>
public sealed class IrVerificationException(string message) : Exception(message);

/// <summary>
/// Checks the rules every backend relies on: each temporary is defined once and before it is
/// used (in instruction order), operand types match the operation, labels are defined once and
/// every jump has a target, memory sizes are 1, 2, 4 or 8, a host access stays inside the range
/// its probe checked, and the block cannot fall off its end.
/// </summary>
public static class IrVerifier
{
    /// <summary>The longest range one <see cref="Opcode.MemProbe"/> checks: at most two pages.</summary>
    public const long MaxProbeLength = 4096;

    public static void Verify(IrBlock block)
    {
        var defined = new bool[block.TempCount];
        var labels = new bool[block.LabelCount];
        var types = block.TempTypes;
        var probedLength = new Dictionary<int, long>(); // MemProbe result → its range
        var zeros = new HashSet<int>(); // constant-0 temps
        ReadOnlySpan<IrInstruction> code = block.Span;
        for (int i = 0; i < code.Length; i++)
        {
            IrInstruction ins = code[i];
            void Fail(string why) => throw new IrVerificationException(
                $"{block.Name} op {i} ({IrPrinter.Format(ins, block.Helpers).Trim()}): {why}");

            for (int k = 0; k < ins.OperandCount; k++)
            {
                int t = ins.Operand(k);
                if (t < 0)
                {
                    if (ins.Op != Opcode.CallHelper) Fail($"operand {k} missing");
                    continue;
                }
                if (t >= defined.Length || !defined[t]) Fail($"t{t} used before it is defined");
            }
            switch (ins.Op)
            {
                case Opcode.Load or Opcode.Store or Opcode.HostLoad or Opcode.HostStore when ins.Size is not (1 or 2 or 4 or 8)
                    || ins.Type != (ins.Size == 8 ? IrType.I64 : IrType.I32)
                    || (ins.Op is Opcode.Store or Opcode.HostStore && types[ins.B] != ins.Type):
                    Fail("memory access: 1, 2 or 4 bytes as i32, or 8 as i64"); break;
                case Opcode.Load or Opcode.Store or Opcode.MemProbe when types[ins.A] != IrType.I32:
                    Fail("address must be i32"); break;
                case Opcode.MemProbe when ins.Type != IrType.I64 || ins.Imm is < 1 or > MaxProbeLength
                    || ins.Aux is < 1 or > (int)(ProbeRights.Read | ProbeRights.Write):
                    Fail($"memprobe: i64, 1 to {MaxProbeLength} bytes, read and/or write"); break;
                case Opcode.MemProbe when !LeavesWhenZero(code, i, zeros):
                    Fail("memprobe must be followed by a branch away when its result is 0"); break;
                case Opcode.MemProbe:
                    probedLength[ins.Dst] = ins.Imm; break;
                case Opcode.Const when ins.Imm == 0:
                    zeros.Add(ins.Dst); break;
                case Opcode.HostLoad or Opcode.HostStore
                    when !probedLength.TryGetValue(ins.A, out long length) || ins.Imm < 0 || ins.Imm + ins.Size > length:
                    Fail("host access outside the range of a memprobe result"); break;
                case Opcode.Shl or Opcode.Shr or Opcode.Sar when types[ins.B] != IrType.I32:
                    Fail("shift count must be i32"); break;
                case Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.And or Opcode.Or or Opcode.Xor
                    or Opcode.UDiv or Opcode.SDiv or Opcode.URem or Opcode.SRem
                    or Opcode.Eq or Opcode.Ne or Opcode.ULt or Opcode.ULe or Opcode.SLt or Opcode.SLe
                    when types[ins.A] != types[ins.B] || types[ins.A] != ins.Type:
                    Fail("operand types differ"); break;
                case Opcode.ExtArith when !ExtOperandTypes(types, ins)
                    || ins.Type != (ins.Aux == (int)ExtPart.Significand ? IrType.I64 : IrType.I32)
                    || (ulong)ins.Imm > (ulong)ExtOp.ToSingle || (uint)ins.Aux > (uint)ExtPart.SignExp:
                    Fail("extarith operands: i64, i32, i64, i32; result type by part"); break;
                case Opcode.ExtRaise or Opcode.ExtSetRoundedUp when !ExtOperandTypes(types, ins) || (uint)ins.Aux > (uint)ExtOp.ToSingle:
                    Fail("extraise/extsetroundedup operands: i64, i32, i64, i32"); break;
                case Opcode.Select when types[ins.B] != types[ins.C] || types[ins.A] != IrType.I32:
                    Fail("select operand types"); break;
                case Opcode.ZextTo64 or Opcode.SextTo64 or Opcode.Sext8 or Opcode.Sext16 or Opcode.Popcnt
                    or Opcode.Ctz or Opcode.Clz or Opcode.Bswap when types[ins.A] != IrType.I32:
                    Fail("operand must be i32"); break;
                case Opcode.Trunc when types[ins.A] != IrType.I64:
                    Fail("trunc operand must be i64"); break;
                case Opcode.BranchIf when types[ins.A] != IrType.I32:
                    Fail("condition must be i32"); break;
                case Opcode.Label:
                    if (ins.Aux < 0 || ins.Aux >= labels.Length || labels[ins.Aux]) Fail("label defined twice or out of range");
                    labels[ins.Aux] = true;
                    break;
                case Opcode.CallHelper when ins.Aux < 0 || ins.Aux >= block.Helpers.Count:
                    Fail("unknown helper"); break;
            }
            if (ins.HasDst)
            {
                if (ins.Dst >= defined.Length || defined[ins.Dst]) Fail($"t{ins.Dst} defined twice");
                defined[ins.Dst] = true;
            }
        }
        VerifyRaisesFollowTheirOperations(block);
        foreach (ref readonly IrInstruction ins in code)
            if (ins.Op is Opcode.Jump or Opcode.BranchIf && (ins.Aux < 0 || ins.Aux >= labels.Length || !labels[ins.Aux]))
                throw new IrVerificationException($"{block.Name}: jump to undefined label L{ins.Aux}");
        if (code.Length == 0 || !code[^1].IsTerminator)
            throw new IrVerificationException($"{block.Name}: block does not end with exit or jump");
    }

    /// <summary>The probe at <paramref name="i"/> is followed by <c>z = eq.i64 probe, 0</c> and
    /// <c>if z jump</c>: a host access after it runs only with a nonzero address.</summary>
    private static bool LeavesWhenZero(ReadOnlySpan<IrInstruction> code, int i, HashSet<int> zeros) =>
        i + 2 < code.Length
        && code[i + 1] is { Op: Opcode.Eq, Type: IrType.I64 } test
        && ((test.A == code[i].Dst && zeros.Contains(test.B)) || (test.B == code[i].Dst && zeros.Contains(test.A)))
        && code[i + 2].Op == Opcode.BranchIf && code[i + 2].A == test.Dst;

    /// <summary>Nothing that may leave the block between an operation's first ExtArith part and
    /// its ExtRaise (<see cref="Opcode.ExtRaise"/>).</summary>
    private static void VerifyRaisesFollowTheirOperations(IrBlock block)
    {
        ReadOnlySpan<IrInstruction> code = block.Span;
        var open = new Dictionary<(long Op, int A, int B, int C, int D), int>();
        for (int i = 0; i < code.Length; i++)
        {
            ref readonly IrInstruction ins = ref code[i];
            if (ins.Op == Opcode.ExtArith) open.TryAdd((ins.Imm, ins.A, ins.B, ins.C, ins.D), i);
            else if (ins.Op == Opcode.ExtRaise && open.Remove((ins.Aux, ins.A, ins.B, ins.C, ins.D), out int from))
            {
                for (int j = from + 1; j < i; j++)
                    if (MayLeave(code[j], block.Helpers))
                        throw new IrVerificationException(
                            $"{block.Name} op {j} ({IrPrinter.Format(code[j], block.Helpers).Trim()}): may leave between op {from} and its raise at op {i}");
            }
        }
    }

    private static bool MayLeave(in IrInstruction ins, HelperTable helpers) =>
        ins.MayFault(helpers) || ins.Op is Opcode.Label or Opcode.Jump or Opcode.BranchIf or Opcode.Exit
        || (ins.Op == Opcode.CallHelper && helpers[ins.Aux].TouchesState);

    /// <summary>ExtArith/ExtRaise operands: significand I64, sign/exponent I32, twice (unary
    /// operations repeat the first operand).</summary>
    private static bool ExtOperandTypes(List<IrType> types, in IrInstruction ins) =>
        types[ins.A] == IrType.I64 && types[ins.B] == IrType.I32 && types[ins.C] == IrType.I64 && types[ins.D] == IrType.I32;
}
