using System.Numerics;
using System.Runtime.CompilerServices;
using Transmeta.IR;
using Transmeta.IR.Passes;

namespace Transmeta.Backend.Interp;

/// <summary>
/// Tier 0: executes IR directly. "Compiling" only resolves labels to instruction indexes once,
/// so a block is decoded and lifted once and then interpreted from its cached IR; running it
/// allocates nothing (temporaries live on the stack). This is the baseline the compilers are
/// measured against, so it is kept honest: no per-instruction allocation, no dictionary lookups.
/// </summary>
public sealed class IrInterpreter : IBlockCompiler
{
    /// <summary>An x87 FADD inline was about 130 IR operations when this was measured (soft-float
    /// IR, before ExtArith); interpreted one at a time that was several times slower than the
    /// helper call it replaces. Not measured again since the inline paths shrank to 25-60.</summary>
    public bool Interprets => true;

    public string Name => "interp";

    public CompiledBlock Compile(IrBlock block) => new InterpretedBlock(block);
}

internal sealed unsafe class InterpretedBlock : CompiledBlock
{
    private readonly IrInstruction[] _code;
    private readonly int _count;
    private readonly int[] _labelTargets;
    private readonly int _temps;
    private readonly StateLayout _layout;
    private readonly HelperTable _helpers;

    public InterpretedBlock(IrBlock block) : base(block)
    {
        _code = block.Instructions;
        _count = block.Count;
        _temps = Math.Max(1, block.TempCount);
        _layout = block.Layout;
        _helpers = block.Helpers;
        _labelTargets = new int[block.LabelCount];
        for (int i = 0; i < _count; i++)
            if (_code[i].Op == Opcode.Label) _labelTargets[_code[i].Aux] = i;
    }

    public override string Tier => "interp";

    [SkipLocalsInit]
    public override int Execute(RuntimeContext* ctx)
    {
        ulong* t = stackalloc ulong[_temps];
        byte* state = ctx->State;
        IrInstruction[] code = _code;
        uint insnPc = 0;
        int insnRetired = 0;
        bool storedInInsn = false;
        int pc = 0;
        while (true)
        {
            ref IrInstruction ins = ref code[pc++];
            switch (ins.Op)
            {
                case Opcode.Const: t[ins.Dst] = (ulong)ins.Imm; break;
                case Opcode.LoadState:
                    t[ins.Dst] = ins.Type == IrType.I32 ? *(uint*)(state + ins.Imm) : *(ulong*)(state + ins.Imm);
                    break;
                case Opcode.StoreState:
                    if (ins.Type == IrType.I32) *(uint*)(state + ins.Imm) = (uint)t[ins.A];
                    else *(ulong*)(state + ins.Imm) = t[ins.A];
                    break;
                case Opcode.Load:
                    t[ins.Dst] = ins.Size == 8 ? GuestMemoryAccess.Read64(ctx, (uint)t[ins.A]) : GuestMemoryAccess.Read(ctx, (uint)t[ins.A], ins.Size);
                    if (ctx->Status == RuntimeContext.StatusFault) return LeaveAtFault(ctx, state, insnPc, insnRetired);
                    break;
                case Opcode.Store:
                    if (ins.Size == 8) GuestMemoryAccess.Write64(ctx, (uint)t[ins.A], t[ins.B]);
                    else GuestMemoryAccess.Write(ctx, (uint)t[ins.A], ins.Size, (uint)t[ins.B]);
                    if (ctx->Status != RuntimeContext.StatusOk)
                    {
                        if (ctx->Status == RuntimeContext.StatusFault) return LeaveAtFault(ctx, state, insnPc, insnRetired);
                        storedInInsn = true;
                    }
                    break;
                case Opcode.MemProbe:
                    t[ins.Dst] = (ulong)GuestMemoryAccess.Probe(ctx, (uint)t[ins.A], (uint)ins.Imm, ins.Aux);
                    break;
                case Opcode.HostLoad:
                {
                    byte* p = (byte*)(nint)t[ins.A] + ins.Imm;
                    t[ins.Dst] = ins.Size switch
                    {
                        1 => *p, 2 => Unsafe.ReadUnaligned<ushort>(p), 4 => Unsafe.ReadUnaligned<uint>(p), _ => Unsafe.ReadUnaligned<ulong>(p),
                    };
                    break;
                }
                case Opcode.HostStore:
                {
                    byte* p = (byte*)(nint)t[ins.A] + ins.Imm;
                    switch (ins.Size)
                    {
                        case 1: *p = (byte)t[ins.B]; break;
                        case 2: Unsafe.WriteUnaligned(p, (ushort)t[ins.B]); break;
                        case 4: Unsafe.WriteUnaligned(p, (uint)t[ins.B]); break;
                        default: Unsafe.WriteUnaligned(p, t[ins.B]); break;
                    }
                    break;
                }
                case Opcode.Add: t[ins.Dst] = Norm(ins.Type, t[ins.A] + t[ins.B]); break;
                case Opcode.Sub: t[ins.Dst] = Norm(ins.Type, t[ins.A] - t[ins.B]); break;
                case Opcode.Mul: t[ins.Dst] = Norm(ins.Type, t[ins.A] * t[ins.B]); break;
                case Opcode.And: t[ins.Dst] = t[ins.A] & t[ins.B]; break;
                case Opcode.Or: t[ins.Dst] = t[ins.A] | t[ins.B]; break;
                case Opcode.Xor: t[ins.Dst] = t[ins.A] ^ t[ins.B]; break;
                case Opcode.Shl: t[ins.Dst] = Norm(ins.Type, t[ins.A] << (int)t[ins.B]); break;
                case Opcode.Shr: t[ins.Dst] = t[ins.A] >> (int)t[ins.B]; break;
                case Opcode.Sar:
                    t[ins.Dst] = ins.Type == IrType.I32
                        ? (uint)((int)(uint)t[ins.A] >> (int)t[ins.B])
                        : (ulong)((long)t[ins.A] >> (int)t[ins.B]);
                    break;
                case Opcode.UDiv: t[ins.Dst] = t[ins.A] / t[ins.B]; break;
                case Opcode.URem: t[ins.Dst] = t[ins.A] % t[ins.B]; break;
                case Opcode.SDiv: t[ins.Dst] = ConstantEvaluator.SignedDivide(ins.Type, t[ins.A], t[ins.B], remainder: false); break;
                case Opcode.SRem: t[ins.Dst] = ConstantEvaluator.SignedDivide(ins.Type, t[ins.A], t[ins.B], remainder: true); break;
                case Opcode.Not: t[ins.Dst] = Norm(ins.Type, ~t[ins.A]); break;
                case Opcode.Neg: t[ins.Dst] = Norm(ins.Type, 0 - t[ins.A]); break;
                case Opcode.Eq: t[ins.Dst] = t[ins.A] == t[ins.B] ? 1u : 0u; break;
                case Opcode.Ne: t[ins.Dst] = t[ins.A] != t[ins.B] ? 1u : 0u; break;
                case Opcode.ULt: t[ins.Dst] = t[ins.A] < t[ins.B] ? 1u : 0u; break;
                case Opcode.ULe: t[ins.Dst] = t[ins.A] <= t[ins.B] ? 1u : 0u; break;
                case Opcode.SLt: t[ins.Dst] = Signed(ins.Type, t[ins.A]) < Signed(ins.Type, t[ins.B]) ? 1u : 0u; break;
                case Opcode.SLe: t[ins.Dst] = Signed(ins.Type, t[ins.A]) <= Signed(ins.Type, t[ins.B]) ? 1u : 0u; break;
                case Opcode.Select: t[ins.Dst] = t[ins.A] != 0 ? t[ins.B] : t[ins.C]; break;
                case Opcode.Sext8: t[ins.Dst] = (uint)(sbyte)(byte)t[ins.A]; break;
                case Opcode.Sext16: t[ins.Dst] = (uint)(short)(ushort)t[ins.A]; break;
                case Opcode.ZextTo64: t[ins.Dst] = (uint)t[ins.A]; break;
                case Opcode.SextTo64: t[ins.Dst] = (ulong)(long)(int)(uint)t[ins.A]; break;
                case Opcode.Trunc: t[ins.Dst] = (uint)t[ins.A]; break;
                case Opcode.Popcnt: t[ins.Dst] = (ulong)BitOperations.PopCount(t[ins.A]); break;
                case Opcode.Ctz: t[ins.Dst] = (ulong)BitOperations.TrailingZeroCount((uint)t[ins.A]); break;
                case Opcode.Clz: t[ins.Dst] = (ulong)BitOperations.LeadingZeroCount((uint)t[ins.A]); break;
                case Opcode.Bswap: t[ins.Dst] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)t[ins.A]); break;
                case Opcode.CallHelper:
                {
                    HelperDescriptor h = _helpers[ins.Aux];
                    t[ins.Dst] = h.Managed(ctx, Arg(t, ins.A), Arg(t, ins.B), Arg(t, ins.C), Arg(t, ins.D));
                    if (h.MayFault && ctx->Status == RuntimeContext.StatusFault)
                        return LeaveAtFault(ctx, state, insnPc, insnRetired);
                    break;
                }
                case Opcode.InsnStart:
                    if (storedInInsn && ctx->Status == RuntimeContext.StatusCodeModified)
                    {
                        // The previous instruction overwrote translated code: stop before the next one
                        // so it is fetched again from memory.
                        ctx->Status = RuntimeContext.StatusOk;
                        *(uint*)(state + _layout.PcOffset) = (uint)ins.Imm;
                        *(ulong*)(state + _layout.RetiredOffset) += (ulong)ins.Aux;
                        return BlockExit.CodeModified;
                    }
                    insnPc = (uint)ins.Imm;
                    insnRetired = ins.Aux;
                    break;
                case Opcode.Label: break;
                case Opcode.Jump: pc = _labelTargets[ins.Aux]; break;
                case Opcode.BranchIf: if (t[ins.A] != 0) pc = _labelTargets[ins.Aux]; break;
                case Opcode.Exit:
                    *(ulong*)(state + _layout.RetiredOffset) += (ulong)ins.Aux;
                    if (ctx->Status == RuntimeContext.StatusCodeModified) ctx->Status = RuntimeContext.StatusOk;
                    return (int)ins.Imm;
                default:
                    Wide(ins, t, state);
                    break;
            }
        }
    }

    /// <summary>The extended-precision operations the x87 inline paths use, out of the main loop:
    /// its code is sensitive to size (two more cases there cost the whole interpreter 14%).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Wide(in IrInstruction ins, ulong* t, byte* state)
    {
        switch (ins.Op)
        {
            case Opcode.ExtArith:
                t[ins.Dst] = ExtendedOperation.Part((int)ins.Imm, ins.Aux, t[ins.A], t[ins.B], t[ins.C], t[ins.D]);
                break;
            case Opcode.ExtRaise:
                *(uint*)(state + ins.Imm) |= ExtendedOperation.Raised(ins.Aux, t[ins.A], t[ins.B], t[ins.C], t[ins.D]);
                break;
            case Opcode.ExtSetRoundedUp:
                *(uint*)(state + ins.Imm) = (*(uint*)(state + ins.Imm) & ~ExtendedArithmetic.RoundedUp)
                    | ExtendedOperation.RoundedUp(ins.Aux, t[ins.A], t[ins.B], t[ins.C], t[ins.D]);
                break;
            default:
                throw new InvalidOperationException($"interpreter: unknown opcode {ins.Op}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Arg(ulong* t, int temp) => temp < 0 ? 0 : t[temp];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Norm(IrType type, ulong v) => type == IrType.I32 ? (uint)v : v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Signed(IrType type, ulong v) => type == IrType.I32 ? (int)(uint)v : (long)v;

    private int LeaveAtFault(RuntimeContext* ctx, byte* state, uint insnPc, int retired)
    {
        ctx->Status = RuntimeContext.StatusOk;
        *(uint*)(state + _layout.PcOffset) = insnPc;
        *(ulong*)(state + _layout.RetiredOffset) += (ulong)retired;
        return BlockExit.Fault;
    }
}
