using Transmeta.Frontend.Flags;
using Transmeta.Frontend.State;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Execution;

/// <summary>
/// Delivers an exception or interrupt through the guest IDT, for a 32-bit guest at the same
/// privilege level (Intel SDM Vol. 3A §6.12.1): push EFLAGS, CS, EIP and the error code if the
/// vector has one; clear TF, NT, RF, and IF for an interrupt gate; continue at the gate's offset.
/// Privilege changes and task gates come with the system-level issues.
/// </summary>
public static unsafe class ExceptionDelivery
{
    /// <summary>Returns false when there is no usable gate (the caller treats it as a triple fault).</summary>
    public static bool Deliver(CpuState* cpu, GuestMemory memory, int vector, uint errorCode, bool hasError, uint returnEip)
    {
        uint entry = (uint)vector * 8;
        if (entry + 7 > cpu->IdtrLimit || cpu->IdtrLimit == 0) return false;
        uint lo = memory.Read(cpu->IdtrBase + entry, 4);
        uint hi = memory.Read(cpu->IdtrBase + entry + 4, 4);
        bool present = (hi & 0x8000) != 0;
        uint type = (hi >> 8) & 0x1F;
        bool interruptGate = type is 0x0E or 0x06;
        bool trapGate = type is 0x0F or 0x07;
        if (!present || !(interruptGate || trapGate)) return false;

        uint eflags = cpu->GetEflags();
        uint esp = cpu->Esp;
        void Push(uint v) { esp -= 4; memory.Write(esp, 4, v); }
        Push(eflags);
        Push(cpu->Segment(SegReg.CS).Selector);
        Push(returnEip);
        if (hasError) Push(errorCode);
        cpu->Esp = esp;
        cpu->Segment(SegReg.CS).Selector = (ushort)(lo >> 16);
        cpu->Eip = (lo & 0xFFFF) | (hi & 0xFFFF0000);
        uint cleared = EflagsBits.TF | EflagsBits.NT | EflagsBits.RF | (interruptGate ? EflagsBits.IF : 0);
        cpu->Eflags &= ~cleared;
        return true;
    }

    /// <summary>Vectors that push an error code (Intel SDM Vol. 3A Table 6-1).</summary>
    public static bool HasErrorCode(int vector) => vector is 8 or 10 or 11 or 12 or 13 or 14 or 17;

    public static string Mnemonic(int vector) => vector switch
    {
        0 => "#DE", 1 => "#DB", 3 => "#BP", 4 => "#OF", 5 => "#BR", 6 => "#UD", 7 => "#NM", 8 => "#DF",
        10 => "#TS", 11 => "#NP", 12 => "#SS", 13 => "#GP", 14 => "#PF", 16 => "#MF", 17 => "#AC",
        _ => $"vector {vector}",
    };
}
