using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Procedure frames and register block transfers: ENTER, LEAVE, PUSHA/PUSHAD, POPA/POPAD
/// (Intel SDM Vol. 2), with 16- and 32-bit operand sizes on 16- or 32-bit stacks.
/// Every one reads all it needs from memory, then stores, then writes registers, so a fault
/// leaves ESP and EBP unchanged and the instruction can be restarted.
/// </summary>
public static class StackFrames
{
    public static void AddTo(LifterTable table)
    {
        table.Add(Mnemonic.Enter, Enter);
        table.Add(Mnemonic.Leave, Leave);
        table.Add(Pusha, Mnemonic.Pusha, Mnemonic.Pushad);
        table.Add(Popa, Mnemonic.Popa, Mnemonic.Popad);
    }

    private static int OperandBytes(LiftContext cx)
    {
        int bits = cx.Insn.Code.ToOpCode().OperandSize;
        return bits == 0 ? cx.Mode.Bitness / 8 : bits / 8;
    }

    /// <summary>SS-relative linear address of a stack offset (wrapped to 16 bits on a 16-bit stack).</summary>
    private static int StackLinear(LiftContext cx, int offset) =>
        cx.B.Add(cx.SegmentBase(Register.SS), cx.StackSize == 4 ? offset : cx.B.And(offset, 0xFFFFu));

    private static int Minus(LiftContext cx, int value, int bytes) => bytes == 0 ? value : cx.B.Sub(value, cx.B.Const(bytes));

    private static void SetStackPointer(LiftContext cx, int value)
    {
        if (cx.StackSize == 4) cx.SetReg32(4, value);
        else cx.WriteGpr(4, 2, cx.B.And(value, 0xFFFFu));
    }

    /// <summary>ENTER imm16, imm8 (Intel SDM Vol. 2A pseudo-code): push EBP; FrameTemp = ESP;
    /// for nesting levels &gt; 1 copy level - 1 frame pointers from [EBP - k*size]; push FrameTemp
    /// if the level is nonzero; EBP = FrameTemp; ESP -= imm16. The level is imm8 mod 32.</summary>
    private static void Enter(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = OperandBytes(cx);
        int alloc = cx.Insn.Immediate16;
        int level = cx.Insn.Immediate8_2nd & 31;
        int esp = cx.GetReg32(4);
        int ebp = cx.GetReg32(5);

        // Reads first: the enclosing frame pointers, at EBP - size, EBP - 2*size, ...
        // (EBP arithmetic is 16-bit on a 16-bit stack).
        var copied = new int[Math.Max(0, level - 1)];
        for (int i = 0; i < copied.Length; i++)
            copied[i] = cx.ReadMemory(size, StackLinear(cx, Minus(cx, ebp, (i + 1) * size)));

        int frameTemp = Minus(cx, esp, size);
        if (cx.StackSize == 2) frameTemp = b.And(frameTemp, 0xFFFFu);
        cx.WriteMemory(size, StackLinear(cx, frameTemp), ebp);
        int pushed = size;
        foreach (int v in copied)
        {
            pushed += size;
            cx.WriteMemory(size, StackLinear(cx, Minus(cx, esp, pushed)), v);
        }
        if (level > 0)
        {
            pushed += size;
            cx.WriteMemory(size, StackLinear(cx, Minus(cx, esp, pushed)), frameTemp);
        }

        // EBP = FrameTemp, or BP = FrameTemp with a 16-bit operand size. The SDM's copy loop
        // decrements EBP itself, which could borrow into EBP's upper half; the host keeps the
        // upper half as it was (checked natively: EBP = 3_0002h, level 3 gives 3_xxxxh).
        if (size == 4) cx.SetReg32(5, frameTemp);
        else cx.SetReg32(5, b.Or(b.And(ebp, 0xFFFF0000u), b.And(frameTemp, 0xFFFFu)));
        SetStackPointer(cx, Minus(cx, esp, pushed + alloc));
    }

    /// <summary>LEAVE: ESP = EBP (SP = BP on a 16-bit stack), then EBP (BP) = pop.</summary>
    private static void Leave(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = OperandBytes(cx);
        int ebp = cx.GetReg32(5);
        int value = cx.ReadMemory(size, StackLinear(cx, ebp));
        SetStackPointer(cx, b.Add(ebp, b.Const(size)));
        cx.WriteGpr(5, size, value);
    }

    /// <summary>PUSHA/PUSHAD: EAX ECX EDX EBX, the original ESP, EBP ESI EDI.</summary>
    private static void Pusha(LiftContext cx)
    {
        int size = cx.Insn.Mnemonic == Mnemonic.Pusha ? 2 : 4;
        int esp = cx.GetReg32(4);
        for (int i = 0; i < 8; i++)
        {
            int value = i == 4 ? esp : cx.GetReg32(i);
            cx.WriteMemory(size, StackLinear(cx, Minus(cx, esp, (i + 1) * size)), value);
        }
        SetStackPointer(cx, Minus(cx, esp, 8 * size));
    }

    /// <summary>POPA/POPAD: EDI ESI EBP, (the saved ESP is skipped), EBX EDX ECX EAX.</summary>
    private static void Popa(LiftContext cx)
    {
        IrBuilder b = cx.B;
        int size = cx.Insn.Mnemonic == Mnemonic.Popa ? 2 : 4;
        int esp = cx.GetReg32(4);
        var values = new int[8];
        for (int i = 0; i < 8; i++)
        {
            if (i == 3) continue; // the ESP slot (register 7 - 3 = 4)
            int offset = i == 0 ? esp : b.Add(esp, b.Const(i * size));
            values[7 - i] = cx.ReadMemory(size, StackLinear(cx, offset));
        }
        for (int r = 7; r >= 0; r--)
            if (r != 4) cx.WriteGpr(r, size, values[r]);
        SetStackPointer(cx, b.Add(esp, b.Const(8 * size)));
    }
}
