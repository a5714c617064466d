using System.Runtime.InteropServices;

namespace Transmeta.Frontend.State;

/// <summary>
/// The guest CPU: one unmanaged struct with a fixed layout, addressed by offset from generated
/// code of every backend (so all backends share it and a snapshot is a memcpy).
///
/// EFLAGS is split: <see cref="Eflags"/> holds every bit except the six arithmetic flags
/// (CF PF AF ZF SF OF), which are evaluated lazily from the last flag-setting operation
/// (<see cref="CcOp"/> and its operands), as QEMU's TCG does. <see cref="Flags.LazyFlags"/>
/// turns them into bits; <see cref="Flags.CcOp.Eflags"/> means they are already bits, in CcSrc1.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public unsafe struct CpuState
{
    public const int Size = 1024;

    // General registers in Iced's order (EAX ECX EDX EBX ESP EBP ESI EDI), 4 bytes each.
    public const int OffGpr = 0;
    public const int OffEip = 32;
    public const int OffEflags = 36;
    public const int OffCcOp = 40;
    public const int OffCcRes = 44;
    public const int OffCcSrc1 = 48;
    public const int OffCcSrc2 = 52;
    public const int OffCcAux = 56;
    public const int OffRetired = 64;
    public const int OffDeadline = 72;
    /// <summary>Segment registers ES CS SS DS FS GS (Iced order), 16 bytes each: base, limit,
    /// selector, attributes (the descriptor cache, Intel SDM Vol. 3 §3.4.3).</summary>
    public const int OffSegments = 80;
    public const int SegmentSize = 16;
    public const int SegBase = 0, SegLimit = 4, SegSelector = 8, SegAttributes = 12;
    public const int OffCr0 = 176, OffCr2 = 180, OffCr3 = 184, OffCr4 = 188;
    public const int OffGdtrBase = 192, OffGdtrLimit = 196, OffIdtrBase = 200, OffIdtrLimit = 204;
    public const int OffLdtr = 208, OffTr = 224;
    public const int OffCpl = 240;
    /// <summary>What a hypercall exit asks of the VMM (see <see cref="Frontend.HypercallKind"/>).</summary>
    public const int OffHcKind = 256, OffHcArg0 = 260, OffHcArg1 = 264, OffHcArg2 = 268, OffHcNextEip = 272;
    /// <summary>A fault raised by an instruction or a memory access: vector, error code, whether
    /// the vector pushes an error code.</summary>
    public const int OffFaultVector = 276, OffFaultErrorCode = 280, OffFaultHasError = 284;
    /// <summary>Scratch slots for values a lifter carries across labels inside one instruction.</summary>
    public const int OffScratch = 288;
    public const int ScratchSlots = 8;
    /// <summary>Reserved for the x87/FPU state.</summary>
    public const int OffFpu = 512;

    [FieldOffset(OffGpr)] public fixed uint Gpr[8];
    [FieldOffset(OffGpr + 0)] public uint Eax;
    [FieldOffset(OffGpr + 4)] public uint Ecx;
    [FieldOffset(OffGpr + 8)] public uint Edx;
    [FieldOffset(OffGpr + 12)] public uint Ebx;
    [FieldOffset(OffGpr + 16)] public uint Esp;
    [FieldOffset(OffGpr + 20)] public uint Ebp;
    [FieldOffset(OffGpr + 24)] public uint Esi;
    [FieldOffset(OffGpr + 28)] public uint Edi;
    [FieldOffset(OffEip)] public uint Eip;
    [FieldOffset(OffEflags)] public uint Eflags;
    [FieldOffset(OffCcOp)] public uint CcOp;
    [FieldOffset(OffCcRes)] public uint CcRes;
    [FieldOffset(OffCcSrc1)] public uint CcSrc1;
    [FieldOffset(OffCcSrc2)] public uint CcSrc2;
    [FieldOffset(OffCcAux)] public uint CcAux;
    /// <summary>Guest instructions retired (each iteration of a rep string instruction counts).</summary>
    [FieldOffset(OffRetired)] public ulong Retired;
    /// <summary>Long-running loops inside a block leave it when Retired reaches this.</summary>
    [FieldOffset(OffDeadline)] public ulong Deadline;
    [FieldOffset(OffCr0)] public uint Cr0;
    [FieldOffset(OffCr2)] public uint Cr2;
    [FieldOffset(OffCr3)] public uint Cr3;
    [FieldOffset(OffCr4)] public uint Cr4;
    [FieldOffset(OffGdtrBase)] public uint GdtrBase;
    [FieldOffset(OffGdtrLimit)] public uint GdtrLimit;
    [FieldOffset(OffIdtrBase)] public uint IdtrBase;
    [FieldOffset(OffIdtrLimit)] public uint IdtrLimit;
    [FieldOffset(OffCpl)] public uint Cpl;
    [FieldOffset(OffHcKind)] public uint HcKind;
    [FieldOffset(OffHcArg0)] public uint HcArg0;
    [FieldOffset(OffHcArg1)] public uint HcArg1;
    [FieldOffset(OffHcArg2)] public uint HcArg2;
    [FieldOffset(OffHcNextEip)] public uint HcNextEip;
    [FieldOffset(OffFaultVector)] public uint FaultVector;
    [FieldOffset(OffFaultErrorCode)] public uint FaultErrorCode;
    [FieldOffset(OffFaultHasError)] public uint FaultHasError;

    public static int GprOffset(int index) => OffGpr + 4 * index;
    public static int SegmentOffset(int seg) => OffSegments + SegmentSize * seg;

    public ref SegmentCache Segment(int seg)
    {
        fixed (CpuState* self = &this)
            return ref *(SegmentCache*)((byte*)self + SegmentOffset(seg));
    }

    /// <summary>The full architectural EFLAGS (arithmetic flags evaluated).</summary>
    public uint GetEflags() => (Eflags & ~Flags.EflagsBits.Arithmetic) | Flags.LazyFlags.Compute(CcOp, CcRes, CcSrc1, CcSrc2, CcAux);

    /// <summary>Sets the full EFLAGS; the arithmetic flags become materialized bits.</summary>
    public void SetEflags(uint value)
    {
        Eflags = (value & ~Flags.EflagsBits.Arithmetic) | Flags.EflagsBits.Reserved1;
        CcOp = (uint)Flags.CcOp.Eflags;
        CcSrc1 = value & Flags.EflagsBits.Arithmetic;
    }
}

/// <summary>A segment register with its hidden descriptor cache.</summary>
[StructLayout(LayoutKind.Sequential, Size = CpuState.SegmentSize)]
public struct SegmentCache
{
    public uint Base;
    public uint Limit;
    public ushort Selector;
    private ushort _pad;
    /// <summary>Descriptor bits 40..55 (type, S, DPL, P, AVL, L, D/B, G) as in the descriptor's
    /// second dword shifted right by 8.</summary>
    public uint Attributes;
}

/// <summary>Segment register numbers (Iced order: ES CS SS DS FS GS).</summary>
public static class SegReg
{
    public const int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
}
