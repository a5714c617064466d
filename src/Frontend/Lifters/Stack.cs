using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>PUSH and POP in their general-register, memory and immediate forms (Intel SDM Vol. 2B).</summary>
public static class Stack
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Push, Push);
        table.Add(Mnemonic.Pop, Pop);
    }

    private static int PushPopSize(LiftContext cx)
    {
        int bits = cx.Insn.Code.ToOpCode().OperandSize;
        return bits == 0 ? cx.Mode.Bitness / 8 : bits / 8;
    }

    private static void Push(LiftContext cx)
    {
        int size = PushPopSize(cx);
        if (cx.Insn.Op0Kind == OpKind.Register && cx.Insn.Op0Register.IsSegmentRegister())
        {
            // PUSH Sreg with a 32-bit operand size: 4 bytes are reserved, the selector is stored
            // zero-extended (newer processors may write only 2 bytes; both satisfy the SDM).
            cx.Push(cx.ReadRegister(cx.Insn.Op0Register), size);
            return;
        }
        // PUSH ESP pushes the value ESP had before the instruction (Intel SDM Vol. 2B, PUSH).
        int value = cx.Read(0, size);
        cx.Push(value, size);
    }

    private static void Pop(LiftContext cx)
    {
        int size = PushPopSize(cx);
        if (cx.Insn.Op0Kind == OpKind.Register && cx.Insn.Op0Register.IsSegmentRegister())
        {
            // POP Sreg: read the selector (a fault here leaves everything as it was), then let the
            // VMM load the descriptor and release the stack slot only if the load succeeds.
            int selector = cx.B.And(cx.PeekStack(size), 0xFFFFu);
            cx.Hypercall(HypercallKind.LoadSegment, cx.B.Const(cx.Insn.Op0Register - Register.ES), selector, cx.B.Const(size));
            return;
        }
        int value = cx.PeekStack(size);
        if (cx.IsMemory(0))
        {
            // POP m: the address is computed with ESP already incremented (Intel SDM Vol. 2B, POP),
            // but ESP must be unchanged if the store faults: compute, restore, store, then pop.
            int esp = cx.GetReg32(4);
            cx.AdjustStack(size);
            int address = cx.MemoryAddress();
            cx.SetReg32(4, esp);
            cx.WriteMemory(size, address, value);
            cx.AdjustStack(size);
            return;
        }
        cx.AdjustStack(size);
        cx.Write(0, value);
    }
}
