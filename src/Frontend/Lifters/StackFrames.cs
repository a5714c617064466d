using Iced.Intel;
using Transmeta.Frontend.Lifting;
using Transmeta.IR;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// Procedure frames and register block transfers: ENTER, LEAVE, PUSHA/PUSHAD, POPA/POPAD
/// (Intel SDM Vol. 2), with 16- and 32-bit operand sizes on 16- or 32-bit stacks.
/// Every one does its memory accesses before writing any register (ENTER's copy loop reads each
/// enclosing frame pointer after the pushes before it, as the SDM's pseudo-code does), so a fault
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

        // push EBP, then copy level - 1 enclosing frame pointers from EBP - size, EBP - 2*size, ...
        // (EBP arithmetic is 16-bit on a 16-bit stack) in the SDM's order: each read comes after
        // the previous pushes, which it sees when the frames overlap (EBP just above ESP). Only
        // memory below ESP is written before the last read, and ESP/EBP change at the end, so a
        // fault still leaves the instruction restartable.
        int frameTemp = Minus(cx, esp, size);
        if (cx.StackSize == 2) frameTemp = b.And(frameTemp, 0xFFFFu);
        cx.WriteMemory(size, StackLinear(cx, frameTemp), ebp);
        int pushed = size;
        for (int i = 1; i < level; i++)
        {
            int v = cx.ReadMemory(size, StackLinear(cx, Minus(cx, ebp, i * size)));
            pushed += size;
            cx.WriteMemory(size, StackLinear(cx, Minus(cx, esp, pushed)), v);
        }
        if (level > 0)
        {
            pushed += size;
            cx.WriteMemory(size, StackLinear(cx, Minus(cx, esp, pushed)), frameTemp);
        }

        // The frame below must be writable: "#PF if a write using the final value of the stack
        // pointer would cause a page fault" (SDM, ENTER). The host does the pushes above, then
        // faults with ESP and EBP unchanged; so does this probe (a write back of what is there).
        int finalEsp = Minus(cx, esp, pushed + alloc);
        int probe = StackLinear(cx, finalEsp);
        cx.WriteMemory(size, probe, cx.ReadMemory(size, probe));

        // EBP = FrameTemp, or BP = FrameTemp with a 16-bit operand size. The SDM's copy loop
        // decrements EBP itself, which could borrow into EBP's upper half; the host keeps the
        // upper half as it was (checked natively: EBP = 3_0002h, level 3 gives 3_xxxxh).
        if (size == 4) cx.SetReg32(5, frameTemp);
        else cx.SetReg32(5, b.Or(b.And(ebp, 0xFFFF0000u), b.And(frameTemp, 0xFFFFu)));
        SetStackPointer(cx, finalEsp);
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
