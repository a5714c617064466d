using System.Text;

namespace Transmeta.IR;

/// <summary>A readable dump of a block, one instruction a line:
/// <c>t7:i32 = add t5, t6</c>, <c>store.4 [t3], t7</c>, <c>-- 00101234 (#3)</c>.</summary>
public static class IrPrinter
{
    public static string Print(IrBlock block, Func<int, string>? stateName = null)
    {
        var sb = new StringBuilder();
        sb.Append($"block {block.Name}: {block.GuestInstructionCount} guest instructions, {block.Count} ops, {block.TempCount} temps\n");
        foreach (ref readonly IrInstruction ins in block.Span)
        {
            sb.Append(Format(ins, block.Helpers, stateName));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string Format(in IrInstruction ins, HelperTable helpers, Func<int, string>? stateName = null)
    {
        string T(int t) => t < 0 ? "_" : $"t{t}";
        string St(long off) => stateName?.Invoke((int)off) ?? $"state+{off}";
        string ty = ins.Type == IrType.I32 ? "i32" : "i64";
        string def = ins.HasDst ? $"  {T(ins.Dst)} = " : "  ";
        string op = ins.Op.ToString().ToLowerInvariant();
        return ins.Op switch
        {
            Opcode.Const => $"{def}const.{ty} 0x{(ins.Type == IrType.I32 ? (uint)ins.Imm : (ulong)ins.Imm):x}",
            Opcode.LoadState => $"{def}ld.{ty} {St(ins.Imm)}",
            Opcode.StoreState => $"  st.{ty} {St(ins.Imm)}, {T(ins.A)}",
            Opcode.Load => $"{def}load.{ins.Size} [{T(ins.A)}]",
            Opcode.Store => $"  store.{ins.Size} [{T(ins.A)}], {T(ins.B)}",
            Opcode.MemProbe => $"{def}memprobe.{((ProbeRights)ins.Aux).ToString().ToLowerInvariant().Replace(", ", "+")} [{T(ins.A)}], {ins.Imm}",
            Opcode.HostLoad => $"{def}hostload.{ins.Size} [{T(ins.A)}+{ins.Imm}]",
            Opcode.HostStore => $"  hoststore.{ins.Size} [{T(ins.A)}+{ins.Imm}], {T(ins.B)}",
            Opcode.Select => $"{def}select {T(ins.A)} ? {T(ins.B)} : {T(ins.C)}",
            Opcode.ExtArith => $"{def}ext.{((ExtOp)ins.Imm).ToString().ToLowerInvariant()}.{((ExtPart)ins.Aux).ToString().ToLowerInvariant()} {T(ins.A)}:{T(ins.B)}, {T(ins.C)}:{T(ins.D)}",
            Opcode.ExtRaise or Opcode.ExtSetRoundedUp =>
                $"{def}{(ins.Op == Opcode.ExtRaise ? "ext.raise" : "ext.setroundedup")}.{((ExtOp)ins.Aux).ToString().ToLowerInvariant()} [state+0x{ins.Imm:x}] {T(ins.A)}:{T(ins.B)}, {T(ins.C)}:{T(ins.D)}",
            Opcode.CallHelper => $"{def}call {helpers[ins.Aux].Name}({T(ins.A)}, {T(ins.B)}, {T(ins.C)}, {T(ins.D)})",
            Opcode.InsnStart => $"-- {(uint)ins.Imm:x8} (#{ins.Aux})",
            Opcode.Label => $"L{ins.Aux}:",
            Opcode.Jump => $"  jump L{ins.Aux}",
            Opcode.BranchIf => $"  if {T(ins.A)} jump L{ins.Aux}",
            Opcode.Exit => $"  exit {ins.Imm} (retired +{ins.Aux})",
            _ => ins.OperandCount == 1
                ? $"{def}{op}.{ty} {T(ins.A)}"
                : $"{def}{op}.{ty} {T(ins.A)}, {T(ins.B)}",
        };
    }
}
