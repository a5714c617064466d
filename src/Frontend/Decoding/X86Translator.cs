using Iced.Intel;
using Transmeta.Frontend.Helpers;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Frontend.Decoding;

/// <summary>The first instruction of a block could not be fetched (its page is not mapped).</summary>
public sealed class CodeFetchException(uint linear) : Exception($"instruction fetch from unmapped address 0x{linear:x8}")
{
    public uint Address { get; } = linear;
}

/// <summary>
/// Decodes one guest block with Iced and lifts it to IR. A block ends at an instruction that
/// transfers control or needs the VMM, before an instruction that starts on the next page (so
/// invalidating a page drops every translation that read it), or at <see cref="MaxInstructions"/>
/// or <see cref="MaxOps"/>.
/// </summary>
public sealed class X86Translator
{
    public const int MaxInstructions = 64;

    /// <summary>A block ends after the instruction that takes its IR past this many operations
    /// (before the passes). The inline x87 paths are 25-60 operations an instruction (they were
    /// 50-150 when the arithmetic was soft-float IR, before ExtArith), and an
    /// IL method past about 8,000 local references or 2,000 basic blocks is compiled by the .NET
    /// JIT without optimization (MinOpts): 30 such instructions in one block were 2.5× slower.
    /// LLVM's code generation time grows faster than linearly with the unit, too.</summary>
    public const int MaxOps = 1500;
    private const int MaxInstructionLength = 15;

    private readonly LifterTable _lifters;

    public X86Translator() : this(Lifters.AllLifters.Table) { }

    public X86Translator(LifterTable lifters) => _lifters = lifters;

    public static StateLayout Layout { get; } = new(CpuState.OffEip, CpuState.OffRetired, CpuState.OffDeadline);

    public IrBlock Translate(IGuestCodeReader code, uint eip, DecodeMode mode) => Translate(code, eip, mode, -1, out _);

    /// <summary>Translates the block at <paramref name="eip"/> assuming the x87 TOP is
    /// <paramref name="x87Top"/> there (-1: nothing assumed; see Lifting/X87StackTracking.cs);
    /// <paramref name="x87TopOut"/> is the TOP the block leaves (-1: not known).</summary>
    public IrBlock Translate(IGuestCodeReader code, uint eip, DecodeMode mode, int x87Top, out int x87TopOut)
    {
        uint pageEnd = (eip & SoftTlbLayout.PageMask) + SoftTlbLayout.PageSize;
        var bytes = new byte[(int)(pageEnd - eip) + MaxInstructionLength];
        int available = code.Read(eip, bytes);
        var decoder = Decoder.Create(mode.Bitness, new ByteArrayCodeReader(bytes, 0, available), eip);

        var builder = new IrBuilder(FrontendHelpers.Instance.Table, Layout);
        var cx = new LiftContext(builder, mode);
        cx.BeginBlock(eip, mode.Unspecialized ? -1 : x87Top);
        int count = 0;
        uint next = eip;
        while (true)
        {
            decoder.Decode(out Instruction insn);
            if (insn.IsInvalid && decoder.LastError == DecoderError.NoMoreBytes)
            {
                if (count == 0) throw new CodeFetchException(next);
                EndAt(cx, next, count);
                break;
            }
            cx.Begin(insn, count);
            LiftOne(cx, insn);
            count++;
            next = insn.NextIP32;
            if (cx.EndsBlock) break;
            // Unspecialized: the one instruction a specialized block could not run (BlockExit.Slow);
            // the next one is back in specialized code.
            if (count >= (mode.Unspecialized ? 1 : MaxInstructions) || builder.Count >= MaxOps || next >= pageEnd || next < eip)
            {
                EndAt(cx, next, count);
                break;
            }
        }
        cx.EmitStubs();
        x87TopOut = cx.X87.Top;
        IrBlock block = builder.Finish(eip);
        block.GuestInstructionCount = count;
        block.GuestByteLength = (int)(next - eip);
        block.GuestRanges.Add((eip, block.GuestByteLength));
        block.DirectExits.AddRange(cx.DirectExits);
        return block;
    }

    private void LiftOne(LiftContext cx, in Instruction insn)
    {
        int mark = cx.B.Mark;
        Lifter? lifter = insn.IsInvalid ? null : _lifters.Find(insn.Mnemonic);
        if (lifter is not null)
        {
            try
            {
                lifter(cx);
                cx.X87.AfterInstruction(insn);
                return;
            }
            catch (UnsupportedInstructionException)
            {
                cx.B.Rewind(mark);
            }
        }
        // Invalid or not implemented: #UD, as a processor without the instruction would raise.
        cx.RaiseFault(ExceptionVectors.InvalidOpcode);
        cx.EndsBlock = true;
    }

    private static void EndAt(LiftContext cx, uint next, int count)
    {
        cx.B.StoreState(CpuState.OffEip, cx.B.Const(next));
        cx.B.Exit(BlockExit.Jump, count);
        cx.DirectExits.Add((cx.B.Mark - 1, next));
    }
}
