using System.Runtime.InteropServices;

namespace Transmeta.IR;

/// <summary>
/// One IR instruction. A plain struct in an array, so interpreting and compiling a block walks
/// contiguous memory and allocates nothing. Operand fields hold temporary numbers (-1 = none).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct IrInstruction
{
    public Opcode Op;
    public IrType Type;
    /// <summary>Access size in bytes for Load/Store/HostLoad/HostStore.</summary>
    public byte Size;
    public int Dst;
    public int A, B, C, D;
    /// <summary>Constant value, state offset, guest address or exit code, by opcode.</summary>
    public long Imm;
    /// <summary>Label id, helper id, or retired-instruction count, by opcode.</summary>
    public int Aux;

    public readonly bool HasDst => Dst >= 0;

    /// <summary>True for instructions that may leave the block abnormally (a guest fault), which
    /// makes guest state observable at that point.</summary>
    public readonly bool MayFault(HelperTable helpers) =>
        Op is Opcode.Load or Opcode.Store || (Op == Opcode.CallHelper && helpers[Aux].MayFault);

    /// <summary>Instructions with an effect besides defining Dst; never removed as dead code.</summary>
    public readonly bool HasSideEffect =>
        Op is Opcode.StoreState or Opcode.ExtRaise or Opcode.ExtSetRoundedUp or Opcode.Store or Opcode.Load or Opcode.HostStore
            or Opcode.CallHelper or Opcode.InsnStart
            or Opcode.Label or Opcode.Jump or Opcode.BranchIf or Opcode.Exit;

    public readonly bool IsTerminator => Op is Opcode.Jump or Opcode.Exit;

    /// <summary>How many operand fields (A, B, C, D in order) this instruction reads; unused
    /// helper arguments are -1.</summary>
    public readonly int OperandCount => Op switch
    {
        Opcode.Const or Opcode.LoadState or Opcode.InsnStart or Opcode.Label or Opcode.Jump or Opcode.Exit => 0,
        Opcode.StoreState or Opcode.Load or Opcode.Not or Opcode.Neg or Opcode.Sext8 or Opcode.Sext16
            or Opcode.ZextTo64 or Opcode.SextTo64 or Opcode.Trunc or Opcode.Popcnt or Opcode.Ctz or Opcode.Clz
            or Opcode.Bswap or Opcode.BranchIf or Opcode.MemProbe or Opcode.HostLoad => 1,
        Opcode.Select => 3,
        Opcode.CallHelper or Opcode.ExtArith or Opcode.ExtRaise or Opcode.ExtSetRoundedUp => 4,
        _ => 2,
    };

    public readonly int Operand(int i) => i switch { 0 => A, 1 => B, 2 => C, _ => D };

    public void SetOperand(int i, int temp)
    {
        switch (i)
        {
            case 0: A = temp; break;
            case 1: B = temp; break;
            case 2: C = temp; break;
            default: D = temp; break;
        }
    }
}
